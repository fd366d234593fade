//! The configured base URL, not the request's `Host`, starts every absolute link.

use rongmei_store::testing::TestDb;

mod common;

use common::{Server, get_json, seed_and_demo};

const BASE: &str = "https://news.example.edu.cn";

#[tokio::test]
async fn canonical_links_and_api_urls_use_the_configured_base_url() {
    let db = TestDb::sqlite().await;
    let id = seed_and_demo(&db).await;
    let srv = Server::start_with(&db, false, Some(BASE)).await;
    let http = reqwest::Client::new();
    let want = format!("{BASE}/articles/{id}");
    for host in [None, Some("evil.example"), Some("127.0.0.1:1")] {
        let mut req = http.get(format!("{}/articles/{id}", srv.base));
        if let Some(h) = host {
            req = req.header("host", h);
        }
        let html = req.send().await.expect("page").text().await.expect("body");
        let doc = scraper::Html::parse_document(&html);
        let canonical = scraper::Selector::parse("link[rel=canonical]").expect("selector");
        let hrefs: Vec<&str> = doc
            .select(&canonical)
            .filter_map(|e| e.value().attr("href"))
            .collect();
        assert_eq!(hrefs, [want.as_str()], "Host {host:?}");

        let mut req = http.get(format!("{}/api/v1/articles/{id}", srv.base));
        if let Some(h) = host {
            req = req.header("host", h);
        }
        let v: serde_json::Value = req.send().await.expect("api").json().await.expect("json");
        assert_eq!(v["url"], want.as_str(), "Host {host:?}");
    }
    let list = get_json(&http, format!("{}/api/v1/articles?per_page=100", srv.base)).await;
    let items = list["items"].as_array().expect("items");
    assert!(!items.is_empty());
    for item in items {
        let url = item["url"].as_str().expect("url");
        assert_eq!(url, format!("{BASE}/articles/{}", item["id"]));
    }
    srv.stop().await;
}

//! What readers could not find: searches through the site's page and the public API are counted
//! per day and query (first pages only, never personal data), written when the server stops,
//! and shown in the newsroom's analytics under 热门搜索, 无完全匹配 and 无结果. The queries that
//! found something feed the popular queries; the one that found nothing does not.

mod common;

use common::{ADMIN_TOKEN, Server, seed_and_demo};
use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::Value;

const FULL: &str = "西迁精神";
/// 西迁精神 and 联学 are in the seed, 冬训营 in no article with them: partial matches only.
const PARTIAL: &str = "西迁精神 联学 冬训营";
const NOTHING: &str = "qwzxyk";
const EMAIL: &str = "zhang.san@xjtu.edu.cn 西迁精神";

async fn api(http: &reqwest::Client, base: &str, pairs: &[(&str, &str)]) -> Value {
    let resp = http
        .get(format!("{base}/api/v1/search"))
        .query(pairs)
        .send()
        .await
        .expect("API search");
    assert_eq!(resp.status(), 200, "{pairs:?}");
    resp.json().await.expect("JSON")
}

async fn page(http: &reqwest::Client, base: &str, pairs: &[(&str, &str)]) {
    let resp = http
        .get(format!("{base}/search"))
        .query(pairs)
        .send()
        .await
        .expect("search page");
    assert_eq!(resp.status(), 200, "{pairs:?}");
}

/// The link texts under `section` of one day's block.
fn listed(doc: &Html, day: &str, section: &str) -> Vec<String> {
    let sel = Selector::parse(&format!(
        "#reader-searches .search-day[data-day=\"{day}\"] .{section} li a"
    ))
    .expect("selector");
    doc.select(&sel)
        .map(|a| a.text().collect::<String>())
        .collect()
}

#[tokio::test]
async fn reader_searches_are_counted_and_shown_without_personal_data() {
    for db in TestDb::all("reader_searches_are_counted_and_shown_without_personal_data").await {
        let label = db.label;
        seed_and_demo(&db).await;
        let srv = Server::start(&db, false).await;
        let http = reqwest::Client::new();
        let b = srv.base.clone();

        let full = api(&http, &b, &[("q", FULL)]).await;
        assert!(full["total"].as_u64().unwrap_or(0) > 0, "{label}: {full}");
        // The same query with other spacing is the same query.
        api(&http, &b, &[("q", "  西迁精神\u{3000} ")]).await;
        page(&http, &b, &[("q", FULL)]).await;
        page(&http, &b, &[("q", FULL), ("sort", "date")]).await;
        // Paging is not a new search.
        page(&http, &b, &[("q", FULL), ("page", "2")]).await;
        api(&http, &b, &[("q", FULL), ("offset", "10")]).await;

        let partial = api(&http, &b, &[("q", PARTIAL)]).await;
        let hits = partial["hits"].as_array().expect("hits");
        assert!(!hits.is_empty(), "{label}: {partial}");
        assert!(
            hits.iter().all(|h| h["match"] == "partial"),
            "{label}: partial matches only: {partial}"
        );
        page(&http, &b, &[("q", PARTIAL)]).await;
        api(&http, &b, &[("q", "西迁精神  联学 冬训营")]).await;

        let nothing = api(&http, &b, &[("q", NOTHING)]).await;
        assert_eq!(nothing["total"], 0, "{label}: {nothing}");
        page(&http, &b, &[("q", NOTHING)]).await;

        api(&http, &b, &[("q", EMAIL)]).await;
        page(&http, &b, &[("q", EMAIL)]).await;

        // A graceful stop writes every search counted in memory.
        srv.stop().await;
        let today = rongmei_app::search_log::shanghai_day(chrono::Utc::now());
        let store = db.store().await.expect("store");
        let report = store
            .search_query_report(today, today, 10)
            .await
            .expect("report");
        assert_eq!(report.len(), 1, "{label}: {report:?}");
        let day = &report[0];
        let top: Vec<(&str, u64)> = day
            .top
            .iter()
            .map(|q| (q.query.as_str(), q.searches))
            .collect();
        assert_eq!(
            top,
            [(FULL, 4), (PARTIAL, 3), (NOTHING, 2)],
            "{label}: first pages only, the e-mail query never"
        );
        let popular = store
            .popular_queries(today - chrono::Days::new(6), 1, 10)
            .await
            .expect("popular");
        assert_eq!(
            popular,
            [(FULL.to_string(), 4), (PARTIAL.to_string(), 3)],
            "{label}: the query that found nothing is no suggestion"
        );
        store.close().await;

        // The newsroom sees them on the analytics page, each linked to the search.
        let srv = Server::start(&db, false).await;
        let resp = http
            .get(format!("{}/admin/analytics", srv.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("analytics");
        assert_eq!(resp.status(), 200, "{label}");
        let html = resp.text().await.expect("page");
        let doc = Html::parse_document(&html);
        let d = today.format("%Y-%m-%d").to_string();
        assert!(html.contains("读者搜索"), "{label}");
        assert_eq!(listed(&doc, &d, "search-top"), [FULL, PARTIAL, NOTHING]);
        assert_eq!(listed(&doc, &d, "search-no-full"), [PARTIAL], "{label}");
        assert_eq!(listed(&doc, &d, "search-no-result"), [NOTHING], "{label}");
        assert!(
            !html.contains("xjtu") && !html.contains("zhang.san"),
            "{label}: no e-mail address on the page"
        );
        let days = Selector::parse("#reader-searches .search-day").expect("selector");
        assert_eq!(doc.select(&days).count(), 7, "{label}: one block a day");

        // The link leads to the public search for that query.
        let link = Selector::parse(&format!(
            "#reader-searches .search-day[data-day=\"{d}\"] .search-no-result li a"
        ))
        .expect("selector");
        let href = doc
            .select(&link)
            .next()
            .and_then(|a| a.value().attr("href"))
            .expect("a link")
            .to_string();
        assert!(href.ends_with("/search?q=qwzxyk"), "{label}: {href}");
        let url = if href.starts_with("http") {
            href
        } else {
            format!("{}{href}", srv.base)
        };
        let found = http.get(&url).send().await.expect("follow the link");
        assert_eq!(found.status(), 200, "{label}");
        let body = found.text().await.expect("search page");
        assert!(body.contains(NOTHING), "{label}");
        srv.stop().await;
        db.cleanup().await;
    }
}

//! View counting over HTTP: the signed token call, dedupe with page loads, bots, raw counts,
//! channels, rate limits.

mod common;

use common::{Server, get_json, get_text, seed_and_demo};
use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::{Value, json};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

fn token_of(html: &str) -> String {
    let doc = Html::parse_document(html);
    let sel = Selector::parse("article[data-view-token]").unwrap();
    doc.select(&sel)
        .next()
        .expect("token on the page")
        .value()
        .attr("data-view-token")
        .unwrap()
        .to_string()
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    id: i64,
    body: Value,
    ip: &str,
    ua: &str,
) -> (u16, Value) {
    let r = http
        .post(format!("{base}/api/v1/articles/{id}/views"))
        .header("user-agent", ua)
        .header("x-forwarded-for", ip)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn token_calls_count_once_with_the_page_and_never_without_a_token() {
    for db in TestDb::all("token_calls_count_once_with_the_page_and_never_without_a_token").await {
        let id = seed_and_demo(&db).await;
        let srv = Server::start(&db, true).await;
        let http = reqwest::Client::new();
        let page = http
            .get(format!("{}/articles/{id}", srv.base))
            .header("user-agent", BROWSER)
            .header("x-forwarded-for", "203.0.113.1")
            .header("referer", "https://www.baidu.com/s?wd=%E8%A5%BF%E8%BF%81")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = token_of(&page);
        assert!(
            page.contains(&format!("/api/v1/articles/{id}/views")),
            "the page carries its counter call"
        );

        // The page's own call from the same reader is the same view.
        let (status, v) = call(
            &http,
            &srv.base,
            id,
            json!({"token": token}),
            "203.0.113.1",
            BROWSER,
        )
        .await;
        assert_eq!(
            (status, v["views"].as_i64()),
            (200, Some(1775)),
            "{}",
            db.label
        );
        // A cached copy read by someone else counts.
        let (_, v) = call(
            &http,
            &srv.base,
            id,
            json!({"token": token, "referrer": "https://mp.weixin.qq.com/s/x"}),
            "203.0.113.2",
            BROWSER,
        )
        .await;
        assert_eq!(v["views"], 1776);
        // No token, a wrong one, or another article's: 403 and nothing counted.
        let other = get_json(&http, format!("{}/api/v1/articles?per_page=1", srv.base)).await["items"][0]["id"].as_i64().unwrap();
        let other_token =
            token_of(&get_text(&http, format!("{}/articles/{other}", srv.base)).await);
        for body in [
            json!({}),
            json!({"token": "0".repeat(32)}),
            json!({"token": other_token}),
        ] {
            let (status, v) = call(&http, &srv.base, id, body, "203.0.113.3", BROWSER).await;
            assert_eq!(status, 403);
            assert_eq!(v["error"]["code"], "forbidden");
        }
        let (status, _) = call(
            &http,
            &srv.base,
            999_999,
            json!({"token": token}),
            "203.0.113.3",
            BROWSER,
        )
        .await;
        assert_eq!(status, 403, "a token is bound to its article");
        // A crawler with a valid token adds to the raw count only.
        let (_, v) = call(
            &http,
            &srv.base,
            id,
            json!({"token": token}),
            "203.0.113.4",
            "Googlebot/2.1",
        )
        .await;
        assert_eq!(v["views"], 1776);
        assert_eq!(
            get_json(&http, format!("{}/api/v1/articles/{id}", srv.base)).await["views"],
            1776
        );

        let store = db.store().await.unwrap();
        // Written on the counter's next flush: every raw request, and the counted views beside.
        common::eventually("the raw requests are written", || async {
            store
                .view_counts(id)
                .await
                .ok()
                .flatten()
                .map(|(_, raw)| raw)
                == Some(4)
        })
        .await;
        assert_eq!(
            store.view_counts(id).await.unwrap(),
            Some((1776, 4)),
            "counted beside raw"
        );
        let channels = store.channel_totals("day", 0, Some(id)).await.unwrap();
        let by: Vec<(&str, i64)> = channels
            .iter()
            .map(|c| (c.channel.as_str(), c.views))
            .collect();
        assert!(
            by.contains(&("search", 1)) && by.contains(&("wechat", 1)),
            "{by:?}"
        );
        assert_eq!(
            store
                .views_series("hour", 0, Some(id))
                .await
                .unwrap()
                .iter()
                .map(|(_, n)| n)
                .sum::<i64>(),
            2
        );
        store.close().await;
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn calls_are_rate_limited_per_address() {
    let db = TestDb::sqlite().await;
    let id = seed_and_demo(&db).await;
    let srv = Server::start(&db, true).await;
    let http = reqwest::Client::new();
    let token = token_of(&get_text(&http, format!("{}/articles/{id}", srv.base)).await);
    let mut statuses = Vec::new();
    for _ in 0..70 {
        statuses.push(
            call(
                &http,
                &srv.base,
                id,
                json!({"token": token}),
                "198.51.100.9",
                BROWSER,
            )
            .await
            .0,
        );
    }
    assert!(statuses[..60].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[69], 429);
    // Another address is not held back.
    assert_eq!(
        call(
            &http,
            &srv.base,
            id,
            json!({"token": token}),
            "198.51.100.10",
            BROWSER
        )
        .await
        .0,
        200
    );
    // A malformed body is a clear 400.
    let r = http
        .post(format!("{}/api/v1/articles/{id}/views", srv.base))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    srv.stop().await;
}

#[tokio::test]
async fn two_nodes_count_a_reader_once_and_add_up_exactly() {
    for db in TestDb::all("two_nodes_count_a_reader_once_and_add_up_exactly").await {
        let id = seed_and_demo(&db).await;
        let a = Server::start(&db, true).await;
        let b = Server::start(&db, true).await;
        let http = reqwest::Client::new();
        let load = |base: String, ip: String| {
            let http = http.clone();
            async move {
                let r = http
                    .get(format!("{base}/articles/{id}"))
                    .header("user-agent", BROWSER)
                    .header("x-forwarded-for", ip)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        };
        // 40 readers, each reading on both nodes, some twice.
        for i in 0..40 {
            let ip = format!("192.0.2.{i}");
            load(a.base.clone(), ip.clone()).await;
            load(b.base.clone(), ip.clone()).await;
            if i % 3 == 0 {
                load(a.base.clone(), ip).await;
            }
        }
        // Both nodes have flushed when every request is in the raw count.
        let store = db.store().await.unwrap();
        common::eventually("both nodes flush", || async {
            store.view_counts(id).await.unwrap().unwrap().1 == 40 * 2 + 14
        })
        .await;
        store.close().await;
        // A reader counted by one node and later by the other, after both flushed. The last
        // view is written by the stop itself: no flush interval passes before it.
        load(b.base.clone(), "192.0.2.0".to_string()).await;
        a.stop().await;
        b.stop().await;
        let store = db.store().await.unwrap();
        let (views, raw) = store.view_counts(id).await.unwrap().unwrap();
        assert_eq!(
            views,
            1774 + 40,
            "{}: each reader once across both nodes",
            db.label
        );
        assert_eq!(raw, 40 * 2 + 14 + 1);
        store.close().await;
        db.cleanup().await;
    }
}

/// One address that rotates its User-Agent counts at most the configured ceiling per article
/// and half hour (a campus network's readers share one address, so it is a ceiling, not one
/// view); every request still adds to the raw count, and other addresses are untouched.
#[tokio::test]
async fn one_address_rotating_user_agents_counts_up_to_the_ceiling() {
    for db in TestDb::all("one_address_rotating_user_agents_counts_up_to_the_ceiling").await {
        let id = seed_and_demo(&db).await;
        let store = db.store().await.unwrap();
        let (views0, raw0) = store.view_counts(id).await.unwrap().unwrap();
        let srv = Server::start(&db, true).await;
        let http = reqwest::Client::new();
        for i in 0..100 {
            let r = http
                .get(format!("{}/articles/{id}", srv.base))
                .header("user-agent", format!("{BROWSER} rotation/{i}"))
                .header("x-forwarded-for", "198.51.100.77")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        // Thirty readers behind other addresses each count.
        for i in 0..30 {
            http.get(format!("{}/articles/{id}", srv.base))
                .header("user-agent", BROWSER)
                .header("x-forwarded-for", format!("192.0.2.{i}"))
                .send()
                .await
                .unwrap();
        }
        common::eventually("the flush", || async {
            store.view_counts(id).await.unwrap().unwrap().1 - raw0 == 130
        })
        .await;
        let (views, raw) = store.view_counts(id).await.unwrap().unwrap();
        let ceiling = i64::from(rongmei_app::config::DEFAULT_VIEWS_PER_ADDRESS);
        assert_eq!(views - views0, ceiling + 30, "{}", db.label);
        assert_eq!(raw - raw0, 130, "the raw count keeps every request");
        store.close().await;
        srv.stop().await;
        db.cleanup().await;
    }
}

//! Search over HTTP: the page, the API, freshness after imports, hostile queries.

use std::path::Path;
use std::time::{Duration, Instant};

use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::Value;

mod common;

use common::{Server, get_json, search, seed_and_demo};

async fn start(db: &TestDb) -> Server {
    seed_and_demo(db).await;
    Server::start(db, false).await
}

/// The index is built in the background at start; wait until it answers.
async fn wait_indexed(http: &reqwest::Client, base: &str, query: &str) -> Value {
    let start = Instant::now();
    loop {
        let v = search(http, base, query).await;
        if v["total"].as_u64().unwrap_or(0) > 0 || start.elapsed() > Duration::from_secs(20) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn search_api_and_page() {
    for db in TestDb::all("search_api_and_page").await {
        let srv = start(&db).await;
        let base = srv.base.clone();
        let http = reqwest::Client::new();
        let v = wait_indexed(&http, &base, "端木怡雯").await;
        assert_eq!(v["total"], 1, "{}", db.label);
        let hit = &v["hits"][0];
        assert!(
            hit["title"]
                .as_str()
                .unwrap()
                .starts_with("【主题教育】西安交大党委宣传部")
        );
        assert!(
            hit["snippet_html"]
                .as_str()
                .unwrap()
                .contains("<mark>端木怡雯</mark>")
        );
        assert_eq!(hit["published_at"], "2023-06-01T22:05:00+08:00");
        assert_eq!(hit["column"], "news");
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        assert!(v["took_ms"].as_f64().is_some());

        let v = search(&http, &base, "\"学习习近平\"").await;
        assert!(v["total"].as_u64().unwrap() >= 1);
        let v = search(&http, &base, "西迁 -同济").await;
        assert!(
            v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| !h["title"].as_str().unwrap().contains("同济"))
        );
        assert!(
            v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["column"] != "news"),
            "the seed mentions 同济"
        );

        let page = http
            .get(format!("{base}/search"))
            .query(&[("q", "融媒体中心")])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        let doc = Html::parse_document(&html);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let marks: Vec<String> = doc
            .select(&Selector::parse(".snippet mark").unwrap())
            .map(|m| m.text().collect())
            .collect();
        assert!(
            marks.iter().any(|m| m == "融媒体中心"),
            "whole-word highlight: {marks:?}"
        );
        assert!(
            doc.select(&Selector::parse(".search-stats").unwrap())
                .next()
                .is_some()
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn hostile_queries_get_clear_answers() {
    let db = TestDb::sqlite().await;
    let srv = start(&db).await;
    let base = srv.base.clone();
    let http = reqwest::Client::new();
    wait_indexed(&http, &base, "西迁精神").await;
    let symbols = "!@#$%^&*()".repeat(1024);
    for (q, want) in [
        (symbols.as_str(), 400),
        ("\"未闭合的引号", 200),
        ("的 了 和", 400),
        ("-", 400),
        ("AND OR NOT", 200),
        ("( ) [ ] { } : ~ ^", 400),
    ] {
        let resp = http
            .get(format!("{base}/api/v1/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), want, "{}", &q[..q.len().min(40)]);
        let v: Value = resp.json().await.unwrap();
        if want == 400 {
            assert!(v["error"]["message"].is_string());
        }
        let page = http
            .get(format!("{base}/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert_ne!(page.status().as_u16(), 500);
    }
    for path in [
        "/api/v1/search",
        "/api/v1/search?q=a&limit=x",
        "/api/v1/search?q=a&from=yesterday",
        "/api/v1/search?q=a&sort=up",
    ] {
        let resp = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{path}");
    }
    let v: Value = get_json(
        &http,
        format!("{base}/api/v1/search?q=西迁&from=2023-06-01&to=2023-06-01&column=news"),
    )
    .await;
    assert_eq!(v["total"], 1, "date and column filters");
    let v: Value = get_json(
        &http,
        format!("{base}/api/v1/search?q=西迁&from=2023-06-02"),
    )
    .await;
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["published_at"].as_str().unwrap() >= "2023-06-02")
    );
    srv.stop().await;
}

#[tokio::test]
async fn imports_show_in_search_within_a_second() {
    for db in TestDb::all("imports_show_in_search_within_a_second").await {
        let srv = start(&db).await;
        let base = srv.base.clone();
        let http = reqwest::Client::new();
        wait_indexed(&http, &base, "西迁精神").await;
        let store = db.store().await.unwrap();
        let fresh = rongmei_import::parse_jsonl(
            Path::new("x.jsonl"),
            r#"{"title":"新闻速递","published_at":"2025-01-01T08:00:00+08:00","views":0,"column":"速递","body":"鳌太线穿越活动今日启动。","source_id":"fresh:1"}"#,
        )
        .unwrap();
        store
            .import(&[fresh[0].article.clone()], &|_| {})
            .await
            .unwrap();
        let t0 = Instant::now();
        loop {
            if search(&http, &base, "鳌太线").await["total"] == 1 {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(1),
                "{}: not searchable within 1 s",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // An edit that removes the phrase removes the hit.
        let edited = rongmei_import::parse_jsonl(
            Path::new("x.jsonl"),
            r#"{"title":"新闻速递","published_at":"2025-01-01T08:00:00+08:00","views":0,"column":"速递","body":"活动改期。","source_id":"fresh:1"}"#,
        )
        .unwrap();
        store
            .import(&[edited[0].article.clone()], &|_| {})
            .await
            .unwrap();
        let t0 = Instant::now();
        while search(&http, &base, "鳌太线").await["total"] != 0 {
            assert!(
                t0.elapsed() < Duration::from_secs(1),
                "{}: edit not applied within 1 s",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        store.close().await;
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn two_nodes_both_catch_up_with_an_import() {
    for db in TestDb::all("two_nodes_both_catch_up_with_an_import").await {
        let a = start(&db).await;
        let b = Server::start(&db, false).await;
        let http = reqwest::Client::new();
        wait_indexed(&http, &a.base, "西迁精神").await;
        wait_indexed(&http, &b.base, "西迁精神").await;
        let store = db.store().await.unwrap();
        let fresh = rongmei_import::parse_jsonl(
            Path::new("x.jsonl"),
            r#"{"title":"双节点","published_at":null,"views":0,"column":null,"body":"秦岭冬训营今日开营。","source_id":"fresh:2"}"#,
        )
        .unwrap();
        store
            .import(&[fresh[0].article.clone()], &|_| {})
            .await
            .unwrap();
        let t0 = Instant::now();
        for base in [&a.base, &b.base] {
            while search(&http, base, "秦岭冬训营").await["total"] != 1 {
                assert!(
                    t0.elapsed() < Duration::from_secs(5),
                    "{}: a node did not catch up within 5 s",
                    db.label
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        store.close().await;
        a.stop().await;
        b.stop().await;
        db.cleanup().await;
    }
}

/// Readers' questions find the seed (question and filler words are optional); a query whose
/// words no article holds all together still answers, with every full match first and the
/// partial ones marked (`match`, and 部分匹配 on the page); a quoted phrase and an exclusion stay
/// strict.
#[tokio::test]
async fn questions_and_loose_queries_answer_in_two_tiers() {
    for db in TestDb::all("search_tiers").await {
        let srv = start(&db).await;
        let http = reqwest::Client::new();
        let b = &srv.base;
        wait_indexed(&http, b, "西迁精神").await;
        let seed = search(&http, b, "端木怡雯").await["hits"][0]["id"].clone();
        for q in [
            "西迁精神的内涵是什么",
            "交大融媒体中心在哪里",
            "西安交大宣传部联学活动报道",
            "成进讲话全文",
        ] {
            let v = search(&http, b, q).await;
            let top: Vec<&Value> = v["hits"].as_array().unwrap().iter().take(3).collect();
            assert!(
                top.iter().any(|h| h["id"] == seed),
                "{}: {q} → {v}",
                db.label
            );
        }
        // 西迁精神 and 联学 are in the seed, 冬训营 in no article with them: no full match,
        // so partial matches answer, each saying which words it holds.
        let v = search(&http, b, "西迁精神 联学 冬训营").await;
        let hits = v["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{}: {v}", db.label);
        let tiers: Vec<&str> = hits.iter().map(|h| h["match"].as_str().unwrap()).collect();
        let first_partial = tiers
            .iter()
            .position(|t| *t == "partial")
            .unwrap_or(tiers.len());
        assert!(
            tiers[first_partial..].iter().all(|t| *t == "partial"),
            "{}: full matches first: {tiers:?}",
            db.label
        );
        assert!(
            hits.iter().any(|h| h["id"] == seed
                && h["matched"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|w| w == "西迁精神"))),
            "{}: {v}",
            db.label
        );
        let page = http
            .get(format!("{b}/search"))
            .query(&[("q", "西迁精神 联学 冬训营")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let doc = Html::parse_document(&page);
        let note = Selector::parse(".hit-partial .partial-note").unwrap();
        assert!(
            doc.select(&note)
                .any(|n| n.text().collect::<String>().contains("部分匹配")),
            "{}: the page marks partial matches",
            db.label
        );
        // Strict as before.
        for q in ["\"学习习近平\"", "西迁 -同济"] {
            let v = search(&http, b, q).await;
            assert!(
                v["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|h| h["match"] == "full"),
                "{}: {q} → {v}",
                db.label
            );
        }
        srv.stop().await;
        db.cleanup().await;
    }
}

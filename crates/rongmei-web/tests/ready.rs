//! Readiness: until the search index is built and caught up, `/readyz` says 503 and searches
//! answer 503 with `Retry-After` (the page says so) — never an empty result list.

use std::sync::Arc;

use rongmei_app::{App, Config, Overrides};
use rongmei_store::testing::TestDb;
use rongmei_web::AppState;

mod common;

use common::seed_and_demo;

#[tokio::test]
async fn not_ready_until_the_index_is_built_and_no_empty_answers_meanwhile() {
    let db = TestDb::sqlite().await;
    seed_and_demo(&db).await;
    let store = db.store().await.expect("store");
    let data = tempfile::tempdir().expect("data dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = Config::with(&Overrides {
        data: Some(data.path().to_path_buf()),
        listen: Some(addr.to_string()),
        ..Overrides::default()
    })
    .expect("config");
    let index = Arc::new(
        rongmei_search::SearchIndex::open(&rongmei_search::SearchConfig {
            index_dir: data.path().join("index"),
            user_dict: None,
            aliases: None,
        })
        .expect("index"),
    );
    let app = App::open(config, store, index).await.expect("app");
    // The routes without the background work: the index is never built, as at the start of
    // a long build.
    let router = rongmei_web::router(AppState::new(app.clone()));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();

    let r = http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), 503);
    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .expect("healthz")
            .status(),
        200,
        "alive all the same"
    );
    let r = http
        .get(format!("{base}/api/v1/search?q=西迁"))
        .send()
        .await
        .expect("search");
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("retry-after"));
    let v: serde_json::Value = r.json().await.expect("json error");
    assert_eq!(v["error"]["code"], "unavailable");
    assert!(v.get("hits").is_none(), "no empty list");
    let r = http
        .get(format!("{base}/search?q=西迁"))
        .send()
        .await
        .expect("search page");
    assert_eq!(r.status(), 503);
    let html = r.text().await.expect("page");
    assert!(html.contains("搜索索引正在建立"), "the page says why");

    // Once the background work builds the index, the node is ready and search answers.
    let background = app.spawn_background();
    let started = std::time::Instant::now();
    while http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map_or(true, |r| r.status() != 200)
    {
        assert!(started.elapsed().as_secs() < 30, "never ready");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let v: serde_json::Value = http
        .get(format!("{base}/api/v1/search?q=西迁"))
        .send()
        .await
        .expect("search")
        .json()
        .await
        .expect("json");
    assert!(v["total"].as_u64().unwrap_or(0) > 0, "{v}");
    background.stop().await;
    server.abort();
}

/// `/metrics` is Prometheus text a real parser reads: request counts by route pattern and
/// status, with latency histograms, and the node's gauges (index size, database, feed lag).
#[tokio::test]
async fn metrics_are_prometheus_text_by_route_pattern() {
    let db = TestDb::sqlite().await;
    let id = seed_and_demo(&db).await;
    let srv = common::Server::start(&db, false).await;
    let http = reqwest::Client::new();
    for _ in 0..3 {
        let r = http
            .get(format!("{}/articles/{id}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = http
        .get(format!("{}/metrics", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .expect("valid Prometheus text");
    assert!(
        scrape
            .samples
            .iter()
            .all(|s| s.metric.starts_with("rongmei_")),
        "{text}"
    );
    let value = |name: &str, label: Option<(&str, &str)>| {
        scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v) => v,
                prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
            .next()
    };
    let articles = value(
        "rongmei_http_requests_total",
        Some(("route", "/articles/:id")),
    )
    .unwrap_or_else(|| panic!("article requests counted by their pattern: {text}"));
    assert!(articles >= 3.0, "{text}");
    assert!(
        !text.contains(&format!("/articles/{id}\"")),
        "raw paths never become labels"
    );
    assert!(
        text.contains("rongmei_http_request_duration_seconds_bucket"),
        "latency histogram: {text}"
    );
    assert_eq!(value("rongmei_search_documents", None), Some(13.0));
    assert_eq!(value("rongmei_db_up", None), Some(1.0));
    assert_eq!(value("rongmei_search_ready", None), Some(1.0));
    assert!(
        value("rongmei_feed_lag_events", Some(("subscriber", "search"))).is_some(),
        "{text}"
    );
    assert!(value("rongmei_views_flush_lag_seconds", None).is_some());
    srv.stop().await;
    db.cleanup().await;
}

//! Baidu's active push against a local stand-in of its API (never the real one): publishing
//! pushes the article's URL with the site and token; a spent quota holds pushes, which go out
//! once the quota is back, none lost.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use common::{STAFF, Server, add_users, client, post_json, review_and_publish, sign_in};
use rongmei_app::Overrides;
use rongmei_store::testing::TestDb;
use serde_json::json;

#[derive(Debug, Clone)]
struct Push {
    site: String,
    token: String,
    content_type: String,
    urls: Vec<String>,
    at: Instant,
}

#[derive(Default)]
struct StandIn {
    pushes: Vec<Push>,
    /// Answer "over quota" to this many pushes first.
    over_quota: usize,
}

async fn stand_in(over_quota: usize) -> (String, Arc<Mutex<StandIn>>) {
    let state = Arc::new(Mutex::new(StandIn {
        pushes: Vec::new(),
        over_quota,
    }));
    async fn urls(
        State(s): State<Arc<Mutex<StandIn>>>,
        Query(q): Query<Vec<(String, String)>>,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        let get = |k: &str| {
            q.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut s = s.lock().expect("stand-in");
        let urls: Vec<String> = body.lines().map(str::to_string).collect();
        let n = urls.len();
        s.pushes.push(Push {
            site: get("site"),
            token: get("token"),
            content_type: headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
            urls,
            at: Instant::now(),
        });
        if s.over_quota > 0 {
            s.over_quota -= 1;
            return (
                StatusCode::BAD_REQUEST,
                json!({"error": 400, "message": "over quota"}).to_string(),
            );
        }
        (
            StatusCode::OK,
            json!({"remain": 4999, "success": n, "not_same_site": [], "not_valid": []}).to_string(),
        )
    }
    let app = axum::Router::new()
        .route("/urls", axum::routing::post(urls))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/urls", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

async fn new_article(http: &reqwest::Client, base: &str, title: &str) -> i64 {
    let reporter = sign_in(http, base, "reporter").await;
    let (s, v) = post_json(
        http,
        &format!("{base}/api/v1/articles"),
        Some(&reporter),
        json!({"title": title, "column": "news", "body": "<p>百度推送测试正文。</p>"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().expect("id")
}

fn pushed(state: &Arc<Mutex<StandIn>>) -> Vec<Push> {
    state.lock().expect("stand-in").pushes.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn published_articles_are_pushed_and_a_spent_quota_holds_them_until_it_is_back() {
    for db in TestDb::all("baidu_push").await {
        add_users(&db, STAFF).await;
        let (endpoint, state) = stand_in(1).await;
        let server = Server::start_configured(
            &db,
            Overrides {
                base_url: Some("https://news.example.edu.cn".into()),
                baidu_push_token: Some("test-token".into()),
                baidu_push_endpoint: Some(endpoint),
                baidu_push_quota_wait: Some(1),
                ..Overrides::default()
            },
        )
        .await;
        let http = client();
        let base = &server.base;
        let draft = new_article(&http, base, "百度推送未发布稿件").await;
        let first = new_article(&http, base, "百度推送测试稿件一").await;
        review_and_publish(&http, base, first).await;

        // The first push meets a spent quota; the URL goes out again once the wait is over.
        let start = Instant::now();
        while pushed(&state).len() < 2 {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{}: pushes {:?}",
                db.label,
                pushed(&state)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let p = pushed(&state);
        let url = format!("https://news.example.edu.cn/articles/{first}");
        assert_eq!(p[0].urls, std::slice::from_ref(&url));
        assert_eq!(p[1].urls, std::slice::from_ref(&url), "retried, not lost");
        assert!(
            p[1].at.duration_since(p[0].at) >= Duration::from_millis(900),
            "held while the quota was spent: {:?}",
            p[1].at.duration_since(p[0].at)
        );
        assert_eq!(
            p[0].site, "news.example.edu.cn",
            "the site is the base URL's host"
        );
        assert_eq!(p[0].token, "test-token");
        assert!(p[0].content_type.starts_with("text/plain"));

        // Later publications go out at once; drafts never.
        let second = new_article(&http, base, "百度推送测试稿件二").await;
        review_and_publish(&http, base, second).await;
        let start = Instant::now();
        loop {
            let all: Vec<String> = pushed(&state).into_iter().flat_map(|p| p.urls).collect();
            if all
                .iter()
                .any(|u| u.ends_with(&format!("/articles/{second}")))
            {
                assert!(
                    !all.iter()
                        .any(|u| u.ends_with(&format!("/articles/{draft}")))
                );
                assert_eq!(pushed(&state).len(), 3, "one more push, nothing repeated");
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "{}: not pushed",
                db.label
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.stop().await;
    }
}

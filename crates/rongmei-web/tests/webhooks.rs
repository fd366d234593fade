//! Webhooks, end to end: admins register endpoints; publishing delivers signed messages (checked
//! by the Standard Webhooks reference library for Python) to a receiver on this machine, retried
//! with one `webhook-id`, logged attempt by attempt, replayable, exactly once across two nodes.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::{
    STAFF, Server, add_users, client, get_auth, post_json, review_and_publish, sign_in, sign_in_all,
};
use rongmei_app::Overrides;
use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    at: Instant,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Inbox {
    got: Vec<Received>,
    /// Statuses to answer, in order; 200 once they run out.
    script: Vec<u16>,
}

#[derive(Clone)]
struct Receiver {
    url: String,
    inbox: Arc<Mutex<Inbox>>,
}

impl Receiver {
    /// A receiver on a free loopback port answering `script` first, then 200.
    async fn start(script: &[u16]) -> Receiver {
        let inbox = Arc::new(Mutex::new(Inbox {
            got: Vec::new(),
            script: script.iter().rev().copied().collect(),
        }));
        async fn hook(
            State(inbox): State<Arc<Mutex<Inbox>>>,
            headers: HeaderMap,
            body: String,
        ) -> StatusCode {
            let h = |n: &str| {
                headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            };
            let mut inbox = inbox.lock().expect("inbox");
            inbox.got.push(Received {
                id: h("webhook-id"),
                timestamp: h("webhook-timestamp"),
                signature: h("webhook-signature"),
                body,
                at: Instant::now(),
            });
            let status = inbox.script.pop().unwrap_or(200);
            StatusCode::from_u16(status).expect("status")
        }
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(hook))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, inbox }
    }

    fn got(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").got.clone()
    }

    fn of_type(&self, kind: &str) -> Vec<Received> {
        self.got()
            .into_iter()
            .filter(|r| r.json()["type"] == kind)
            .collect()
    }

    /// Waits until `n` requests of this type came, for at most `limit`.
    async fn wait_for(&self, kind: &str, n: usize, limit: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.of_type(kind);
            if got.len() >= n {
                return got;
            }
            assert!(
                start.elapsed() < limit,
                "{n} × {kind} did not arrive within {limit:?}; got {:?}",
                self.got()
                    .iter()
                    .map(|r| r.json()["type"].clone())
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Checks every request with the Python `standardwebhooks` package, as a receiver would.
fn verify_with_reference_library(secret: &str, got: &[Received]) {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import standardwebhooks"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        common::tool_missing(
            "signature check by Python standardwebhooks skipped: the package is not installed",
        );
        return;
    }
    let cases: Vec<Value> = got
        .iter()
        .map(|r| {
            json!({"headers": {"webhook-id": r.id, "webhook-timestamp": r.timestamp,
                               "webhook-signature": r.signature}, "body": r.body})
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cases.json");
    std::fs::write(&file, serde_json::to_vec(&cases).expect("json")).expect("write cases");
    let script = r#"
import json, sys
from standardwebhooks import Webhook
wh = Webhook(sys.argv[1])
cases = json.load(open(sys.argv[2]))
for c in cases:
    wh.verify(c["body"].encode(), c["headers"])
try:
    wh.verify(cases[0]["body"].encode() + b" ", cases[0]["headers"])
    sys.exit("a changed body verified")
except Exception:
    pass
print(len(cases), "verified")
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, secret, &file.to_string_lossy()])
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "standardwebhooks refused a delivery: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Settings of a server allowed to send to this machine, with retries a thousand times faster
/// (5 s becomes 5 ms, 5 min 300 ms).
fn fast_local() -> Overrides {
    Overrides {
        webhook_allow_private: Some(true),
        webhook_retry_scale: Some(0.001),
        ..Overrides::default()
    }
}

/// Writes an article and takes it through the three reviews to publication; returns its id.
async fn publish(http: &reqwest::Client, base: &str, title: &str) -> i64 {
    let reporter = sign_in(http, base, "reporter").await;
    let (s, v) = post_json(
        http,
        &format!("{base}/api/v1/articles"),
        Some(&reporter),
        json!({"title": title, "column": "news", "body": "<p>推送测试正文。</p>"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_i64().expect("id");
    review_and_publish(http, base, id).await;
    id
}

async fn add_endpoint(
    http: &reqwest::Client,
    base: &str,
    admin: &str,
    url: &str,
    events: &[&str],
) -> (i64, String) {
    let (s, v) = post_json(
        http,
        &format!("{base}/api/v1/webhooks"),
        Some(admin),
        json!({"url": url, "events": events}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let secret = v["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (v["id"].as_i64().expect("id"), secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_receiver_gets_three_signed_attempts_with_one_id_and_the_log_shows_them() {
    for db in TestDb::all("webhook_retries").await {
        add_users(&db, STAFF).await;
        let server = Server::start_configured(&db, fast_local()).await;
        let http = client();
        let base = &server.base;
        let [admin, reporter] = sign_in_all(&http, base, ["admin", "reporter"]).await;
        let receiver = Receiver::start(&[500, 500]).await;
        let (hook, secret) =
            add_endpoint(&http, base, &admin, &receiver.url, &["article.published"]).await;
        let workflow = Receiver::start(&[]).await;
        let (_, workflow_secret) = add_endpoint(
            &http,
            base,
            &admin,
            &workflow.url,
            &["article.submitted", "article.approved"],
        )
        .await;

        // Only admins manage endpoints.
        let (s, _) = get_auth(&http, &format!("{base}/api/v1/webhooks"), &reporter).await;
        assert_eq!(s, 403);
        let (s, v) = post_json(
            &http,
            &format!("{base}/api/v1/webhooks"),
            Some(&admin),
            json!({"url": receiver.url, "events": ["article.deleted"]}),
        )
        .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["error"]["details"]["field"], "events", "{v}");

        let id = publish(&http, base, "推送重试测试稿件").await;
        // 500, 500, then 200: three attempts, far quicker than the real schedule here.
        let published = receiver
            .wait_for("article.published", 3, Duration::from_secs(20))
            .await;
        let body = published[2].json();
        assert_eq!(body["data"]["id"], id);
        assert_eq!(body["data"]["article"]["title"], "推送重试测试稿件");
        assert!(
            body["data"]["article"]["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("http")),
            "{body}"
        );
        let msg_id = published[0].id.clone();
        assert!(msg_id.starts_with("msg_"), "{msg_id}");
        assert!(
            published
                .iter()
                .all(|r| r.id == msg_id && r.body == published[0].body),
            "every attempt carries the same webhook-id and body"
        );
        // One submission and three approvals (初审, 复审, 终审), each once, not yet public.
        let submitted = workflow
            .wait_for("article.submitted", 1, Duration::from_secs(10))
            .await;
        workflow
            .wait_for("article.approved", 3, Duration::from_secs(10))
            .await;
        assert!(
            submitted[0].json()["data"]["article"].is_null(),
            "not public yet"
        );
        assert_eq!(submitted[0].json()["data"]["status"], "submitted");

        let deliveries = format!("{base}/api/v1/webhooks/{hook}/deliveries");
        // The receiver has had the third attempt; the sender records its answer just after.
        common::eventually("the retried delivery is recorded as delivered", || async {
            get_auth(&http, &deliveries, &admin).await.1[0]["state"] == "delivered"
        })
        .await;
        let (s, log) = get_auth(&http, &deliveries, &admin).await;
        assert_eq!(s, 200, "{log}");
        let log = log.as_array().expect("deliveries").clone();
        assert_eq!(log.len(), 1, "one delivery per event: {log:?}");
        let retried = &log[0];
        assert_eq!(retried["state"], "delivered", "{retried}");
        assert_eq!(retried["msg_id"], msg_id.as_str());
        let codes: Vec<i64> = retried["attempts"]
            .as_array()
            .expect("attempts")
            .iter()
            .map(|a| a["status_code"].as_i64().unwrap_or(0))
            .collect();
        assert_eq!(codes, [500, 500, 200], "{retried}");
        let msg_id = msg_id.as_str();

        // Replay sends the same message again, same id.
        let (s, v) = post_json(
            &http,
            &format!(
                "{base}/api/v1/webhooks/{hook}/deliveries/{}/replay",
                retried["id"]
            ),
            Some(&admin),
            json!({}),
        )
        .await;
        assert_eq!(s, 202, "{v}");
        let start = Instant::now();
        while receiver.got().iter().filter(|r| r.id == msg_id).count() < 4 {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the replay never came"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        verify_with_reference_library(&secret, &receiver.got());
        verify_with_reference_library(&workflow_secret, &workflow.got());

        // The endpoint's page shows the log.
        let page = http
            .get(format!("{base}/newsroom/webhooks/{hook}"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(page.contains("已送达") && page.contains(msg_id), "{page}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_answering_410_is_disabled_and_private_targets_need_permission() {
    for db in TestDb::all("webhook_gone_and_private").await {
        add_users(&db, STAFF).await;
        let strict = Server::start(&db, false).await;
        let http = client();
        let admin = sign_in(&http, &strict.base, "admin").await;
        let receiver = Receiver::start(&[410]).await;
        // Without RONGMEI_WEBHOOK_ALLOW_PRIVATE a loopback receiver is refused, saying why.
        let (s, v) = post_json(
            &http,
            &format!("{}/api/v1/webhooks", strict.base),
            Some(&admin),
            json!({"url": receiver.url, "events": ["article.published"]}),
        )
        .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["error"]["details"]["field"], "url", "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("RONGMEI_WEBHOOK_ALLOW_PRIVATE")),
            "{v}"
        );
        strict.stop().await;

        let server = Server::start_configured(&db, fast_local()).await;
        let admin = sign_in(&http, &server.base, "admin").await;
        let (hook, _) = add_endpoint(
            &http,
            &server.base,
            &admin,
            &receiver.url,
            &["article.published"],
        )
        .await;
        publish(&http, &server.base, "推送停用测试稿件").await;
        receiver
            .wait_for("article.published", 1, Duration::from_secs(10))
            .await;
        let start = Instant::now();
        loop {
            let (_, ep) = get_auth(
                &http,
                &format!("{}/api/v1/webhooks/{hook}", server.base),
                &admin,
            )
            .await;
            if !ep["disabled_at"].is_null() {
                assert!(
                    ep["disabled_reason"]
                        .as_str()
                        .is_some_and(|r| r.contains("410"))
                );
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "not disabled: {ep}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(receiver.got().len(), 1, "410 is not retried");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn publishing_on_one_of_two_nodes_delivers_once_within_five_seconds() {
    for db in TestDb::all("webhook_two_nodes").await {
        add_users(&db, STAFF).await;
        let a = Server::start_configured(&db, fast_local()).await;
        let b = Server::start_configured(&db, fast_local()).await;
        let http = client();
        let admin = sign_in(&http, &b.base, "admin").await;
        let receiver = Receiver::start(&[]).await;
        let (_, secret) = add_endpoint(
            &http,
            &b.base,
            &admin,
            &receiver.url,
            &["article.published"],
        )
        .await;
        let id = publish(&http, &a.base, "双节点推送测试稿件").await;
        let published = Instant::now();
        let got = receiver
            .wait_for("article.published", 1, Duration::from_secs(5))
            .await;
        println!(
            "{}: delivered {:?} after publishing",
            db.label,
            got[0].at.duration_since(published)
        );
        // Both nodes keep dispatching; nothing more may come.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let got = receiver.of_type("article.published");
        assert_eq!(got.len(), 1, "{}: exactly one delivery", db.label);
        assert_eq!(got[0].json()["data"]["id"], id);
        verify_with_reference_library(&secret, &got);
        a.stop().await;
        b.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admins_manage_endpoints_on_the_newsroom_page() {
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let server = Server::start_configured(&db, fast_local()).await;
    let http = client();
    let base = &server.base;
    let [admin, chief] = sign_in_all(&http, base, ["admin", "chief"]).await;
    let form = |token: &str, url: &str, body: &[(&str, &str)]| {
        http.post(format!("{base}{url}"))
            .bearer_auth(token)
            .form(body)
            .send()
    };
    // Only admins see the page.
    let resp = http
        .get(format!("{base}/newsroom/webhooks"))
        .bearer_auth(&chief)
        .send()
        .await
        .expect("page");
    assert_eq!(resp.status(), 403);

    // A bad address is refused on the page, in Chinese, keeping what was typed.
    let resp = form(
        &admin,
        "/newsroom/webhooks",
        &[
            ("url", "ftp://example.com/x"),
            ("event", "article.published"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.expect("html");
    assert!(html.contains("只能发送到 http 或 https 地址") && html.contains("ftp://example.com/x"));

    let receiver = Receiver::start(&[]).await;
    let resp = form(
        &admin,
        "/newsroom/webhooks",
        &[
            ("url", receiver.url.as_str()),
            ("event", "article.published"),
            ("event", "article.retracted"),
        ],
    )
    .await
    .expect("post");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.expect("html");
    assert!(
        html.contains("密钥只显示这一次") && html.contains("whsec_"),
        "{html}"
    );
    let (_, list) = get_auth(&http, &format!("{base}/api/v1/webhooks"), &admin).await;
    let hook = list[0]["id"].as_i64().expect("id");
    assert_eq!(
        list[0]["events"],
        json!(["article.published", "article.retracted"])
    );
    assert!(
        list[0].get("secret").is_none(),
        "the secret is never listed"
    );

    // Disable, rotate, delete: each button answers with the page and a notice.
    let page = format!("/newsroom/webhooks/{hook}/actions");
    let html = form(&admin, &page, &[("action", "disable")])
        .await
        .expect("disable")
        .text()
        .await
        .expect("html");
    assert!(html.contains("已停用"), "{html}");
    let html = form(&admin, &page, &[("action", "rotate")])
        .await
        .expect("rotate")
        .text()
        .await
        .expect("html");
    assert!(html.contains("已更换密钥") && html.contains("whsec_"));
    let resp = form(&admin, &page, &[("action", "delete")])
        .await
        .expect("delete");
    assert_eq!(resp.status(), 303);
    let (_, list) = get_auth(&http, &format!("{base}/api/v1/webhooks"), &admin).await;
    assert_eq!(list, json!([]));
    server.stop().await;
}

//! Two people acting on one article at the same moment, through two nodes of one site: exactly
//! one of them succeeds and the other is told that someone acted first (409), every time.

use rongmei_store::testing::TestDb;
use serde_json::json;

mod common;

use common::{STAFF, Server, act, act_with, add_users, client, get_auth, post_json, sign_in_all};

const ROUNDS: usize = 15;

async fn submitted_draft(http: &reqwest::Client, base: &str, reporter: &str, n: usize) -> i64 {
    let (status, v) = post_json(
        http,
        &format!("{base}/api/v1/articles"),
        Some(reporter),
        json!({"title": format!("并发审核 {n}"), "column": "news", "body": "<p>正文。</p>"}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_i64().expect("id");
    let (status, v) = act(http, base, reporter, id, "submit", None).await;
    assert_eq!(status, 200, "{v}");
    id
}

/// An action on an article seen as submitted (待初审).
async fn decide(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
    action: &str,
    comment: Option<&str>,
) -> (u16, serde_json::Value) {
    let body = json!({"action": action, "comment": comment, "status": "submitted"});
    act_with(http, base, token, id, body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_reviewers_acting_at_once_get_one_success_and_one_409() {
    for db in TestDb::all("two_reviewers_acting_at_once").await {
        add_users(&db, STAFF).await;
        let a = Server::start(&db, false).await;
        let b = Server::start(&db, false).await;
        let http = client();
        let [reporter, r1, both] = sign_in_all(&http, &a.base, ["reporter", "r1", "both"]).await;
        for round in 0..ROUNDS {
            let id = submitted_draft(&http, &a.base, &reporter, round).await;
            // Both hold 初审; one approves while the other approves (or sends back) on the
            // other node.
            let second = if round % 2 == 0 { "approve" } else { "reject" };
            let comment = (second == "reject").then_some("请补充信息来源");
            // Each says which state it decided on, as the newsroom's pages do.
            let (first, other) = tokio::join!(
                decide(&http, &a.base, &r1, id, "approve", None),
                decide(&http, &b.base, &both, id, second, comment),
            );
            let mut statuses = [first.0, other.0];
            statuses.sort_unstable();
            assert_eq!(
                statuses,
                [200, 409],
                "{} round {round}: {} / {}",
                db.label,
                first.1,
                other.1
            );
            let refused = if first.0 == 409 { &first.1 } else { &other.1 };
            assert_eq!(refused["error"]["code"], "conflict", "{refused}");

            // The audit log holds the one action that happened, not two.
            let (status, log) = get_auth(
                &http,
                &format!("{}/api/v1/audit?article={id}", a.base),
                &reporter,
            )
            .await;
            assert_eq!(status, 200, "{log}");
            let reviews = log
                .as_array()
                .map(|lines| {
                    lines
                        .iter()
                        .filter(|l| l["what"] == "approve" || l["what"] == "reject")
                        .count()
                })
                .unwrap_or(0);
            assert_eq!(reviews, 1, "{} round {round}: {log}", db.label);
        }
        a.stop().await;
        b.stop().await;
        db.cleanup().await;
    }
}

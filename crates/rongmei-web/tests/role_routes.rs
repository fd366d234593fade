//! Who may open what, read from the route table itself: every newsroom and admin page and
//! every API read that takes a session, opened by each role. Each answers the roles [`READS`]
//! allows and refuses (403) every other; a page or read added to the route table without a
//! row here fails the test.

use std::collections::{BTreeMap, BTreeSet};

use rongmei_store::testing::TestDb;
use serde_json::json;

mod common;

use common::{STAFF, Server, add_users, client, post_json, seed_and_demo, sign_in_all};

/// The roles, by the test account that holds each alone.
const ROLES: [&str; 5] = ["reporter", "r1", "r2", "chief", "admin"];

/// Each read that needs a session, with the roles it answers (the others get 403), for the
/// published seed article: the analytics are open to the whole newsroom (README), the whole
/// audit log (`/api/v1/audit` without `article=`) to chiefs and admins, 人物与机构 to its
/// curators, accounts, dictionaries' page and webhooks to admins.
const READS: &[(&str, &str)] = &[
    ("/admin/analytics", "reporter r1 r2 chief admin"),
    (
        "/admin/analytics/articles/{id}",
        "reporter r1 r2 chief admin",
    ),
    ("/admin/analytics/views.csv", "reporter r1 r2 chief admin"),
    (
        "/api/v1/articles/{id}/renderings/wechat",
        "reporter r1 r2 chief admin",
    ),
    (
        "/api/v1/articles/{id}/renderings/weibo",
        "reporter r1 r2 chief admin",
    ),
    (
        "/api/v1/articles/{id}/revisions",
        "reporter r1 r2 chief admin",
    ),
    ("/api/v1/audit", "chief admin"),
    ("/api/v1/dictionaries/{name}", "reporter r1 r2 chief admin"),
    ("/api/v1/newsroom/articles", "reporter r1 r2 chief admin"),
    (
        "/api/v1/newsroom/articles/{id}",
        "reporter r1 r2 chief admin",
    ),
    ("/api/v1/session", "reporter r1 r2 chief admin"),
    ("/api/v1/users", "admin"),
    ("/api/v1/webhooks", "admin"),
    ("/api/v1/webhooks/{id}", "admin"),
    ("/api/v1/webhooks/{id}/deliveries", "admin"),
    ("/newsroom", "reporter r1 r2 chief admin"),
    ("/newsroom/api", "reporter r1 r2 chief admin"),
    ("/newsroom/articles/new", "reporter r1 r2 chief admin"),
    ("/newsroom/articles/{id}", "reporter r1 r2 chief admin"),
    (
        "/newsroom/articles/{id}/channels",
        "reporter r1 r2 chief admin",
    ),
    ("/newsroom/articles/{id}/edit", "chief"),
    ("/newsroom/articles/{id}/entities", "r1 r2 chief admin"),
    (
        "/newsroom/articles/{id}/history",
        "reporter r1 r2 chief admin",
    ),
    (
        "/newsroom/articles/{id}/preview",
        "reporter r1 r2 chief admin",
    ),
    ("/newsroom/audit", "reporter r1 r2 chief admin"),
    ("/newsroom/dictionaries", "admin"),
    ("/newsroom/password", "reporter r1 r2 chief admin"),
    ("/newsroom/queue", "reporter r1 r2 chief admin"),
    ("/newsroom/specials", "chief admin"),
    ("/newsroom/users", "admin"),
    ("/newsroom/webhooks", "admin"),
    ("/newsroom/webhooks/{id}", "admin"),
];

/// Newsroom reads anyone may open: the sign-in page and the editor's script.
const OPEN: &[&str] = &["/newsroom/login", "/newsroom/editor.js"];

/// The GET routes of `src/routes.rs` under /newsroom and /admin.
fn page_reads() -> BTreeSet<String> {
    common::page_routes()
        .into_iter()
        .filter(|(path, methods)| {
            methods.contains(&"get")
                && (path.starts_with("/newsroom") || path.starts_with("/admin"))
                && !OPEN.contains(&path.as_str())
        })
        .map(|(path, _)| path)
        .collect()
}

/// The API's reads that take a session, from the served description.
fn api_reads(description: &serde_json::Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, ops) in description["paths"].as_object().into_iter().flatten() {
        let secured = ops["get"]["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        if secured {
            out.insert(path.clone());
        }
    }
    out
}

/// A route with its parameters filled: `{id}` is the webhook on webhook routes, else the
/// published seed article.
fn concrete(path: &str, article: i64, hook: i64) -> String {
    let id = if path.contains("/webhooks/") {
        hook
    } else {
        article
    };
    path.replace("{id}", &id.to_string())
        .replace("{name}", "sensitive")
}

#[tokio::test]
async fn each_role_opens_exactly_the_pages_and_reads_the_table_gives_it() {
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let article = seed_and_demo(&db).await;
    // A webhook to look at, kept on this machine (never sent: nothing is published meanwhile).
    let srv = Server::start_configured(
        &db,
        rongmei_app::Overrides {
            webhook_allow_private: Some(true),
            ..rongmei_app::Overrides::default()
        },
    )
    .await;
    let http = client();
    let b = srv.base.clone();

    let description = common::get_json(&http, format!("{b}/api/openapi.json")).await;
    let mut found = page_reads();
    found.extend(api_reads(&description));
    let listed: BTreeSet<String> = READS.iter().map(|(p, _)| p.to_string()).collect();
    common::assert_table_is_the_route_table(&found, &listed, "READS");

    let tokens = sign_in_all(&http, &b, ROLES).await;
    let admin = &tokens[4];
    let (s, hook) = post_json(
        &http,
        &format!("{b}/api/v1/webhooks"),
        Some(admin),
        json!({"url": "http://127.0.0.1:9/hook", "events": ["article.published"]}),
    )
    .await;
    assert!(s == 201 || s == 200, "create a webhook: {s} {hook}");
    let hook = hook["id"].as_i64().expect("webhook id");

    let mut seen: BTreeMap<String, Vec<(&str, u16)>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (path, allowed) in READS {
        let url = format!("{b}{}", concrete(path, article, hook));
        for (role, token) in ROLES.iter().zip(&tokens) {
            let resp = http
                .get(&url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            let status = resp.status().as_u16();
            seen.entry(path.to_string())
                .or_default()
                .push((role, status));
            let may = allowed.split(' ').any(|r| r == *role);
            let ok = if may { status == 200 } else { status == 403 };
            if !ok {
                wrong.push(format!(
                    "{path} as {role}: {status}, want {}",
                    if may { 200 } else { 403 }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n\nseen:\n{}",
        wrong.join("\n"),
        seen.iter()
            .map(|(p, v)| format!("{p}: {v:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );

    // A draft's names come with sentences of its text: they stay with those who may read the
    // draft (its author is no curator; 初审 may not read a draft; the chief may).
    let (s, draft) = post_json(
        &http,
        &format!("{b}/api/v1/articles"),
        Some(&tokens[0]),
        json!({"title": "草稿：成进校长讲话", "column": "news", "body": "<p>成进校长出席会议。</p>"}),
    )
    .await;
    assert_eq!(s, 201, "{draft}");
    let url = format!("{b}/newsroom/articles/{}/entities", draft["id"]);
    for (token, want) in [(&tokens[0], 403), (&tokens[1], 403), (&tokens[3], 200)] {
        let status = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
            .status();
        assert_eq!(status.as_u16(), want, "{url}");
    }
    srv.stop().await;
}

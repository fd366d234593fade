//! Every write a newsroom session cookie can make, read from the route table itself: the API's
//! operations from the OpenAPI description the router is built from, the newsroom's forms from
//! `src/routes.rs`. Each is refused (403) without the session's CSRF token and from another
//! site's origin, and goes through with both (it may then fail for its own reasons, never for
//! CSRF). A write route added to the table but not to [`WRITES`] fails this test, so nobody adds
//! one without deciding how it is protected.

use std::collections::BTreeSet;

use rongmei_store::testing::TestDb;

mod common;

use common::{STAFF, Server, add_users, client, cookie_of, csrf_of};

/// The cookie-authenticated writes, as `METHOD path` in the route table's own spelling.
const WRITES: &[&str] = &[
    "DELETE /api/v1/session",
    "DELETE /api/v1/specials/{slug}",
    "DELETE /api/v1/webhooks/{id}",
    "PATCH /api/v1/users/{id}",
    "PATCH /api/v1/webhooks/{id}",
    "POST /api/v1/articles",
    "POST /api/v1/articles/{id}/actions",
    "POST /api/v1/articles/{id}/comments",
    "POST /api/v1/articles/{id}/entities",
    "POST /api/v1/checks",
    "POST /api/v1/entities",
    "POST /api/v1/me/password",
    "POST /api/v1/media",
    "POST /api/v1/sanitize",
    "POST /api/v1/users",
    "POST /api/v1/webhooks",
    "POST /api/v1/webhooks/{id}/deliveries/{delivery}/replay",
    "POST /api/v1/webhooks/{id}/secret",
    "POST /newsroom/articles",
    "POST /newsroom/articles/{id}/actions",
    "POST /newsroom/articles/{id}/comments",
    "POST /newsroom/articles/{id}/edit",
    "POST /newsroom/articles/{id}/entities",
    "POST /newsroom/articles/{id}/images",
    "POST /newsroom/dictionaries/{name}",
    "POST /newsroom/entities",
    "POST /newsroom/logout",
    "POST /newsroom/password",
    "POST /newsroom/specials",
    "POST /newsroom/users",
    "POST /newsroom/users/{id}",
    "POST /newsroom/webhooks",
    "POST /newsroom/webhooks/{id}/actions",
    "PUT /api/v1/articles/{id}",
    "PUT /api/v1/dictionaries/{name}",
    "PUT /api/v1/specials/{slug}",
];

/// Writes that need no session (sign-in and the public view counter): not behind the token.
const WITHOUT_SESSION: &[&str] = &[
    "POST /api/v1/session",
    "POST /api/v1/articles/{id}/views",
    "POST /newsroom/login",
];

/// The API's writes that a session cookie may make, from the served OpenAPI description.
fn api_writes(description: &serde_json::Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(paths) = description["paths"].as_object() else {
        panic!("the description has paths");
    };
    for (path, ops) in paths {
        for (method, op) in ops.as_object().into_iter().flatten() {
            if !matches!(method.as_str(), "post" | "put" | "patch" | "delete") {
                continue;
            }
            let write = format!("{} {path}", method.to_uppercase());
            let by_cookie = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("session_cookie").is_some()));
            assert!(
                by_cookie || WITHOUT_SESSION.contains(&write.as_str()),
                "{write} takes neither the session cookie nor is it a known write without one"
            );
            if by_cookie {
                out.insert(write);
            }
        }
    }
    out
}

/// The non-API write routes of `src/routes.rs`, as `METHOD path`.
fn form_writes() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, methods) in common::page_routes() {
        for m in methods.into_iter().filter(|m| *m != "get") {
            let write = format!("{} {path}", m.to_uppercase());
            if !WITHOUT_SESSION.contains(&write.as_str()) {
                out.insert(write);
            }
        }
    }
    out
}

/// A concrete URL for a route: path parameters filled with values that name nothing, so that a
/// write let through acts on nothing (404), except where the parameter is a fixed word.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{name}" => "sensitive",
            "{slug}" => "no-such-special",
            s if s.starts_with('{') => "999999",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn send(
    http: &reqwest::Client,
    base: &str,
    write: &str,
    cookie: &str,
    csrf: Option<&str>,
    origin: Option<&str>,
) -> (u16, String) {
    let (method, path) = write.split_once(' ').expect("METHOD path");
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = http
        .request(method, format!("{base}{}", concrete(path)))
        .header("cookie", cookie);
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req = if path.starts_with("/api/") {
        if let Some(t) = csrf {
            req = req.header("x-csrf-token", t);
        }
        req.header("content-type", "application/json").body("{}")
    } else {
        let body = csrf.map_or(String::from("x=1"), |t| format!("csrf={t}&x=1"));
        req.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// Whether a refusal is the CSRF guard's (its messages, in JSON or on an HTML error page).
fn refused_by_guard(status: u16, body: &str) -> bool {
    status == 403 && (body.contains("安全令牌（CSRF）") || body.contains("拒绝来自其他网站的请求"))
}

#[tokio::test]
async fn every_cookie_write_in_the_route_table_needs_the_csrf_token_and_this_site() {
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let srv = Server::start(&db, false).await;
    let http = client();
    let b = srv.base.clone();

    let description: serde_json::Value =
        common::get_json(&http, format!("{b}/api/openapi.json")).await;
    let mut found = api_writes(&description);
    found.extend(form_writes());
    let listed: BTreeSet<String> = WRITES.iter().map(|w| w.to_string()).collect();
    common::assert_table_is_the_route_table(&found, &listed, "WRITES");

    // An admin's session, signed in through the form as a person would.
    let cookie = cookie_of(&http, &b, "admin").await;
    let page = http
        .get(format!("{b}/newsroom/password"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("a form page")
        .text()
        .await
        .expect("html");
    let csrf = csrf_of(&page);

    for write in WRITES {
        let (s, body) = send(&http, &b, write, &cookie, None, None).await;
        assert!(
            refused_by_guard(s, &body),
            "{write} without the token: {s} {body}"
        );
        let (s, body) = send(
            &http,
            &b,
            write,
            &cookie,
            Some("0".repeat(64).as_str()),
            None,
        )
        .await;
        assert!(
            refused_by_guard(s, &body),
            "{write} with a wrong token: {s} {body}"
        );
        let evil = Some("https://evil.example");
        let (s, body) = send(&http, &b, write, &cookie, Some(&csrf), evil).await;
        assert!(
            refused_by_guard(s, &body),
            "{write} from another site: {s} {body}"
        );
    }
    // With the token, from this site, each passes the guard (and answers for itself: mostly
    // 404 for the made-up ids, 422 for the empty bodies). Signing out goes last.
    let (last, first): (Vec<&str>, Vec<&str>) = WRITES
        .iter()
        .partition(|w| w.ends_with("/session") || w.ends_with("/logout"));
    for write in first.into_iter().chain(last) {
        let (s, body) = send(&http, &b, write, &cookie, Some(&csrf), None).await;
        assert!(
            !refused_by_guard(s, &body) && s != 401,
            "{write} with the token: {s} {body}"
        );
    }
    srv.stop().await;
}

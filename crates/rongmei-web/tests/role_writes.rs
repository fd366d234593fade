//! Who may change what, read from the route table itself: every write a session can make (the
//! API's from the OpenAPI description, the newsroom's forms from `src/routes.rs`) is sent by each
//! role with a valid session cookie and CSRF token. The roles [`ROWS`] allows get it done (2xx or
//! 3xx; 404 where the body names nothing); every other role gets 403 and leaves everything as it
//! was: the audit log, accounts, webhooks, specials, dictionaries, the article concerned and the
//! media folder read the same after. A write route added to the table without a row here fails
//! the test.

use std::collections::BTreeSet;
use std::time::Instant;

use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{PASSWORD, STAFF, Server, act, add_users, client, post_json, seed_and_demo};

/// The roles, by the test account that holds each alone.
const ROLES: [&str; 5] = ["reporter", "r1", "r2", "chief", "admin"];
const ALL: &str = "reporter r1 r2 chief admin";
const CURATORS: &str = "r1 r2 chief admin";

/// What a write acts on. Articles are written by `reporter2`, so that no role tested is their
/// author; `New…` targets are made anew for the refused roles and for each role allowed, since the
/// write uses them up.
#[derive(Clone, Copy, Debug, PartialEq)]
enum On {
    /// No article, special, webhook or account (or a fixed one: the dictionary `sensitive`).
    Nothing,
    /// An article waiting for 初审.
    Submitted,
    /// A published article.
    Published,
    /// A fresh article waiting for 初审: the write is 通过 (approve).
    NewSubmitted,
    /// A fresh article past 终审: the write is 发布 (publish).
    NewApproved,
    /// A fresh published article: the write is 撤稿 (retract).
    NewPublished,
    /// The special `role-test`, saved again before each use.
    Special,
    /// A webhook endpoint.
    Webhook,
    /// A fresh webhook endpoint for each role allowed.
    NewWebhook,
    /// The account `subject` (a reporter).
    Account,
    /// The session itself, signed in afresh for each role (signing out ends it).
    OwnSession,
}

impl On {
    fn is_article(self) -> bool {
        matches!(
            self,
            On::Submitted | On::Published | On::NewSubmitted | On::NewApproved | On::NewPublished
        )
    }
}

/// Each write a session can make, as `METHOD path` in the route table's spelling, with what it
/// acts on and the roles that may make it there. A write whose answer depends on the article's
/// state has a row per state. Accounts, dictionaries and webhooks are for admins; specials for
/// chiefs and admins; curation of names for reviewers, chiefs and admins who may read the
/// article; the workflow decides the rest (README, 采编审发).
#[rustfmt::skip]
const ROWS: &[(&str, On, &str)] = &[
    ("DELETE /api/v1/session",                                  On::OwnSession,   ALL),
    ("DELETE /api/v1/specials/{slug}",                          On::Special,      "chief admin"),
    ("DELETE /api/v1/webhooks/{id}",                            On::NewWebhook,   "admin"),
    ("PATCH /api/v1/users/{id}",                                On::Account,      "admin"),
    ("PATCH /api/v1/webhooks/{id}",                             On::Webhook,      "admin"),
    ("POST /api/v1/articles",                                   On::Nothing,      ALL),
    ("POST /api/v1/articles/{id}/actions",                      On::NewSubmitted, "r1"),
    ("POST /api/v1/articles/{id}/actions",                      On::NewApproved,  "chief"),
    ("POST /api/v1/articles/{id}/actions",                      On::NewPublished, "chief admin"),
    ("POST /api/v1/articles/{id}/comments",                     On::Submitted,    "r1 chief admin"),
    ("POST /api/v1/articles/{id}/comments",                     On::Published,    ALL),
    ("POST /api/v1/articles/{id}/entities",                     On::Submitted,    "r1 chief admin"),
    ("POST /api/v1/articles/{id}/entities",                     On::Published,    CURATORS),
    ("POST /api/v1/checks",                                     On::Nothing,      ALL),
    ("POST /api/v1/entities",                                   On::Nothing,      CURATORS),
    ("POST /api/v1/me/password",                                On::Nothing,      ALL),
    ("POST /api/v1/media",                                      On::Nothing,      ALL),
    ("POST /api/v1/sanitize",                                   On::Nothing,      ALL),
    ("POST /api/v1/users",                                      On::Nothing,      "admin"),
    ("POST /api/v1/webhooks",                                   On::Nothing,      "admin"),
    ("POST /api/v1/webhooks/{id}/deliveries/{delivery}/replay", On::Webhook,      "admin"),
    ("POST /api/v1/webhooks/{id}/secret",                       On::Webhook,      "admin"),
    ("POST /newsroom/articles",                                 On::Nothing,      ALL),
    ("POST /newsroom/articles/{id}/actions",                    On::NewSubmitted, "r1"),
    ("POST /newsroom/articles/{id}/actions",                    On::NewApproved,  "chief"),
    ("POST /newsroom/articles/{id}/actions",                    On::NewPublished, "chief admin"),
    ("POST /newsroom/articles/{id}/comments",                   On::Submitted,    "r1 chief admin"),
    ("POST /newsroom/articles/{id}/comments",                   On::Published,    ALL),
    ("POST /newsroom/articles/{id}/edit",                       On::Submitted,    "r1"),
    ("POST /newsroom/articles/{id}/edit",                       On::Published,    "chief"),
    ("POST /newsroom/articles/{id}/entities",                   On::Submitted,    "r1 chief admin"),
    ("POST /newsroom/articles/{id}/entities",                   On::Published,    CURATORS),
    ("POST /newsroom/articles/{id}/images",                     On::Submitted,    "r1"),
    ("POST /newsroom/articles/{id}/images",                     On::Published,    "chief"),
    ("POST /newsroom/dictionaries/{name}",                      On::Nothing,      "admin"),
    ("POST /newsroom/entities",                                 On::Nothing,      CURATORS),
    ("POST /newsroom/logout",                                   On::OwnSession,   ALL),
    ("POST /newsroom/password",                                 On::Nothing,      ALL),
    ("POST /newsroom/specials",                                 On::Special,      "chief admin"),
    ("POST /newsroom/users",                                    On::Nothing,      "admin"),
    ("POST /newsroom/users/{id}",                               On::Account,      "admin"),
    ("POST /newsroom/webhooks",                                 On::Nothing,      "admin"),
    ("POST /newsroom/webhooks/{id}/actions",                    On::Webhook,      "admin"),
    ("PUT /api/v1/articles/{id}",                               On::Submitted,    "r1"),
    ("PUT /api/v1/articles/{id}",                               On::Published,    "chief"),
    ("PUT /api/v1/dictionaries/{name}",                         On::Nothing,      "admin"),
    ("PUT /api/v1/specials/{slug}",                             On::Special,      "chief admin"),
];

/// Writes whose body names nothing that exists (an entity, a webhook delivery): the roles
/// allowed get 404, after the role was checked.
const NAMES_NOTHING: &[&str] = &[
    "POST /api/v1/entities",
    "POST /newsroom/entities",
    "POST /api/v1/webhooks/{id}/deliveries/{delivery}/replay",
];

/// Writes that need no session: signing in and the public view counter.
const WITHOUT_SESSION: &[&str] = &[
    "POST /api/v1/session",
    "POST /newsroom/login",
    "POST /api/v1/articles/{id}/views",
];

/// Every write route of the table that takes a session: the API's secured operations from the
/// served description, the newsroom's non-GET routes from `src/routes.rs`.
fn session_writes(description: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, ops) in description["paths"].as_object().into_iter().flatten() {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if matches!(method.as_str(), "post" | "put" | "patch" | "delete") && secured {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    for (path, methods) in common::page_routes() {
        for m in methods.into_iter().filter(|m| *m != "get") {
            out.insert(format!("{} {path}", m.to_uppercase()));
        }
    }
    out.retain(|w| !WITHOUT_SESSION.contains(&w.as_str()));
    out
}

/// A signed-in member as a browser holds it: the cookie and the session's CSRF token (and the
/// same session's token, for the bearer calls that set up the fixtures).
struct Member {
    cookie: String,
    csrf: String,
    token: String,
}

async fn member(http: &reqwest::Client, base: &str, login: &str) -> Member {
    let resp = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), 200, "sign in as {login}");
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("cookie pair")
        .to_string();
    let v: Value = resp.json().await.expect("JSON");
    Member {
        cookie,
        csrf: v["csrf_token"].as_str().expect("csrf_token").to_string(),
        token: v["token"].as_str().expect("token").to_string(),
    }
}

/// The running server with its accounts: each role's session, the author of the fixtures and an
/// admin who only looks (`watcher`).
struct Desk {
    http: reqwest::Client,
    b: String,
    roles: Vec<Member>,
    author: String,
    watcher: String,
    seed: i64,
    subject: i64,
    dictionary: String,
    /// The server's media folder: a refused upload leaves no file in it.
    media: std::path::PathBuf,
    submitted: i64,
    published: i64,
    hook: i64,
}

impl Desk {
    fn token_of(&self, role: &str) -> &str {
        let i = ROLES.iter().position(|r| *r == role).expect("a role");
        &self.roles[i].token
    }

    /// A new article by `reporter2`, taken `steps` steps along submit, three approvals, publish.
    async fn article(&self, steps: usize) -> i64 {
        let (s, v) = post_json(
            &self.http,
            &format!("{}/api/v1/articles", self.b),
            Some(&self.author),
            json!({"title": "校运会开幕", "column": "news", "body": "<p>第五十届校运会今天开幕。</p>"}),
        )
        .await;
        assert_eq!(s, 201, "create an article: {v}");
        let id = v["id"].as_i64().expect("id");
        let path = [
            (self.author.as_str(), "submit"),
            (self.token_of("r1"), "approve"),
            (self.token_of("r2"), "approve"),
            (self.token_of("chief"), "approve"),
            (self.token_of("chief"), "publish"),
        ];
        for (token, action) in path.into_iter().take(steps) {
            let (s, v) = act(&self.http, &self.b, token, id, action, None).await;
            assert_eq!(s, 200, "{action}: {v}");
        }
        id
    }

    async fn webhook(&self) -> i64 {
        // An event nothing in this test causes: no delivery is ever queued.
        let (s, v) = post_json(
            &self.http,
            &format!("{}/api/v1/webhooks", self.b),
            Some(&self.watcher),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["article.scheduled"]}),
        )
        .await;
        assert_eq!(s, 201, "create a webhook: {v}");
        v["id"].as_i64().expect("webhook id")
    }

    /// The id that fills the row's `{id}`, made ready.
    async fn prepare(&self, on: On) -> i64 {
        match on {
            On::Nothing | On::OwnSession => 0,
            On::Submitted => self.submitted,
            On::Published => self.published,
            On::NewSubmitted => self.article(1).await,
            On::NewApproved => self.article(4).await,
            On::NewPublished => self.article(5).await,
            On::Webhook => self.hook,
            On::NewWebhook => self.webhook().await,
            On::Account => self.subject,
            On::Special => {
                let (s, v) = common::put_json(
                    &self.http,
                    &format!("{}/api/v1/specials/role-test", self.b),
                    &self.watcher,
                    json!({"name": "角色测试专题", "articles": [self.seed]}),
                )
                .await;
                assert_eq!(s, 204, "save the special: {v}");
                0
            }
        }
    }

    /// Everything a refused write could have changed, as the watching admin reads it: each
    /// read with its status and body.
    async fn fingerprint(&self, on: On, id: i64) -> Vec<(String, String)> {
        let mut reads = vec![
            "/api/v1/audit?limit=50".to_string(),
            "/api/v1/users".into(),
            "/api/v1/webhooks".into(),
            "/api/v1/specials".into(),
            "/api/v1/dictionaries/sensitive".into(),
            "/api/v1/dictionaries/expressions".into(),
        ];
        if on.is_article() {
            reads.push(format!("/api/v1/newsroom/articles/{id}"));
            reads.push(format!("/api/v1/articles/{id}/revisions"));
        }
        let mut out = vec![("media files".to_string(), files_in(&self.media).to_string())];
        for path in reads {
            let resp = self
                .http
                .get(format!("{}{path}", self.b))
                .bearer_auth(&self.watcher)
                .send()
                .await
                .expect("request");
            let status = resp.status();
            let body = resp.text().await.expect("body");
            out.push((path, format!("{status} {body}")));
        }
        out
    }
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .fold(0, |n, e| {
            let path = e.path();
            n + if path.is_dir() { files_in(&path) } else { 1 }
        })
}

/// A small PNG of its own for each upload (files are named by their content).
fn png(n: usize) -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| match (x, y) {
        (0, 0) => image::Rgb([(n % 256) as u8, (n / 256) as u8, 255]),
        _ => image::Rgb([x as u8 * 6, y as u8 * 8, 120]),
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

/// The reads that differ, each from where it starts to differ.
fn changes(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    before
        .iter()
        .zip(after)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((path, a), (_, b))| {
            let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
            let from = at.saturating_sub(40);
            let cut = |s: &str| s.chars().skip(from).take(200).collect::<String>();
            format!("  {path}: …{} → …{}", cut(a), cut(b))
        })
        .collect()
}

/// A request body as the newsroom's pages or an API client send it.
enum Body {
    Empty,
    Json(Value),
    Text(String),
    Form(Vec<(&'static str, String)>),
    Upload(usize),
}

/// The write's body: one that goes through for a role allowed (`n` makes new logins unique).
fn body_of(write: &str, on: On, desk: &Desk, n: usize) -> Body {
    let form = |fields: &[(&'static str, &str)]| {
        Body::Form(fields.iter().map(|(k, v)| (*k, v.to_string())).collect())
    };
    let login = format!("new{n}");
    let (action, reason) = match on {
        On::NewSubmitted => ("approve", ""),
        On::NewApproved => ("publish", ""),
        _ => ("retract", "数据有误，撤下核实"),
    };
    let article = json!({"title": "新稿件", "column": "news", "body": "<p>正文。</p>"});
    let special = json!({"name": "角色测试专题", "articles": [desk.seed]});
    let seed = desk.seed.to_string();
    let hook = "http://127.0.0.1:9/hook";
    match write {
        "DELETE /api/v1/session"
        | "DELETE /api/v1/specials/{slug}"
        | "DELETE /api/v1/webhooks/{id}"
        | "POST /api/v1/webhooks/{id}/secret"
        | "POST /api/v1/webhooks/{id}/deliveries/{delivery}/replay" => Body::Empty,
        "POST /newsroom/logout" => form(&[]),
        "PATCH /api/v1/webhooks/{id}" => Body::Json(json!({"enabled": true})),
        "PUT /api/v1/specials/{slug}" => Body::Json(special),
        "POST /newsroom/specials" => form(&[
            ("slug", "role-test"),
            ("name", "角色测试专题"),
            ("articles", &seed),
        ]),
        "PATCH /api/v1/users/{id}" => Body::Json(json!({"role": "reporter"})),
        "POST /newsroom/users/{id}" => form(&[("role", "reporter")]),
        "POST /api/v1/users" => {
            Body::Json(json!({"login": login, "role": "reporter", "password": PASSWORD}))
        }
        "POST /newsroom/users" => form(&[
            ("login", &login),
            ("role", "reporter"),
            ("password", PASSWORD),
        ]),
        "POST /api/v1/articles" | "PUT /api/v1/articles/{id}" => Body::Json(article),
        "POST /newsroom/articles" | "POST /newsroom/articles/{id}/edit" => form(&[
            ("title", "新稿件"),
            ("column", "news"),
            ("body", "<p>正文。</p>"),
        ]),
        "POST /api/v1/articles/{id}/actions" => {
            Body::Json(json!({"action": action, "comment": reason}))
        }
        "POST /newsroom/articles/{id}/actions" => form(&[("action", action), ("comment", reason)]),
        "POST /api/v1/articles/{id}/comments" => Body::Json(json!({"comment": "请核实数据。"})),
        "POST /newsroom/articles/{id}/comments" => form(&[("comment", "请核实数据。")]),
        "POST /api/v1/articles/{id}/entities" => Body::Json(
            json!({"kind": "person", "name": "王小明", "action": "add", "roles": "通讯员"}),
        ),
        "POST /newsroom/articles/{id}/entities" => form(&[
            ("kind", "person"),
            ("name", "王小明"),
            ("action", "add"),
            ("roles", "通讯员"),
        ]),
        "POST /api/v1/entities" => Body::Json(
            json!({"kind": "person", "name": "无此人甲", "action": "rename", "to": "无此人乙"}),
        ),
        "POST /newsroom/entities" => form(&[
            ("kind", "person"),
            ("name", "无此人甲"),
            ("action", "rename"),
            ("to", "无此人乙"),
        ]),
        "POST /api/v1/checks" => Body::Json(json!({"title": "标题", "body": "<p>其它</p>"})),
        "POST /api/v1/sanitize" => Body::Json(json!({"html": "<p>粘贴<b>内容</b></p>"})),
        "POST /api/v1/media" | "POST /newsroom/articles/{id}/images" => Body::Upload(n),
        "POST /api/v1/me/password" => Body::Json(json!({"current": PASSWORD, "new": PASSWORD})),
        "POST /newsroom/password" => form(&[
            ("current", PASSWORD),
            ("new", PASSWORD),
            ("confirm", PASSWORD),
        ]),
        "POST /api/v1/webhooks" => {
            Body::Json(json!({"url": hook, "events": ["article.scheduled"]}))
        }
        "POST /newsroom/webhooks" => form(&[("url", hook), ("event", "article.scheduled")]),
        "POST /newsroom/webhooks/{id}/actions" => form(&[("action", "rotate")]),
        "PUT /api/v1/dictionaries/{name}" => Body::Text(desk.dictionary.clone()),
        "POST /newsroom/dictionaries/{name}" => form(&[("text", &desk.dictionary)]),
        other => panic!("no body for {other}: add one to body_of"),
    }
}

/// The route with its parameters filled for the target.
fn concrete(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
        .replace("{slug}", "role-test")
        .replace("{name}", "sensitive")
        .replace("{delivery}", "999999")
}

/// Sends a write with the member's cookie and CSRF token as the newsroom would: the header on
/// API calls, the form field on forms, `?csrf=` on a form's upload.
async fn send(desk: &Desk, m: &Member, write: &str, id: i64, body: Body) -> (u16, String) {
    let (method, path) = write.split_once(' ').expect("METHOD path");
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let api = path.starts_with("/api/");
    let mut url = format!("{}{}", desk.b, concrete(path, id));
    if !api && matches!(body, Body::Upload(_)) {
        url = format!("{url}?csrf={}", m.csrf);
    }
    let mut req = desk.http.request(method, url).header("cookie", &m.cookie);
    if api {
        req = req.header("x-csrf-token", &m.csrf);
    }
    req = match body {
        Body::Empty => req,
        Body::Json(v) => req.json(&v),
        Body::Text(t) => req.header("content-type", "text/plain").body(t),
        Body::Form(mut fields) => {
            fields.push(("csrf", m.csrf.clone()));
            req.form(&fields)
        }
        Body::Upload(n) => req.multipart(
            reqwest::multipart::Form::new()
                .text("caption", "运动员入场")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png(n)).file_name("photo.png"),
                ),
        ),
    };
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    // A form's answer to a session it does not know is the sign-in page: never "done".
    let to_sign_in = resp
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.contains("/newsroom/login"));
    let text = resp.text().await.unwrap_or_default();
    if to_sign_in && write != "POST /newsroom/logout" {
        return (401, format!("sent to sign in: {text}"));
    }
    (status, text)
}

/// A refusal by the CSRF guard, not by the role: the test itself would be wrong.
fn by_guard(body: &str) -> bool {
    body.contains("安全令牌（CSRF）") || body.contains("拒绝来自其他网站的请求")
}

/// One row: the roles refused first (403, nothing changed), then each role allowed.
async fn check_row(desk: &Desk, row: usize, wrong: &mut Vec<String>) -> String {
    let (write, on, allowed) = ROWS[row];
    let may = |role: &str| allowed.split(' ').any(|r| r == role);
    let mut seen = Vec::new();
    let refused: Vec<usize> = (0..ROLES.len()).filter(|i| !may(ROLES[*i])).collect();
    if !refused.is_empty() {
        let id = desk.prepare(on).await;
        let before = desk.fingerprint(on, id).await;
        for &i in &refused {
            let body = body_of(write, on, desk, row * 10 + i);
            let (s, text) = send(desk, &desk.roles[i], write, id, body).await;
            seen.push(format!("{}={s}", ROLES[i]));
            if s != 403 || by_guard(&text) {
                let text: String = text.chars().take(300).collect();
                wrong.push(format!(
                    "{write} ({on:?}) as {}: {s}, want 403: {text}",
                    ROLES[i]
                ));
            }
        }
        let after = desk.fingerprint(on, id).await;
        let changed = changes(&before, &after);
        if !changed.is_empty() {
            wrong.push(format!(
                "{write} ({on:?}): a refused write changed\n{}",
                changed.join("\n")
            ));
        }
    }
    for i in (0..ROLES.len()).filter(|i| may(ROLES[*i])) {
        // Shared targets come back as they are; used-up ones are made anew.
        let id = desk.prepare(on).await;
        let fresh;
        let m = if on == On::OwnSession {
            fresh = member(&desk.http, &desk.b, ROLES[i]).await;
            &fresh
        } else {
            &desk.roles[i]
        };
        let body = body_of(write, on, desk, row * 10 + i);
        let (s, text) = send(desk, m, write, id, body).await;
        seen.push(format!("{}={s}", ROLES[i]));
        let ok = if NAMES_NOTHING.contains(&write) {
            s == 404
        } else {
            (200..400).contains(&s)
        };
        if !ok {
            let text: String = text.chars().take(300).collect();
            wrong.push(format!(
                "{write} ({on:?}) as {}: {s}, want it done: {text}",
                ROLES[i]
            ));
        }
    }
    format!("{write} ({on:?}): {}", seen.join(" "))
}

#[tokio::test]
async fn each_role_makes_exactly_the_writes_the_table_gives_it() {
    for db in TestDb::all("role_writes").await {
        let started = Instant::now();
        add_users(&db, STAFF).await;
        add_users(&db, &[("watcher", "admin"), ("subject", "reporter")]).await;
        let seed = seed_and_demo(&db).await;
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
        let found = session_writes(&description);
        let listed: BTreeSet<String> = ROWS.iter().map(|(w, _, _)| w.to_string()).collect();
        common::assert_table_is_the_route_table(&found, &listed, "ROWS");

        let mut roles = Vec::new();
        for role in ROLES {
            roles.push(member(&http, &b, role).await);
        }
        let author = member(&http, &b, "reporter2").await.token;
        let watcher = member(&http, &b, "watcher").await.token;
        let (_, users) = common::get_auth(&http, &format!("{b}/api/v1/users"), &watcher).await;
        let subject = users
            .as_array()
            .into_iter()
            .flatten()
            .find(|u| u["login"] == "subject")
            .and_then(|u| u["id"].as_i64())
            .expect("the subject's id");
        let dictionary = http
            .get(format!("{b}/api/v1/dictionaries/sensitive"))
            .bearer_auth(&watcher)
            .send()
            .await
            .expect("dictionary")
            .text()
            .await
            .expect("text");
        let mut desk = Desk {
            http,
            b,
            roles,
            author,
            watcher,
            seed,
            subject,
            dictionary,
            media: srv.data_dir().join("media"),
            submitted: 0,
            published: 0,
            hook: 0,
        };
        desk.submitted = desk.article(1).await;
        desk.published = desk.article(5).await;
        desk.hook = desk.webhook().await;

        let mut wrong = Vec::new();
        let mut seen = Vec::new();
        for row in 0..ROWS.len() {
            seen.push(check_row(&desk, row, &mut wrong).await);
        }
        assert!(
            wrong.is_empty(),
            "{} ({}):\n{}\n\nseen:\n{}",
            db.label,
            wrong.len(),
            wrong.join("\n"),
            seen.join("\n")
        );
        eprintln!(
            "{}\n{}: {} writes, {} rows × {} roles in {:.1?}",
            seen.join("\n"),
            db.label,
            listed.len(),
            ROWS.len(),
            ROLES.len(),
            started.elapsed()
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

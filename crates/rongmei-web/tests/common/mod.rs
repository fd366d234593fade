//! A real server on a free loopback port, over a test database, with its own data folder.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rongmei_app::{Actor, App, Config, Overrides};
use rongmei_store::testing::TestDb;
use rongmei_web::AppState;

pub const SEED: &str = include_str!("../../../../fixtures/seed/000_110ea0537603b210.txt");
pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const DEMO: &str = include_str!("../../../../fixtures/demo/demo.jsonl");

#[allow(unused_imports)] // not every test binary checks an outside tool
pub use rongmei_testkit::tool_missing;

pub struct Server {
    pub base: String,
    _data: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(db: &TestDb, trust_proxy: bool) -> Server {
        Server::start_with(db, trust_proxy, None).await
    }

    /// A server whose configured base URL is `base_url` (the default: its own address).
    pub async fn start_with(db: &TestDb, trust_proxy: bool, base_url: Option<&str>) -> Server {
        Server::start_configured(
            db,
            Overrides {
                trust_proxy: Some(trust_proxy),
                base_url: base_url.map(str::to_string),
                ..Overrides::default()
            },
        )
        .await
    }

    /// A server with these settings besides its own data folder, address and admin token.
    pub async fn start_configured(db: &TestDb, settings: Overrides) -> Server {
        let store = db.store().await.expect("store");
        let data = tempfile::tempdir().expect("data dir");
        let cfg = rongmei_search::SearchConfig {
            index_dir: settings
                .data
                .clone()
                .unwrap_or_else(|| data.path().to_path_buf())
                .join("index"),
            user_dict: None,
            aliases: None,
        };
        let index = Arc::new(rongmei_search::SearchIndex::open(&cfg).expect("search index"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let config = Config::with(&Overrides {
            data: Some(
                settings
                    .data
                    .clone()
                    .unwrap_or_else(|| data.path().to_path_buf()),
            ),
            listen: Some(listener.local_addr().expect("local addr").to_string()),
            admin_token: Some(ADMIN_TOKEN.to_string()),
            ..settings
        })
        .expect("config");
        let app = App::open(config, store, index).await.expect("app");
        let state = AppState::new(app);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(rongmei_web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        // Like a balancer, tests wait for readiness (index built and caught up) before asking.
        let http = reqwest::Client::new();
        let started = std::time::Instant::now();
        loop {
            let ready = http
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server never became ready"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Server {
            base,
            _data: data,
            stop: Some(tx),
            task,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self._data.path()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

/// Imports the seed and the demo articles; returns the seed's id.
pub async fn seed_and_demo(db: &TestDb) -> i64 {
    let store = db.store().await.expect("store");
    let mut all = vec![rongmei_import::parse_txt(Path::new("seed.txt"), SEED).expect("seed")];
    let demo = rongmei_import::parse_jsonl(Path::new("demo.jsonl"), DEMO).expect("demo");
    all.extend(demo.into_iter().map(|r| r.article));
    store.import(&all, &|_| {}).await.expect("import");
    let page = store.published(None, 1, 100).await.expect("listing");
    let id = page
        .items
        .iter()
        .find(|a| a.title.starts_with("【主题教育】西安交大党委宣传部"))
        .expect("seed listed")
        .id;
    store.close().await;
    id
}

/// GET and parse JSON, whatever the status (error bodies are JSON too).
pub async fn get_json(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> serde_json::Value {
    http.get(url)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body")
}

/// Polls `check` until it holds, failing after 30 s: for what a server does in the background
/// (indexing, deliveries, flushes), instead of a sleep that is too short on a busy machine.
pub async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what}: not within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `GET /api/v1/search?q=query`, which must answer 200.
pub async fn search(http: &reqwest::Client, base: &str, query: &str) -> serde_json::Value {
    let resp = http
        .get(format!("{base}/api/v1/search"))
        .query(&[("q", query)])
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 200, "{query}");
    resp.json().await.expect("JSON body")
}

pub async fn get_text(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    http.get(url)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("text body")
}

pub const PASSWORD: &str = "correct horse battery";

/// Newsroom accounts for tests, created as `rongmei user add` would; each gets [`PASSWORD`].
pub async fn add_users(db: &TestDb, users: &[(&str, &str)]) {
    let store = db.store().await.expect("store");
    for (login, roles) in users {
        let input = rongmei_app::accounts::users::UserInput {
            login: login.to_string(),
            name: None,
            role: roles.to_string(),
            password: PASSWORD.to_string(),
        };
        rongmei_app::accounts::users::add_user(&store, &Actor::command_line(), &input)
            .await
            .expect("create account");
    }
    store.close().await;
}

/// Signs in over the API and returns the bearer token.
pub async fn sign_in(http: &reqwest::Client, base: &str, login: &str) -> String {
    let resp = http
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), 200, "sign in as {login}");
    let v: serde_json::Value = resp.json().await.expect("JSON");
    v["token"].as_str().expect("token").to_string()
}

/// Signs in each login in turn; the tokens in the same order.
pub async fn sign_in_all<const N: usize>(
    http: &reqwest::Client,
    base: &str,
    logins: [&str; N],
) -> [String; N] {
    let mut tokens = Vec::with_capacity(N);
    for login in logins {
        tokens.push(sign_in(http, base, login).await);
    }
    tokens.try_into().expect("one token per login")
}

/// POSTs JSON with a bearer token; returns the status and the JSON body (Null when empty).
pub async fn post_json(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut req = http.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    status_and_json(req).await
}

pub async fn put_json(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    status_and_json(http.put(url).bearer_auth(token).json(&body)).await
}

pub async fn get_auth(http: &reqwest::Client, url: &str, token: &str) -> (u16, serde_json::Value) {
    status_and_json(http.get(url).bearer_auth(token)).await
}

/// Sends a request; returns the status and the JSON body (Null when empty or not JSON).
pub async fn status_and_json(req: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// Runs one workflow action and returns (status, body).
pub async fn act(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
    action: &str,
    comment: Option<&str>,
) -> (u16, serde_json::Value) {
    act_with(
        http,
        base,
        token,
        id,
        serde_json::json!({"action": action, "comment": comment}),
    )
    .await
}

/// Posts a workflow action's whole JSON body (with `status`, say) and returns (status, body).
pub async fn act_with(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    post_json(
        http,
        &format!("{base}/api/v1/articles/{id}/actions"),
        Some(token),
        body,
    )
    .await
}

/// Signs in through the newsroom's form, as a person does; returns the session cookie.
pub async fn cookie_of(http: &reqwest::Client, base: &str, login: &str) -> String {
    let resp = http
        .post(format!("{base}/newsroom/login"))
        .form(&[("login", login), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), 303, "sign in as {login}");
    resp.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("cookie pair")
        .to_string()
}

/// A test's table of routes (`table`, named `name`) must hold exactly the routes the server has
/// (`found`): a route added without a row, or a row left for a route gone, fails the test.
pub fn assert_table_is_the_route_table(
    found: &std::collections::BTreeSet<String>,
    table: &std::collections::BTreeSet<String>,
    name: &str,
) {
    let missing: Vec<&String> = found.difference(table).collect();
    assert!(
        missing.is_empty(),
        "routes missing from {name}: add them with who may use them: {missing:?}"
    );
    let gone: Vec<&String> = table.difference(found).collect();
    assert!(
        gone.is_empty(),
        "{name} lists routes the route table no longer has: {gone:?}"
    );
}

/// The CSRF token from a newsroom page's form.
pub fn csrf_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("input[name=csrf]").expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("a csrf field")
        .to_string()
}

/// Takes a draft of STAFF's `reporter` through submission, the three reviews (初审, 复审, 终审)
/// and publication, each step by the account whose role it needs.
pub async fn review_and_publish(http: &reqwest::Client, base: &str, id: i64) {
    for (login, action) in [
        ("reporter", "submit"),
        ("r1", "approve"),
        ("r2", "approve"),
        ("chief", "approve"),
        ("chief", "publish"),
    ] {
        let token = sign_in(http, base, login).await;
        let (s, v) = act(http, base, &token, id, action, None).await;
        assert_eq!(s, 200, "{login} {action}: {v}");
    }
}

/// PATCHes JSON with a bearer token; returns the status and the JSON body (Null when empty).
pub async fn patch_json(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    status_and_json(http.patch(url).bearer_auth(token).json(&body)).await
}

/// A small real PNG, encoded by the image crate the media store decodes with.
pub fn png_bytes() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

/// Uploads a picture as `token` through `POST /api/v1/media`; gives the address to show it at.
pub async fn upload_image(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    bytes: Vec<u8>,
) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("photo.png"),
    );
    let image: serde_json::Value = http
        .post(format!("{base}/api/v1/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    image["url"].as_str().expect("url").to_string()
}

/// An HTTP client that shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub const STAFF: &[(&str, &str)] = &[
    ("reporter", "reporter"),
    ("reporter2", "reporter"),
    ("r1", "reviewer1"),
    ("r2", "reviewer2"),
    ("both", "reviewer1,reviewer2"),
    ("chief", "chief"),
    ("admin", "admin"),
];

/// The routes `src/routes.rs` adds outside the API, as (path, methods), read from its source:
/// each `.route("path", get(…).post(…))`, methods in lower case.
pub fn page_routes() -> Vec<(String, Vec<&'static str>)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes.rs"))
        .expect("read src/routes.rs");
    let mut out = Vec::new();
    let mut rest = source.as_str();
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        // The call's arguments, up to its closing parenthesis.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let args = &rest[..end];
        let Some(path) = args.split('"').nth(1) else {
            continue;
        };
        let methods = ["get", "post", "put", "patch", "delete"]
            .into_iter()
            .filter(|m| {
                // `post(` called on its own or chained (`get(…).post(`), not `repost(`.
                args.match_indices(&format!("{m}(")).any(|(i, _)| {
                    i == 0 || !args[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
            .collect();
        out.push((path.to_string(), methods));
    }
    out
}

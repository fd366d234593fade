//! The newsroom in a real browser: Debian's headless Chromium driven through chromedriver over
//! WebDriver (fantoccini). One scenario, all through the pages a person uses: a reporter writes
//! an article in the rich editor (heading from the toolbar, an uploaded picture), a first
//! reviewer rejects it with a comment, the reporter reads the comment, edits and resubmits, the
//! two reviewers and the chief approve, the chief publishes; the public page shows the heading
//! and the picture, and the site search finds it.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`apt-get install chromium
//! chromium-driver`); without them the test says so and passes.
//!
//! Artifacts: a screenshot after each step (`01-login.png`, `02-editor.png`, …), the browser's
//! console log (`console.log`) and chromedriver's own log (`chromedriver.log`) are kept in
//! `browser-artifacts/` in the cargo target folder: `$CARGO_TARGET_DIR/browser-artifacts` when
//! `CARGO_TARGET_DIR` is set, else `<workspace>/target/browser-artifacts`. A failing run also
//! leaves `failure.png` and `failure.html` there.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{PASSWORD, Server, add_users, seed_and_demo};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any one expected thing (an element, a page, a loaded picture) may take to appear.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

const TITLE: &str = "【校园】浏览器验收：融媒体中心新编辑器开始试运行";
/// A word of the title that no other article has, for the site search.
const SEARCH_WORD: &str = "浏览器验收";
const COLUMN: &str = "学术科研";
const HEADING: &str = "编辑器能做什么";
const PARA1: &str = "本报讯 融媒体中心今天启用新的稿件编辑器，记者可以直接在网页上排版。";
const PARA2: &str = "编辑器支持小标题、加粗、链接和图片，粘贴的内容由服务器统一清理。";
const EDIT: &str = "试运行时间为六月一日至六月三十日。";
const REJECT_COMMENT: &str = "请补充试运行的起止时间。";

/// Where screenshots and logs go: `<target dir>/browser-artifacts`. `CARGO_TARGET_TMPDIR` is
/// `<target dir>/tmp` for integration tests, whether or not `CARGO_TARGET_DIR` is set.
fn artifacts_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp.parent().unwrap_or(tmp);
    target.join("browser-artifacts")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// chromedriver, started on a free loopback port; its WebDriver session is deleted and the
/// process killed when this is dropped, whatever happened in between.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
}

impl Driver {
    async fn start(log: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child,
            port,
            session: None,
        };
        // Ready when /status says so.
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(r) = http.get(format!("{}/status", driver.url())).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready on port {port}"
            );
            tokio::time::sleep(POLL).await;
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Deletes the session with a plain blocking request: Drop cannot await.
    fn delete_session(&mut self) {
        let Some(id) = self.session.take() else {
            return;
        };
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = s.set_read_timeout(Some(WAIT));
        let _ = s.set_write_timeout(Some(WAIT));
        let req = format!(
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            self.port
        );
        if s.write_all(req.as_bytes()).is_ok() {
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.delete_session();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn capabilities() -> serde_json::Map<String, Value> {
    let caps = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "timeouts": {"pageLoad": 30_000, "script": 10_000, "implicit": 0},
        "goog:loggingPrefs": {"browser": "ALL"},
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,1600",
                "--lang=zh-CN",
            ],
        },
    });
    match caps {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// A PNG picture for the upload: a small gradient, big enough not to be a tracking pixel.
fn write_png(dir: &Path) -> PathBuf {
    let img = image::RgbImage::from_fn(240, 160, |x, y| {
        image::Rgb([(x % 256) as u8, (y * 3 % 256) as u8, 140])
    });
    let path = dir.join("试运行现场.png");
    img.save(&path).expect("write the test PNG");
    path
}

/// The browser, its artifacts and the site under test.
struct Browser {
    c: Client,
    base: String,
    driver_url: String,
    session: String,
    artifacts: PathBuf,
    shots: usize,
    console: Vec<String>,
}

impl Browser {
    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn goto(&self, path: &str) {
        self.c
            .goto(&self.at(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn path(&self) -> String {
        let u = self.c.current_url().await.expect("current URL");
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// The first element matching `css`, once it is there (up to [`WAIT`]).
    async fn wait_css(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await {
                return e;
            }
            if Instant::now() > deadline {
                panic!("no element {css:?} on {} after {WAIT:?}", self.path().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The first element matching `css` once it is shown (the rich editor starts hidden).
    async fn wait_visible(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.c.find(Locator::Css(css)).await
                && e.is_displayed().await.unwrap_or(false)
            {
                return e;
            }
            if Instant::now() > deadline {
                panic!(
                    "element {css:?} not shown on {} after {WAIT:?}",
                    self.path().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the page's path (with query) satisfies `ok`, and returns it.
    async fn wait_path(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let p = self.path().await;
            if ok(&p) {
                return p;
            }
            if Instant::now() > deadline {
                panic!("expected {what}, still on {p} after {WAIT:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs `script` (which must `return` a boolean) until it says true.
    async fn wait_js(&self, what: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Value::Bool(true)) = self.c.execute(script, vec![]).await {
                return;
            }
            if Instant::now() > deadline {
                panic!("{what}: not true after {WAIT:?} on {}", self.path().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        self.wait_css(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    async fn click(&self, css: &str) {
        let el = self.wait_visible(css).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// A screenshot named `NN-name.png`, checked to be a real, non-empty PNG; the browser's
    /// console is collected at the same time.
    async fn shot(&mut self, name: &str) {
        self.shots += 1;
        let png = self.c.screenshot().await.expect("screenshot");
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "screenshot {name} is not a PNG"
        );
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("screenshot {name} does not decode: {e}"));
        assert!(
            img.width() > 0 && img.height() > 0,
            "screenshot {name} is empty"
        );
        let file = self.artifacts.join(format!("{:02}-{name}.png", self.shots));
        std::fs::write(&file, &png).expect("write screenshot");
        self.collect_console(name).await;
    }

    /// Pulls the browser console (chromedriver's `se/log` extension) and fails on any
    /// script error; network errors other than the missing favicon fail too.
    async fn collect_console(&mut self, step: &str) {
        let url = format!("{}/session/{}/se/log", self.driver_url, self.session);
        let Ok(resp) = reqwest::Client::new()
            .post(url)
            .json(&json!({"type": "browser"}))
            .send()
            .await
        else {
            return;
        };
        let Ok(v) = resp.json::<Value>().await else {
            return;
        };
        let mut bad = Vec::new();
        for e in v["value"].as_array().into_iter().flatten() {
            let level = e["level"].as_str().unwrap_or("");
            let msg = e["message"].as_str().unwrap_or("");
            self.console.push(format!("[{step}] {level} {msg}"));
            if level == "SEVERE" && !msg.contains("favicon.ico") {
                bad.push(msg.to_string());
            }
        }
        let _ = std::fs::write(self.artifacts.join("console.log"), self.console.join("\n"));
        assert!(bad.is_empty(), "browser console errors at {step}: {bad:#?}");
    }

    async fn login(&mut self, login: &str, step: &str) {
        self.goto("/newsroom/login").await;
        self.wait_css("input[name=login]")
            .await
            .send_keys(login)
            .await
            .expect("type login");
        self.wait_css("input[name=password]")
            .await
            .send_keys(PASSWORD)
            .await
            .expect("type password");
        self.click("#login-submit").await;
        self.wait_path("the dashboard after signing in", |p| p == "/newsroom")
            .await;
        let who = self.text(".nr-nav .who").await;
        assert!(
            !who.is_empty(),
            "signed in as {login}: the nav names nobody"
        );
        self.shot(step).await;
    }

    /// Signs out with the nav's 退出 button.
    async fn logout(&self) {
        self.click(".nr-nav form[action='/newsroom/logout'] button")
            .await;
        self.wait_path("the sign-in page after 退出", |p| {
            p.starts_with("/newsroom/login")
        })
        .await;
    }

    async fn open_article(&self, id: i64) {
        self.goto(&format!("/newsroom/articles/{id}")).await;
        self.wait_css("#status").await;
    }

    /// Submits the workflow form `#action-{action}` (with an optional comment) and waits for
    /// the redirect that reports the new state.
    async fn act(&mut self, id: i64, action: &str, comment: Option<&str>, to: &str, step: &str) {
        self.open_article(id).await;
        let form = format!("#action-{action}");
        self.wait_css(&form).await;
        if let Some(c) = comment {
            self.wait_visible(&format!("{form} textarea[name=comment]"))
                .await
                .send_keys(c)
                .await
                .expect("type the comment");
        }
        self.click(&format!("{form} button[type=submit]")).await;
        let want = format!("/newsroom/articles/{id}?done={to}");
        let p = self
            .wait_path(&format!("{action} to lead to {to}"), |p| p == want)
            .await;
        assert_eq!(p, want);
        self.wait_css("#notice").await;
        let status = self.c.find(Locator::Css("#status")).await.expect("status");
        assert!(
            !status.text().await.expect("status text").is_empty(),
            "status shown"
        );
        self.shot(step).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newsroom_in_a_real_browser() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        println!(
            "browser test skipped: chromium/chromedriver not installed (apt-get install chromium chromium-driver)"
        );
        return;
    }
    let started = Instant::now();
    let artifacts = artifacts_dir();
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    for entry in std::fs::read_dir(&artifacts)
        .expect("read artifacts dir")
        .flatten()
    {
        let _ = std::fs::remove_file(entry.path());
    }

    let db = TestDb::sqlite().await;
    seed_and_demo(&db).await;
    add_users(
        &db,
        &[
            ("reporter", "reporter"),
            ("r1", "reviewer1"),
            ("r2", "reviewer2"),
            ("chief", "chief"),
        ],
    )
    .await;
    let srv = Server::start(&db, false).await;
    let files = tempfile::tempdir().expect("temp dir");
    let png = write_png(files.path());

    let mut driver = Driver::start(&artifacts.join("chromedriver.log")).await;
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(capabilities());
    let client = builder
        .connect(&driver.url())
        .await
        .expect("a WebDriver session with headless Chromium");
    let session = client
        .session_id()
        .await
        .expect("session id")
        .expect("a session id");
    driver.session = Some(session.clone());

    let browser = Browser {
        c: client.clone(),
        base: srv.base.clone(),
        driver_url: driver.url(),
        session,
        artifacts: artifacts.clone(),
        shots: 0,
        console: Vec::new(),
    };
    // The scenario runs as its own task so that a failed assertion still lets us save the page,
    // quit the browser and stop chromedriver before the failure is reported.
    let outcome = tokio::spawn(scenario(browser, png)).await;
    if outcome.is_err() {
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(artifacts.join("failure.png"), png);
        }
        if let Ok(html) = client.source().await {
            let _ = std::fs::write(artifacts.join("failure.html"), html);
        }
    }
    if client.close().await.is_ok() {
        driver.session = None;
    }
    drop(driver);
    srv.stop().await;
    db.cleanup().await;
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(p) => std::panic::resume_unwind(p),
            Err(e) => panic!("browser scenario did not finish: {e}"),
        }
    }
    println!(
        "browser test passed in {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        artifacts.display()
    );
}

async fn scenario(mut b: Browser, png: PathBuf) {
    // 1. The reporter signs in and writes the article in the rich editor.
    b.login("reporter", "login").await;
    b.goto("/newsroom/articles/new").await;
    let rich = b.wait_visible("#rich").await;
    assert!(
        !b.wait_css("#body")
            .await
            .is_displayed()
            .await
            .expect("shown?"),
        "the plain textarea gives way to the rich editor once editor.js runs"
    );
    b.wait_css("#title")
        .await
        .send_keys(TITLE)
        .await
        .expect("type the title");
    b.wait_css("#column")
        .await
        .select_by_label(COLUMN)
        .await
        .expect("choose the column");
    rich.click().await.expect("focus the editor");
    rich.send_keys(HEADING).await.expect("type the heading");
    b.click("#tool-heading").await;
    b.wait_js(
        "the first line becomes a 小标题 (h2)",
        &format!(
            "var h = document.querySelector('#rich h2'); return !!h && h.textContent === {};",
            json!(HEADING)
        ),
    )
    .await;
    rich.send_keys(&Key::Enter.to_string())
        .await
        .expect("new line");
    b.click(".toolbar button[data-cmd=p]").await;
    rich.send_keys(&format!("{PARA1}{}{PARA2}", char::from(Key::Enter)))
        .await
        .expect("type the paragraphs");
    let input = b.wait_css("#image-input").await;
    input
        .send_keys(png.to_str().expect("UTF-8 path"))
        .await
        .expect("choose the picture");
    b.wait_css("#rich figure img").await;
    b.wait_js(
        "the uploaded picture shows in the editor",
        "var i = document.querySelector('#rich figure img'); \
         return !!i && i.getAttribute('src').indexOf('/media/') === 0 && i.complete && i.naturalWidth > 0;",
    )
    .await;
    let upload = b.text(".upload-status").await;
    assert_eq!(upload, "已插入图片");
    b.shot("editor").await;
    b.click("#save").await;
    let p = b
        .wait_path("the article's page after saving", |p| {
            p.starts_with("/newsroom/articles/") && !p.starts_with("/newsroom/articles/new")
        })
        .await;
    let id: i64 = p
        .trim_start_matches("/newsroom/articles/")
        .split(['?', '/', '#'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an article id in {p}"));
    b.wait_css("#notice").await;
    assert_eq!(b.text(".nr-article h1").await, TITLE);
    assert_eq!(b.text(".nr-body .body h2").await, HEADING);
    let body = b.text(".nr-body .body").await;
    assert!(body.contains(PARA1) && body.contains(PARA2), "{body}");
    b.wait_css(".nr-body .body img").await;
    b.shot("saved").await;

    // 2. The reporter submits.
    b.act(id, "submit", None, "submitted", "submitted").await;
    b.logout().await;

    // 3. The first reviewer rejects it with a comment.
    b.login("r1", "login-r1").await;
    b.act(id, "reject", Some(REJECT_COMMENT), "draft", "rejected")
        .await;
    b.logout().await;

    // 4. The reporter reads the comment, edits, saves and submits again.
    b.login("reporter", "login-reporter-again").await;
    b.open_article(id).await;
    let timeline = b.text("#timeline").await;
    assert!(
        timeline.contains(REJECT_COMMENT),
        "the rejection comment is in the timeline: {timeline}"
    );
    b.shot("comment-seen").await;
    b.click("#edit-link").await;
    b.wait_path("the editor", |p| {
        p == format!("/newsroom/articles/{id}/edit")
    })
    .await;
    b.wait_visible("#rich").await;
    b.wait_css("#rich h2").await;
    b.wait_css("#rich figure img").await;
    let para = b.wait_css("#rich p:nth-of-type(2)").await;
    assert_eq!(para.text().await.expect("paragraph text"), PARA2);
    para.click().await.expect("into the second paragraph");
    para.send_keys(&format!("{}{EDIT}", char::from(Key::End)))
        .await
        .expect("type the change");
    b.wait_js(
        "the change is in the editor",
        &format!(
            "return document.querySelector('#rich').textContent.indexOf({}) >= 0;",
            json!(EDIT)
        ),
    )
    .await;
    b.shot("edited").await;
    b.click("#save").await;
    b.wait_path("the article's page after saving the edit", |p| {
        p == format!("/newsroom/articles/{id}?saved=1")
    })
    .await;
    let body = b.text(".nr-body .body").await;
    assert!(body.contains(&format!("{PARA2}{EDIT}")), "{body}");
    b.act(id, "submit", None, "submitted", "resubmitted").await;
    b.logout().await;

    // 5. Three approvals and publication.
    b.login("r1", "login-r1-again").await;
    b.act(id, "approve", None, "first_passed", "first-approval")
        .await;
    b.logout().await;
    b.login("r2", "login-r2").await;
    b.act(id, "approve", None, "second_passed", "second-approval")
        .await;
    b.logout().await;
    b.login("chief", "login-chief").await;
    b.act(id, "approve", None, "approved", "final-approval")
        .await;
    b.act(id, "publish", None, "published", "published").await;
    b.wait_css("#public-link").await;
    b.logout().await;

    // 6. The public page.
    b.goto(&format!("/articles/{id}")).await;
    assert_eq!(b.text("h1.title").await, TITLE);
    assert_eq!(b.text(".body h2").await, HEADING);
    let body = b.text(".body").await;
    assert!(body.contains(PARA1), "{body}");
    assert!(body.contains(&format!("{PARA2}{EDIT}")), "{body}");
    let src = b
        .wait_css(".body img")
        .await
        .attr("src")
        .await
        .expect("img src")
        .unwrap_or_default();
    assert!(
        src.starts_with("/media/"),
        "picture served from /media/: {src}"
    );
    b.wait_js(
        "the picture loads on the public page",
        "var i = document.querySelector('.body img'); return !!i && i.complete && i.naturalWidth > 0;",
    )
    .await;
    b.shot("public").await;

    // 7. The site search (the header's search box) finds it; the index catches up within ~1 s.
    let q = b.wait_css("header form.search input[name=q]").await;
    q.send_keys(&format!("{SEARCH_WORD}{}", char::from(Key::Enter)))
        .await
        .expect("search");
    b.wait_path("the search page", |p| p.starts_with("/search?"))
        .await;
    let hit = format!("a.hit-title[href='/articles/{id}']");
    let deadline = Instant::now() + Duration::from_secs(5);
    while b.c.find(Locator::Css(&hit)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "search for {SEARCH_WORD} does not list article {id} after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        b.c.refresh().await.expect("reload the search");
    }
    b.shot("search").await;
}

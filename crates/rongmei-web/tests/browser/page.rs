//! The browser as the tests drive it: waiting for elements and pages, screenshots, the console,
//! signing in and workflow actions.

use std::path::PathBuf;
use std::time::Instant;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::common::PASSWORD;
use crate::screens::Screen;
use crate::{POLL, WAIT};

/// The browser, its artifacts and the site under test.
pub struct Browser {
    pub c: Client,
    pub base: String,
    pub driver_url: String,
    pub session: String,
    pub artifacts: PathBuf,
    pub shots: usize,
    pub console: Vec<String>,
    /// The emulated screen, once a test picked one; `None` is the window chromedriver opened.
    pub screen: Option<Screen>,
}

impl Browser {
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn goto(&self, path: &str) {
        self.c
            .goto(&self.at(path))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    pub async fn path(&self) -> String {
        let u = self.c.current_url().await.expect("current URL");
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// The first element matching `css`, once it is there (up to [`WAIT`]).
    pub async fn wait_css(&self, css: &str) -> Element {
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
    pub async fn wait_visible(&self, css: &str) -> Element {
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
    pub async fn wait_path(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
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
    pub async fn wait_js(&self, what: &str, script: &str) {
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

    pub async fn text(&self, css: &str) -> String {
        self.wait_css(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        let el = self.wait_visible(css).await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// A screenshot named `NN-name.png`, checked to be a real, non-empty PNG; the browser's
    /// console is collected at the same time.
    pub async fn shot(&mut self, name: &str) {
        self.shot_allowing(name, None).await;
    }

    /// [`Self::shot`] for a page whose console may report `allowed` (an expected refusal).
    pub async fn shot_allowing(&mut self, name: &str, allowed: Option<&str>) {
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
        self.collect_console(name, allowed).await;
    }

    /// Pulls the browser console (chromedriver's `se/log` extension) and fails on any
    /// script error; network errors other than the missing favicon fail too.
    pub async fn collect_console(&mut self, step: &str, allowed: Option<&str>) {
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
            if level == "SEVERE"
                && !msg.contains("favicon.ico")
                && !allowed.is_some_and(|a| msg.contains(a))
            {
                bad.push(msg.to_string());
            }
        }
        let _ = std::fs::write(self.artifacts.join("console.log"), self.console.join("\n"));
        assert!(bad.is_empty(), "browser console errors at {step}: {bad:#?}");
    }

    pub async fn login(&mut self, login: &str, step: &str) {
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
    pub async fn logout(&self) {
        self.click(".nr-nav form[action='/newsroom/logout'] button")
            .await;
        self.wait_path("the sign-in page after 退出", |p| {
            p.starts_with("/newsroom/login")
        })
        .await;
    }

    pub async fn open_article(&self, id: i64) {
        self.goto(&format!("/newsroom/articles/{id}")).await;
        self.wait_css("#status").await;
    }

    /// Submits the workflow form `#action-{action}` (with an optional comment) and waits for
    /// the redirect that reports the new state.
    pub async fn act(
        &mut self,
        id: i64,
        action: &str,
        comment: Option<&str>,
        to: &str,
        step: &str,
    ) {
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
        // A rejected article is its author's draft again, which nobody else may read: the
        // reviewer who sent it back lands on their queue, told so.
        if action == "reject" {
            let want = format!("/newsroom/queue?returned={id}");
            let p = self
                .wait_path(&format!("{action} to lead to the queue"), |p| p == want)
                .await;
            assert_eq!(p, want);
            self.wait_css("#notice").await;
            let notice = self.c.find(Locator::Css("#notice")).await.expect("notice");
            let text = notice.text().await.expect("notice text");
            assert!(text.contains("退回"), "after {action}: {text}");
            self.shot(step).await;
            return;
        }
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

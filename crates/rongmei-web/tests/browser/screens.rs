//! Pages at a given screen size, and what every newsroom page must get right there: nothing
//! wider than the screen, no table column squeezed to a character or two, status badges on one
//! line, and interface text in Chinese.

use serde_json::{Value, json};

use crate::page::Browser;

/// A screen as Chromium's device emulation shows pages: CSS pixels, one device pixel each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// Goes into screenshot names, so the files say which width they show.
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    /// A phone honours `<meta name="viewport">` and touch layout.
    pub mobile: bool,
}

/// An iPhone 12–15 in portrait.
pub const PHONE: Screen = Screen {
    name: "phone-390",
    width: 390,
    height: 844,
    mobile: true,
};

/// A common laptop.
pub const DESKTOP: Screen = Screen {
    name: "desktop-1366",
    width: 1366,
    height: 900,
    mobile: false,
};

/// Screenshots grow to the page's height up to this, so a phone's shot shows whole tables.
const MAX_SHOT_HEIGHT: u32 = 6000;

/// English words a newsroom page may show: the product's name, technical terms a newsroom uses
/// as they are, the test's logins (user names are data, not interface), and the keywords of the
/// dictionary file format that the admin types literally (`词语<Tab>block`).
const ALLOWED_WORDS: &[&str] = &[
    "Rongmei",
    "API",
    "JSON",
    "RSS",
    "URL",
    "CSV",
    "ID",
    "IP",
    "HTTP",
    "HTTPS",
    "HTML",
    "PNG",
    "JPEG",
    "GIF",
    "WebP",
    "reporter",
    "reviewer1",
    "reviewer2",
    "chief",
    "admin",
    "zhangsan",
    "Tab",
    "block",
    "warn",
    "allow",
];

/// What people wrote rather than what the interface says: titles, bodies, comments, logins and
/// names, dictionary words. Their language is the author's business.
const CONTENT: &str = ".title-cell, .nr-article > h1, .nr-body, #rich, #timeline blockquote, \
     #audit td[data-label='稿件'], #audit td[data-label='意见'], .hits td[data-label='词语'], \
     .hits td[data-label='上下文'], .hits td[data-label='建议'], #users td[data-label='用户名'], \
     #users td[data-label='姓名'], #attacked td[data-label='用户名'], .diff-inline, .diff-title, \
     table.diff, .diff-meta, #revisions td[data-label='标题'], h1 > a, .article .title, \
     .article .body, .article .tags, .prevnext, .ranked a, .column-title a, .hit, .list a, \
     #wechat-preview, .channel-meta dd, #weibo-text, #wechat-json pre, #weibo a, input[name=title]";

impl Browser {
    /// A Chrome DevTools command through chromedriver (`goog/cdp/execute`).
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let url = format!(
            "{}/session/{}/goog/cdp/execute",
            self.driver_url, self.session
        );
        let resp = reqwest::Client::new()
            .post(url)
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{cmd} failed: {status} {v}");
        v
    }

    async fn emulate(&self, s: Screen, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": s.width, "height": height, "deviceScaleFactor": 1, "mobile": s.mobile}),
        )
        .await;
    }

    /// Shows pages from now on as `s` shows them; the current page is laid out again.
    pub async fn use_screen(&mut self, s: Screen) {
        self.emulate(s, s.height).await;
        self.screen = Some(s);
        let w = self.js_i64("return window.innerWidth;").await;
        assert_eq!(
            w,
            i64::from(s.width),
            "the emulated {} is {w} px wide",
            s.name
        );
    }

    pub(crate) async fn js(&self, script: &str) -> Value {
        self.c
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    async fn js_i64(&self, script: &str) -> i64 {
        let v = self.js(script).await;
        v.as_i64()
            .or_else(|| v.as_f64().map(|f| f.round() as i64))
            .unwrap_or_else(|| panic!("a number from {script}, got {v}"))
    }

    /// A screenshot of the whole page (up to [`MAX_SHOT_HEIGHT`]) named for the screen:
    /// `NN-phone-390-users.png`.
    pub async fn screen_shot(&mut self, page: &str, allowed: Option<&str>) {
        let s = self.screen.expect("a screen chosen before screen_shot");
        let full = self
            .js_i64("return Math.ceil(document.documentElement.scrollHeight);")
            .await;
        let h = u32::try_from(full)
            .unwrap_or(s.height)
            .clamp(s.height, MAX_SHOT_HEIGHT);
        if h != s.height {
            self.emulate(s, h).await;
        }
        self.shot_allowing(&format!("{}-{page}", s.name), allowed)
            .await;
        if h != s.height {
            self.emulate(s, s.height).await;
        }
    }

    /// Every check a newsroom page must pass at the current screen, then its screenshot.
    pub async fn check_page(&mut self, page: &str) {
        self.check_page_allowing(page, None).await;
    }

    /// [`Self::check_page`] for a page that answers a refused form (its console reports the
    /// status, `allowed`).
    pub async fn check_page_allowing(&mut self, page: &str, allowed: Option<&str>) {
        let s = self.screen.expect("a screen chosen before check_page");
        let where_ = format!("{page} at {} ({})", s.name, self.path().await);
        // Web fonts are not used, but a page may still be laying out pictures.
        self.wait_js(
            &format!("{where_} has loaded"),
            "return document.readyState === 'complete';",
        )
        .await;

        let overflow = self
            .js(
                "var d = document.documentElement; \
                 return {scroll: d.scrollWidth, inner: window.innerWidth, \
                   wide: Array.prototype.filter.call(document.querySelectorAll('body *'), function (e) { \
                     var r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1 \
                       && !(e.parentElement && e.parentElement.closest('.table-scroll')); }).slice(0, 5).map(function (e) { \
                     return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).replace(/ +/g, '.') : ''); })};",
            )
            .await;
        let scroll = overflow["scroll"].as_i64().unwrap_or(i64::MAX);
        let inner = overflow["inner"].as_i64().unwrap_or(0);
        assert!(
            scroll <= inner + 1,
            "{where_}: the page scrolls sideways ({scroll} px of content in {inner} px); too wide: {}",
            overflow["wide"]
        );

        let narrow = self
            .js(
                "var out = []; \
                 document.querySelectorAll('td, th').forEach(function (c) { \
                   var r = c.getBoundingClientRect(); if (r.width === 0 || r.height === 0) return; \
                   var em = parseFloat(getComputedStyle(c).fontSize) || 16; \
                   if (r.width < 3 * em - 0.5) out.push({text: c.innerText.slice(0, 20), width: Math.round(r.width), em: em}); \
                 }); return out;",
            )
            .await;
        assert!(
            narrow.as_array().is_some_and(Vec::is_empty),
            "{where_}: table cells narrower than 3 em: {narrow}"
        );

        let badges = self
            .js(
                "var out = []; \
                 document.querySelectorAll('.status').forEach(function (b) { \
                   var rects = b.getClientRects(); if (rects.length === 0) return; \
                   var cs = getComputedStyle(b); var line = parseFloat(cs.lineHeight) || 1.5 * parseFloat(cs.fontSize); \
                   var h = b.getBoundingClientRect().height; \
                   if (rects.length > 1 || h > 1.4 * line) out.push({text: b.innerText, height: h, line: line}); \
                 }); return out;",
            )
            .await;
        assert!(
            badges.as_array().is_some_and(Vec::is_empty),
            "{where_}: status badges broken over lines: {badges}"
        );

        let english = self.english_words().await;
        assert!(
            english.is_empty(),
            "{where_}: English in the interface: {english:?}"
        );
        self.screen_shot(page, allowed).await;
    }

    /// English words in the page's visible text, outside what people wrote ([`CONTENT`]).
    async fn english_words(&self) -> Vec<String> {
        let text = self
            .js(&format!(
                "var t = document.body.innerText; \
                 document.querySelectorAll({}).forEach(function (e) {{ \
                   var x = e.innerText; if (x && x.trim()) t = t.split(x).join(' '); }}); \
                 return t;",
                json!(CONTENT)
            ))
            .await;
        english_words_in(text.as_str().unwrap_or(""))
    }
}

/// Words of two or more Latin letters (digits may follow, as in `reviewer1`) that the
/// allow-list does not name.
pub fn english_words_in(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for w in words {
        let letters = w.chars().filter(char::is_ascii_alphabetic).count();
        if letters < 2 || ALLOWED_WORDS.iter().any(|a| a.eq_ignore_ascii_case(w)) {
            continue;
        }
        if !found.iter().any(|f| f == w) {
            found.push(w.to_string());
        }
    }
    found
}

#[test]
fn the_english_check_tells_terms_from_words() {
    assert!(
        english_words_in("导出 CSV（近 30 天） · API · 2024-06-01 12:00 · 127.0.0.1").is_empty()
    );
    assert!(english_words_in("reviewer1（初审） 第 3 版 · r1").is_empty());
    assert_eq!(
        english_words_in("保存 Save draft · Save"),
        vec!["Save".to_string(), "draft".to_string()]
    );
    assert_eq!(english_words_in("role: 至少选择一个角色"), vec!["role"]);
}

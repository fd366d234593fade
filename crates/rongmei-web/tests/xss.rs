//! No XSS through any field: every payload of `fixtures/xss/payloads.txt` goes into the title,
//! body, bylines, an image caption, tags and a comment of its own article, which is then taken
//! through review and published; every page that shows those fields is parsed and checked for
//! anything that could run.

use std::time::Duration;

use rongmei_store::testing::TestDb;
use scraper::{ElementRef, Html};
use serde_json::{Value, json};

mod common;

use common::{Server, act, add_users, post_json, sign_in, status_and_json};

const PAYLOADS: &str = include_str!("../../../fixtures/xss/payloads.txt");

fn payloads() -> Vec<&'static str> {
    PAYLOADS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

/// The only scripts pages may carry: the view counter on article pages and the editor's file.
fn allowed_script(e: &ElementRef<'_>) -> bool {
    match e.value().attr("src") {
        // The newsroom's editor, and the search box's suggestions (`?v=` names the version).
        Some(src) => src == "/newsroom/editor.js" || src.starts_with("/static/suggest.js?v="),
        None => {
            let text: String = e.text().collect();
            text.trim_start()
                .starts_with("/* Counts the view when this page came from a cache")
        }
    }
}

fn dangerous_url(v: &str) -> bool {
    let cleaned: String = v
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    cleaned.starts_with("javascript:")
        || cleaned.starts_with("vbscript:")
        || cleaned.starts_with("data:")
        || cleaned.starts_with("livescript:")
}

/// Everything on a page that could execute: foreign scripts, event handlers, script URLs,
/// embedding elements, inline styles.
fn unsafe_parts(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found = Vec::new();
    for node in doc.root_element().descendants() {
        let Some(e) = ElementRef::wrap(node) else {
            continue;
        };
        let name = e.value().name();
        match name {
            "script" if !allowed_script(&e) => found.push(format!("script: {}", e.html())),
            "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "base" | "math"
            | "template" | "portal" => found.push(format!("element {name}")),
            "svg" if e.value().attr("class") != Some("chart") => found.push("svg".to_string()),
            "meta" if e.value().attr("http-equiv").is_some() => {
                found.push("meta http-equiv".to_string())
            }
            "link"
                if e.value().attr("href") != Some("/static/site.css")
                    && !e
                        .value()
                        .attr("href")
                        .is_some_and(|h| h.starts_with("/static/site.css?"))
                    && e.value().attr("rel") != Some("canonical")
                    && e.value().attr("rel") != Some("alternate") =>
            {
                found.push(format!("link {:?}", e.value().attr("href")))
            }
            "style" => found.push("style element".to_string()),
            _ => {}
        }
        for (attr, value) in e.value().attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") || attr == "style" || attr == "srcdoc" {
                found.push(format!("<{name} {attr}={value:?}>"));
            }
            if matches!(
                attr.as_str(),
                "href"
                    | "src"
                    | "action"
                    | "formaction"
                    | "xlink:href"
                    | "data"
                    | "poster"
                    | "background"
                    | "srcset"
                    | "ping"
            ) && dangerous_url(value)
            {
                found.push(format!("<{name} {attr}={value:?}>"));
            }
        }
    }
    found
}

async fn page(http: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = http.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    (resp.status().as_u16(), resp.text().await.expect("body"))
}

fn assert_safe(html: &str, what: &str) {
    let bad = unsafe_parts(html);
    assert!(bad.is_empty(), "{what}: {bad:#?}");
}

#[tokio::test]
async fn no_payload_runs_on_any_page() {
    let list = payloads();
    assert!(
        list.len() >= 50,
        "at least 50 payloads, found {}",
        list.len()
    );
    let db = TestDb::sqlite().await;
    add_users(
        &db,
        &[
            ("reporter", "reporter"),
            ("r1", "reviewer1"),
            ("r2", "reviewer2"),
            ("chief", "chief"),
            ("admin", "admin"),
        ],
    )
    .await;
    // Behind a trusted proxy, so each payload account signs in from an address of its own
    // (one address may only try so many sign-ins a minute).
    let srv = Server::start(&db, true).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let b = srv.base.clone();
    let reporter = sign_in(&http, &b, "reporter").await;
    let r1 = sign_in(&http, &b, "r1").await;
    let r2 = sign_in(&http, &b, "r2").await;
    let chief = sign_in(&http, &b, "chief").await;
    let admin = sign_in(&http, &b, "admin").await;

    // The checker itself must see what it is for: a page with a real handler is caught.
    assert!(!unsafe_parts("<p><img src=x onerror=alert(1)></p>").is_empty());
    assert!(!unsafe_parts("<a href=' jav&#x09;ascript:alert(1)'>x</a>").is_empty());

    let mut ids = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let marker = format!("载荷{i:03}");
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({
                "title": format!("{p} {marker}"),
                "column": "news",
                "body": format!("<p>{marker}</p>{p}<figure><img src=\"/media/ab/x.png\" alt=\"{marker}\"><figcaption>{p}</figcaption></figure>"),
                // Tags and bylines have limits (32, 16 and 64 characters): the payload as long as
                // each field takes, its dangerous start included.
                "tags": [cut(p, 32), marker],
                "bylines": [format!("文字：{}", cut(p, 64)), {"role": cut(p, 16), "name": cut(p, 64)}],
                "summary": p,
            }),
        )
        .await;
        assert_eq!(s, 201, "payload {i}: {v}");
        let id = v["id"].as_i64().unwrap();
        let (s, v) = act(&http, &b, &reporter, id, "submit", Some(p)).await;
        assert_eq!(s, 200, "payload {i} submit: {v}");
        // A reviewer's comment, once the article is in review and so theirs to read.
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles/{id}/comments"),
            Some(&r1),
            json!({"comment": p}),
        )
        .await;
        assert_eq!(s, 201, "payload {i}: {v}");
        ids.push((id, marker));
    }
    // The review queues while every payload article waits in them, not only once they are empty.
    for (who, token) in [("r1", &r1), ("chief", &chief), ("reporter", &reporter)] {
        for path in ["/newsroom/queue", "/newsroom"] {
            let url = format!("{b}{path}");
            let (s, html) = page(&http, &url, Some(token)).await;
            assert_eq!(s, 200, "{url} as {who}");
            assert_safe(&html, &url);
            if path == "/newsroom/queue" && who == "r1" {
                assert!(
                    html.contains("载荷000"),
                    "the queue lists the payload articles"
                );
            }
        }
    }
    for ((id, _), p) in ids.iter().zip(&list) {
        for (t, a) in [
            (&r1, "approve"),
            (&r2, "approve"),
            (&chief, "approve"),
            (&chief, "publish"),
        ] {
            let (s, v) = act(&http, &b, t, *id, a, Some(p)).await;
            assert_eq!(s, 200, "payload {id} {a}: {v}");
        }
    }

    for (id, marker) in &ids {
        let public = format!("{b}/articles/{id}");
        let (s, html) = page(&http, &public, None).await;
        assert_eq!(s, 200);
        assert_safe(&html, &public);
        // The payload is shown as text, not dropped: the title keeps the marker.
        let doc = Html::parse_document(&html);
        let h1 = scraper::Selector::parse("h1.title").unwrap();
        let title: String = doc.select(&h1).flat_map(|e| e.text()).collect();
        assert!(title.contains(marker.as_str()), "{public}: title {title:?}");
        for path in [
            format!("/newsroom/articles/{id}"),
            format!("/newsroom/articles/{id}/edit"),
            format!("/newsroom/articles/{id}/history"),
            format!("/newsroom/articles/{id}/history?from=1&to=1"),
            format!("/newsroom/articles/{id}/preview"),
            format!("/newsroom/audit?article={id}"),
        ] {
            let url = format!("{b}{path}");
            let (s, html) = page(&http, &url, Some(&chief)).await;
            assert_eq!(s, 200, "{url}");
            assert_safe(&html, &url);
        }
        let api: Value = http
            .get(format!("{b}/api/v1/articles/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_safe(api["body_html"].as_str().unwrap(), "API body_html");
    }

    // Listings that show titles and summaries of many articles at once.
    let mut listings = vec![
        "/".to_string(),
        "/newsroom".to_string(),
        "/newsroom/queue".to_string(),
        "/newsroom/audit".to_string(),
        "/admin/analytics".to_string(),
    ];
    let pages = list.len().div_ceil(20);
    for n in 1..=pages {
        listings.push(format!("/columns/news?page={n}"));
        listings.push(format!("/search?q=载荷&page={n}"));
    }
    for t in ["script", "alert", "img", "javascript", "svg"] {
        listings.push(format!("/search?q={t}"));
    }
    // Search answers come from the index, which follows the change feed.
    common::eventually("the index holds every payload article", || async {
        let v: Value = http
            .get(format!("{b}/api/v1/search?q=载荷&limit=1"))
            .send()
            .await
            .expect("search")
            .json()
            .await
            .unwrap_or(Value::Null);
        v["total"].as_u64() == Some(ids.len() as u64)
    })
    .await;
    for path in &listings {
        let url = format!("{b}{path}");
        let (s, html) = page(&http, &url, Some(&chief)).await;
        assert_eq!(s, 200, "{url}");
        assert_safe(&html, &url);
    }
    let search: Value = http
        .get(format!("{b}/api/v1/search?q=载荷&limit=50"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hits = search["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "the search finds the payload articles");
    for h in hits {
        assert_safe(h["snippet_html"].as_str().unwrap_or(""), "search snippet");
    }
    // The search page lists them too: a listing checked with nothing on it proves nothing.
    let (_, html) = page(&http, &format!("{b}/search?q=载荷"), None).await;
    let doc = Html::parse_document(&html);
    let titles = scraper::Selector::parse(".hit a, .list a").unwrap();
    assert!(
        doc.select(&titles)
            .any(|a| a.text().collect::<String>().contains("载荷")),
        "the search page lists the payload articles"
    );

    // Values the pages echo back: the search query and its column filter, the sign-in page's
    // `next`, a column's slug, and each article's analytics page.
    for p in &list {
        let echoed = [
            url::Url::parse_with_params(&format!("{b}/search"), [("q", *p)]),
            url::Url::parse_with_params(&format!("{b}/search"), [("q", "载荷"), ("column", *p)]),
            url::Url::parse_with_params(&format!("{b}/newsroom/login"), [("next", *p)]),
        ];
        let mut column = url::Url::parse(&format!("{b}/columns/")).unwrap();
        column.path_segments_mut().unwrap().pop_if_empty().push(p);
        for url in echoed.into_iter().map(Result::unwrap).chain([column]) {
            let (s, html) = page(&http, url.as_str(), None).await;
            assert!(s < 500, "{url}: {s}");
            assert_safe(&html, url.as_str());
        }
    }
    for (id, _) in &ids {
        let url = format!("{b}/admin/analytics/articles/{id}");
        let (s, html) = page(&http, &url, Some(&chief)).await;
        assert_eq!(s, 200, "{url}");
        assert_safe(&html, &url);
    }

    // People's names: an account named with each payload, as the admins' list shows it and as
    // its owner sees it in the newsroom's header and on the password page.
    let mut accounts = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let login = format!("x{i:03}");
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/users"),
            Some(&admin),
            json!({"login": login, "name": cut(p, rongmei_core::user::MAX_NAME_CHARS),
                   "role": "reporter", "password": common::PASSWORD}),
        )
        .await;
        assert_eq!(s, 201, "account for payload {i}: {v}");
        accounts.push(login);
    }
    let url = format!("{b}/newsroom/users");
    let (s, html) = page(&http, &url, Some(&admin)).await;
    assert_eq!(s, 200, "{url}");
    assert_safe(&html, &url);
    assert!(html.contains("x000"), "the list shows the payload accounts");
    for (i, login) in accounts.iter().enumerate() {
        let (s, v) = status_and_json(
            http.post(format!("{b}/api/v1/session"))
                .header("x-forwarded-for", format!("198.51.100.{}", i % 250 + 1))
                .json(&json!({"login": login, "password": common::PASSWORD})),
        )
        .await;
        assert_eq!(s, 200, "sign in as {login}: {v}");
        let token = v["token"].as_str().expect("token").to_string();
        for path in ["/newsroom", "/newsroom/password"] {
            let url = format!("{b}{path}");
            let (s, html) = page(&http, &url, Some(&token)).await;
            assert_eq!(s, 200, "{url} as {login}");
            assert_safe(&html, &url);
        }
    }
    srv.stop().await;
}

/// The first `n` characters of `s`.
fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

//! RSS, Atom and JSON Feed over HTTP, checked by real parsers and validators: `xmllint`,
//! Python's `feedparser` (bozo must be 0) and a JSON Schema of JSON Feed 1.1 (with Python's
//! `jsonschema`). Each validator that is not installed is skipped, saying so; CI installs them.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::{Value, json};

mod common;

use common::{STAFF, Server, act, add_users, client, post_json, sign_in_all};

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/schemas/jsonfeed-1.1.schema.json"
);

/// Runs `program args` with `input` on standard input; None when the program is missing.
fn run(program: &str, args: &[&str], input: &[u8]) -> Option<(bool, String)> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input).ok()?;
    let out = child.wait_with_output().ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

fn python_has(module: &str) -> bool {
    run("python3", &["-c", &format!("import {module}")], b"").is_some_and(|(ok, _)| ok)
}

/// `xmllint --noout`: well-formed XML, or the test fails with xmllint's words.
fn xmllint(what: &str, xml: &str) {
    match run("xmllint", &["--noout", "-"], xml.as_bytes()) {
        Some((ok, text)) => assert!(ok, "{what}: xmllint says {text}"),
        None => common::tool_missing(
            "xmllint check skipped: xmllint absent (apt-get install libxml2-utils)",
        ),
    }
}

/// The entries as `feedparser` reads them (`bozo` must be 0): title, link and content.
fn feedparser(what: &str, xml: &str) -> Option<Vec<Value>> {
    if !python_has("feedparser") {
        common::tool_missing(
            "feedparser check skipped: python3 feedparser absent (pip install feedparser)",
        );
        return None;
    }
    const SCRIPT: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({"bozo": int(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
  "entries": [{"title": e.get("title"), "link": e.get("link"),
               "content": (e.get("content") or [{}])[0].get("value", "")} for e in d.entries]}))
"#;
    let (ok, out) = run("python3", &["-c", SCRIPT], xml.as_bytes()).expect("python3 runs");
    assert!(ok, "{what}: feedparser failed: {out}");
    let v: Value = serde_json::from_str(&out).expect("feedparser's JSON");
    assert_eq!(
        v["bozo"], 0,
        "{what}: feedparser found it malformed: {}",
        v["error"]
    );
    Some(v["entries"].as_array().cloned().unwrap_or_default())
}

fn json_schema(what: &str, doc: &str) {
    if !python_has("jsonschema") {
        common::tool_missing(
            "JSON Schema check skipped: python3 jsonschema absent (pip install jsonschema)",
        );
        return;
    }
    let script = format!(
        "import json, sys, jsonschema\n\
         schema = json.load(open({SCHEMA:?}))\n\
         fc = getattr(jsonschema.Draft202012Validator, 'FORMAT_CHECKER', None) or jsonschema.FormatChecker()\n\
         v = jsonschema.Draft202012Validator(schema, format_checker=fc)\n\
         errors = [e.message for e in v.iter_errors(json.load(sys.stdin))]\n\
         print(errors); sys.exit(1 if errors else 0)"
    );
    let (ok, out) = run("python3", &["-c", &script], doc.as_bytes()).expect("python3 runs");
    assert!(ok, "{what}: not a JSON Feed 1.1: {out}");
}

/// Every `href`, `src` and `srcset` URL in an HTML fragment is absolute.
fn assert_absolute(what: &str, html: &str) {
    let doc = Html::parse_fragment(html);
    let sel = Selector::parse("[href], [src], [srcset]").unwrap();
    for e in doc.select(&sel) {
        for attr in ["href", "src"] {
            if let Some(u) = e.value().attr(attr) {
                assert!(
                    u.starts_with("http://") || u.starts_with("https://"),
                    "{what}: {attr}={u:?}"
                );
            }
        }
        if let Some(set) = e.value().attr("srcset") {
            for candidate in set.split(',') {
                let u = candidate.split_whitespace().next().unwrap_or("");
                assert!(u.starts_with("http"), "{what}: srcset {set:?}");
            }
        }
    }
}

async fn get(http: &reqwest::Client, url: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let r = http.get(url).send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.text().await.expect("body"), headers)
}

/// Submits and passes an article through the three stages, then publishes it.
async fn publish(http: &reqwest::Client, b: &str, tokens: &[String; 4], id: i64) {
    let [reporter, r1, r2, chief] = tokens;
    for (t, action) in [
        (reporter, "submit"),
        (r1, "approve"),
        (r2, "approve"),
        (chief, "approve"),
        (chief, "publish"),
    ] {
        let (s, v) = act(http, b, t, id, action, None).await;
        assert_eq!(s, 200, "{action}: {v}");
    }
}

async fn create(http: &reqwest::Client, b: &str, token: &str, title: &str, body: &str) -> i64 {
    let (s, v) = post_json(
        http,
        &format!("{b}/api/v1/articles"),
        Some(token),
        json!({"title": title, "column": "news", "body": body, "tags": ["融媒", "测试"],
               "bylines": ["文字：张三", "摄影：李四"]}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn feeds_are_valid_absolute_and_only_public() {
    for db in TestDb::all("feeds_are_valid_absolute_and_only_public").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let tokens = sign_in_all(&http, &b, ["reporter", "r1", "r2", "chief"]).await;
        // What has broken real feeds: a control character in the title, `]]>` in the body,
        // emoji, and root-relative pictures and links.
        let tricky = create(
            &http,
            &b,
            &tokens[0],
            "【融媒】校园\u{8}新闻 🎉 发布",
            "<p>正文里有 ]]&gt; 和 ]]> 以及表情 🎉😀。</p>\
             <p><a href=\"/articles/1\">上一篇</a></p>\
             <figure><img src=\"/media/ab/abcdef.jpg\" srcset=\"/media/ab/abcdef.jpg 2x\" alt=\"会场]]>图\"><figcaption>会场</figcaption></figure>",
        )
        .await;
        publish(&http, &b, &tokens, tricky).await;
        let draft = create(
            &http,
            &b,
            &tokens[0],
            "【草稿】不应出现在订阅中",
            "<p>草稿</p>",
        )
        .await;
        let scheduled = create(&http, &b, &tokens[0], "【定时】明天才发布", "<p>定时</p>").await;
        for (t, action) in [
            (&tokens[0], "submit"),
            (&tokens[1], "approve"),
            (&tokens[2], "approve"),
            (&tokens[3], "approve"),
        ] {
            assert_eq!(act(&http, &b, t, scheduled, action, None).await.0, 200);
        }
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles/{scheduled}/actions"),
            Some(&tokens[3]),
            json!({"action": "schedule", "at": tomorrow}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let _ = draft;

        for path in [
            "/feed.xml",
            "/atom.xml",
            "/columns/news/feed.xml",
            "/columns/news/atom.xml",
        ] {
            let (s, xml, headers) = get(&http, &format!("{b}{path}")).await;
            assert_eq!(s, 200, "{path}");
            let ct = headers["content-type"].to_str().unwrap();
            assert!(
                ct.starts_with("application/rss+xml") || ct.starts_with("application/atom+xml"),
                "{path}: {ct}"
            );
            assert!(!xml.contains('\u{8}'), "{path}: a control character");
            assert!(
                !xml.contains("不应出现") && !xml.contains("明天才发布"),
                "{path}: a draft or a scheduled article"
            );
            assert!(
                xml.contains("media:content") || path.ends_with("atom.xml"),
                "{path}: the picture"
            );
            assert!(
                xml.contains(&format!("{b}{path}")),
                "{path}: rel=self names the feed"
            );
            xmllint(path, &xml);
            if let Some(entries) = feedparser(path, &xml) {
                let e = entries
                    .iter()
                    .find(|e| e["link"] == format!("{b}/articles/{tricky}"))
                    .unwrap_or_else(|| panic!("{path}: the article among {entries:?}"));
                assert_eq!(e["title"], "【融媒】校园新闻 🎉 发布");
                let content = e["content"].as_str().unwrap();
                // Text escapes `>` anyway; an attribute keeps `]]>` as it is, inside CDATA,
                // and comes through whole.
                assert!(
                    (content.contains("会场]]>图") || content.contains("会场]]&gt;图"))
                        && content.contains("😀"),
                    "{path}: {content}"
                );
                assert_absolute(path, content);
            }
        }
        for path in ["/feed.json", "/columns/news/feed.json"] {
            let (s, doc, headers) = get(&http, &format!("{b}{path}")).await;
            assert_eq!(s, 200);
            assert!(
                headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/feed+json")
            );
            json_schema(path, &doc);
            let v: Value = serde_json::from_str(&doc).unwrap();
            let item = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == format!("{b}/articles/{tricky}"))
                .expect("the article");
            assert_eq!(item["image"], format!("{b}/media/ab/abcdef.jpg"));
            assert_eq!(item["authors"][0]["name"], "文字：张三");
            assert_eq!(item["tags"][0], "新闻", "the column first");
            assert_absolute(path, item["content_html"].as_str().unwrap());
            assert!(!doc.contains("不应出现") && !doc.contains("明天才发布"));
        }
        let (s, _, _) = get(&http, &format!("{b}/columns/no-such-column/feed.xml")).await;
        assert_eq!(s, 404);

        // Polling readers revalidate: same ETag → 304, by ETag or by date.
        let (_, _, headers) = get(&http, &format!("{b}/feed.xml")).await;
        let etag = headers["etag"].to_str().unwrap().to_string();
        let r = http
            .get(format!("{b}/feed.xml"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);

        // A change anywhere drops the cached feeds: a retracted article leaves them.
        let (s, v) = act(&http, &b, &tokens[3], tricky, "retract", Some("标题有误")).await;
        assert_eq!(s, 200, "{v}");
        let mut gone = false;
        for _ in 0..50 {
            let (_, xml, _) = get(&http, &format!("{b}/feed.xml")).await;
            if !xml.contains(&format!("/articles/{tricky}")) {
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            gone,
            "{}: the retracted article is still in the feed",
            db.label
        );
        let r = http
            .get(format!("{b}/feed.xml"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "a changed feed is sent again");
        srv.stop().await;
        db.cleanup().await;
    }
}

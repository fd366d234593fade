//! The public site and read API over real HTTP, on SQLite and (when configured) PostgreSQL.

use std::path::Path;
use std::time::Duration;

use rongmei_store::testing::TestDb;
use scraper::{Html, Selector};
use serde_json::Value;

mod common;

use common::{SEED, Server, get_json, get_text, seed_and_demo as seeded};
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn texts(doc: &Html, sel: &str) -> Vec<String> {
    let s = Selector::parse(sel).unwrap();
    doc.select(&s)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// HTML5 parse errors that html5ever reports, which a well-formed page has none of.
fn parse_clean(html: &str) -> Html {
    let doc = Html::parse_document(html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    doc
}

#[tokio::test]
async fn seed_article_page_and_api_are_exact() {
    for db in TestDb::all("seed_article_page_and_api_are_exact").await {
        let id = seeded(&db).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let resp = http
            .get(format!("{}/articles/{id}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", db.label);
        assert!(resp.headers().get("etag").is_some());
        assert!(resp.headers().get("cache-control").is_some());
        let html = resp.text().await.unwrap();
        let doc = parse_clean(&html);
        let seed = rongmei_import::parse_txt(Path::new("seed.txt"), SEED).unwrap();
        assert_eq!(texts(&doc, "h1.title"), std::slice::from_ref(&seed.title));
        assert_eq!(
            texts(&doc, "head > title"),
            [format!("{} - 融媒新闻网", seed.title)],
            "the document title is the article's title and nothing else"
        );
        let inline = scraper::Selector::parse("script:not([src])").unwrap();
        assert_eq!(doc.select(&inline).count(), 1, "one view-counter script");
        assert_eq!(texts(&doc, ".article .label"), ["主题教育"]);
        assert_eq!(texts(&doc, ".article .date time"), ["2023-06-01 22:05"]);
        assert_eq!(
            texts(&doc, ".view-count"),
            ["1774"],
            "a client without a User-Agent is not counted"
        );
        let body_lines: Vec<String> = texts(&doc, ".article .body > p, .article .body > h2");
        let want: Vec<String> = SEED
            .split_once("正文内容:")
            .unwrap()
            .1
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        assert_eq!(body_lines, want, "every paragraph verbatim, in order");
        assert_eq!(
            texts(&doc, ".article .body > h2"),
            [
                "凝聚合力 创新高校宣传思想文化工作新路径",
                "传承弘扬西迁精神 为宣传思想文化工作注入新活力",
                "守正创新奋力开创宣传思想文化工作新局面"
            ]
        );

        let api: Value = get_json(&http, format!("{}/api/v1/articles/{id}", srv.base)).await;
        assert_eq!(api["title"], seed.title.as_str());
        assert_eq!(api["published_at"], "2023-06-01T22:05:00+08:00");
        assert_eq!(api["views"], 1774);
        assert_eq!(api["column"], "news");
        assert_eq!(api["tags"], serde_json::json!(["主题教育"]));
        assert_eq!(api["body_text"], want.join("\n").as_str());
        assert!(
            api["body_html"]
                .as_str()
                .unwrap()
                .contains("<h2>凝聚合力 创新高校宣传思想文化工作新路径</h2>")
        );
        assert!(
            api["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/articles/{id}"))
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn home_columns_and_listing_api() {
    for db in TestDb::all("home_columns_and_listing_api").await {
        seeded(&db).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let home = http.get(format!("{}/", srv.base)).send().await.unwrap();
        assert_eq!(home.status(), 200);
        let doc = parse_clean(&home.text().await.unwrap());
        assert!(texts(&doc, ".latest li a").len() >= 5, "{}", db.label);
        assert!(!texts(&doc, ".popular li").is_empty());
        assert!(
            texts(&doc, ".column-block").len() >= 3,
            "a block per column"
        );

        let columns: Value = get_json(&http, format!("{}/api/v1/columns", srv.base)).await;
        let slugs: Vec<&str> = columns
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap())
            .collect();
        assert!(slugs.contains(&"news"));
        let campus = columns
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "校园要闻")
            .expect("imported column");
        let slug = campus["slug"].as_str().unwrap();
        assert_eq!(slug, "xiao-yuan-yao-wen");

        let page = http
            .get(format!("{}/columns/{slug}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let doc = parse_clean(&page.text().await.unwrap());
        assert_eq!(texts(&doc, "h1.column-title"), ["校园要闻"]);
        assert_eq!(texts(&doc, ".column-list li").len(), 3);

        let list: Value = get_json(
            &http,
            format!(
                "{}/api/v1/articles?column={slug}&per_page=2&page=1",
                srv.base
            ),
        )
        .await;
        assert_eq!(list["total"], 3);
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(
            items[0]["published_at"].as_str().unwrap()
                >= items[1]["published_at"].as_str().unwrap()
        );
        let all: Value =
            get_json(&http, format!("{}/api/v1/articles?per_page=100", srv.base)).await;
        assert_eq!(all["total"], 13);
        let last = all["items"].as_array().unwrap().last().unwrap();
        assert!(last["published_at"].is_null(), "undated articles sort last");
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn bad_input_gets_clear_errors_never_500() {
    let db = TestDb::sqlite().await;
    seeded(&db).await;
    let srv = Server::start(&db, false).await;
    let http = client();
    for (path, status, json) in [
        ("/articles/abc", 404, false),
        ("/articles/0", 404, false),
        ("/articles/-5", 404, false),
        ("/articles/99999999999999999999999", 404, false),
        ("/articles/123456789", 404, false),
        ("/columns/no-such-column", 404, false),
        ("/columns/news?page=99999999999999", 404, false),
        ("/columns/news?page=abc", 400, false),
        ("/columns/news?page=9223372036854775807", 404, false),
        ("/columns/news/page/abc", 400, false),
        ("/columns/news/page/0", 400, false),
        ("/columns/news/page/99999999999999", 404, false),
        ("/nope", 404, false),
        ("/api/v1/articles/abc", 404, true),
        ("/api/v1/articles/99999999", 404, true),
        ("/api/v1/articles?page=abc", 400, true),
        ("/api/v1/articles?per_page=0", 400, true),
        ("/api/v1/articles?per_page=100000", 400, true),
        ("/api/v1/articles?column=nope", 404, true),
        ("/api/v1/nope", 404, true),
    ] {
        let resp = http
            .get(format!("{}{path}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{path}");
        let body = resp.text().await.unwrap();
        if json {
            let v: Value = serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"));
            assert!(
                v["error"]["code"].is_string() && v["error"]["message"].is_string(),
                "{path}: {v}"
            );
        } else {
            let doc = parse_clean(&body);
            assert!(
                !texts(&doc, ".error-page h1").is_empty(),
                "{path}: friendly page"
            );
        }
    }
    let far: Value = get_json(
        &http,
        format!("{}/api/v1/articles?page=9223372036854775807", srv.base),
    )
    .await;
    assert_eq!(far["items"].as_array().unwrap().len(), 0);
    assert_eq!(get_text(&http, format!("{}/healthz", srv.base)).await, "ok");
    srv.stop().await;
}

#[tokio::test]
async fn conditional_requests_and_counting() {
    for db in TestDb::all("conditional_requests_and_counting").await {
        let id = seeded(&db).await;
        let srv = Server::start(&db, true).await;
        let http = client();
        let url = format!("{}/articles/{id}", srv.base);
        let first = http.get(&url).send().await.unwrap();
        let etag = first.headers()["etag"].clone();
        let again = http
            .get(&url)
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{}", db.label);

        // One reader counts once however often they reload; another reader counts again.
        for _ in 0..3 {
            let r = http
                .get(&url)
                .header("user-agent", BROWSER)
                .header("x-forwarded-for", "203.0.113.7")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        http.get(&url)
            .header("user-agent", BROWSER)
            .header("x-forwarded-for", "203.0.113.8")
            .send()
            .await
            .unwrap();
        http.get(&url)
            .header(
                "user-agent",
                "Googlebot/2.1 (+http://www.google.com/bot.html)",
            )
            .send()
            .await
            .unwrap();
        let api: Value = get_json(&http, format!("{}/api/v1/articles/{id}", srv.base)).await;
        assert_eq!(api["views"], 1776);
        let page = get_text(&http, &url).await;
        assert_eq!(texts(&Html::parse_document(&page), ".view-count"), ["1776"]);
        // A graceful stop writes them, with no flush interval waited for first.
        srv.stop().await;
        let store = db.store().await.unwrap();
        assert_eq!(store.views_of(id).await.unwrap(), Some(1776));
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn everything_is_escaped() {
    let db = TestDb::sqlite().await;
    let store = db.store().await.unwrap();
    let evil = rongmei_import::parse_jsonl(
        Path::new("evil.jsonl"),
        r#"{"title":"<script>alert(1)</script>【x】","published_at":null,"views":1,"column":"<b>栏目</b>","body":"<img src=x onerror=alert(1)>\n\"><svg onload=alert(1)>","tags":["<i>t</i>"],"bylines":["摄影：<u>张</u>"]}"#,
    )
    .unwrap();
    store
        .import(&[evil[0].article.clone()], &|_| {})
        .await
        .unwrap();
    let id = store.published(None, 1, 1).await.unwrap().items[0].id;
    let srv = Server::start(&db, false).await;
    let http = client();
    let columns: Value = get_json(&http, format!("{}/api/v1/columns", srv.base)).await;
    let slug = columns
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "<b>栏目</b>")
        .unwrap()["slug"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        format!("/articles/{id}"),
        "/".to_string(),
        format!("/columns/{slug}"),
    ] {
        let html = get_text(&http, format!("{}{path}", srv.base)).await;
        let doc = parse_clean(&html);
        // The only scripts are the page's own view counter and the site's suggestion script.
        let scripts = Selector::parse("script").unwrap();
        for script in doc.select(&scripts) {
            if let Some(src) = script.value().attr("src") {
                assert!(
                    src.starts_with("/static/suggest.js?v="),
                    "{path}: script {src}"
                );
                continue;
            }
            let text: String = script.text().collect();
            assert!(
                text.contains("/views\"") && !text.contains("alert"),
                "{path}: foreign script {text}"
            );
        }
        for tag in ["svg", "b", "i", "u", "img"] {
            let sel = Selector::parse(&format!("main {tag}")).unwrap();
            assert_eq!(
                doc.select(&sel).count(),
                0,
                "{path}: <{tag}> must not be injected"
            );
        }
        assert!(
            !html.contains("<script>alert") && !html.contains("onerror=alert(1)>"),
            "{path}"
        );
        let shown = doc.root_element().text().collect::<String>();
        assert!(
            shown.contains("<script>alert(1)</script>【x】"),
            "{path}: the title shows as text"
        );
    }
    srv.stop().await;
}

//! Sitemaps over HTTP, validated with `xmllint --schema` against the sitemaps.org protocol schema
//! (with the image and news extensions) in `fixtures/schemas/`; `lastmod` moves only when a
//! title or body changes; `robots.txt` names the sitemaps. Skipped, saying so, without xmllint.
//! The split at 120,001 articles is a unit test of the writer (`rongmei-render/src/sitemaps.rs`).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use rongmei_store::testing::TestDb;
use serde_json::json;

mod common;

use common::{STAFF, Server, act, add_users, client, post_json, put_json, sign_in_all};

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/schemas/sitemap.xsd"
);

/// `xmllint --schema`: valid, or the test fails with xmllint's words.
fn validate(what: &str, xml: &str) {
    let child = Command::new("xmllint")
        .args(["--noout", "--schema", SCHEMA, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        common::tool_missing(
            "sitemap schema check skipped: xmllint absent (apt-get install libxml2-utils)",
        );
        return;
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(xml.as_bytes())
        .expect("write to xmllint");
    let out = child.wait_with_output().expect("xmllint runs");
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn text(http: &reqwest::Client, url: &str) -> (u16, String) {
    let r = http.get(url).send().await.expect("request");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// The `<lastmod>` of `loc` in a sitemap.
fn lastmod_of(xml: &str, loc: &str) -> Option<String> {
    let at = xml.find(&format!("<loc>{loc}</loc>"))?;
    let rest = &xml[at..];
    let end = rest.find("</url>")?;
    let entry = &rest[..end];
    let from = entry.find("<lastmod>")? + "<lastmod>".len();
    let to = entry.find("</lastmod>")?;
    Some(entry[from..to].to_string())
}

#[tokio::test]
async fn sitemaps_validate_and_lastmod_follows_the_content() {
    for db in TestDb::all("sitemaps_validate_and_lastmod_follows_the_content").await {
        common::seed_and_demo(&db).await;
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let tokens = sign_in_all(&http, &b, ["reporter", "r1", "r2", "chief"]).await;
        let [reporter, r1, r2, chief] = &tokens;
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(reporter),
            json!({"title": "【快讯】今天发布的新闻 & 图片", "column": "news",
                   "body": "<p>正文。</p><figure><img src=\"/media/ab/cover.jpg\" alt=\"封面\"></figure>"}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        for (t, action) in [
            (reporter, "submit"),
            (r1, "approve"),
            (r2, "approve"),
            (chief, "approve"),
            (chief, "publish"),
        ] {
            assert_eq!(act(&http, &b, t, id, action, None).await.0, 200, "{action}");
        }

        let (s, robots) = text(&http, &format!("{b}/robots.txt")).await;
        assert_eq!(s, 200);
        assert!(
            robots.contains(&format!("Sitemap: {b}/sitemap.xml")),
            "{robots}"
        );
        assert!(robots.contains(&format!("Sitemap: {b}/sitemap-news.xml")));
        assert!(robots.contains("Disallow: /newsroom") && robots.contains("Disallow: /api/"));

        // Fifteen articles fit one sitemap: /sitemap.xml is that sitemap.
        let (s, map) = text(&http, &format!("{b}/sitemap.xml")).await;
        assert_eq!(s, 200);
        validate("/sitemap.xml", &map);
        assert!(map.contains("<urlset") && !map.contains("<sitemapindex"));
        let loc = format!("{b}/articles/{id}");
        assert!(
            map.contains(&format!("<image:loc>{b}/media/ab/cover.jpg</image:loc>")),
            "{map}"
        );
        assert!(
            map.contains(&format!("<loc>{b}/columns/news</loc>")),
            "column pages"
        );
        assert!(map.matches("<url>").count() >= 15);
        assert!(map.lines().all(|l| !l.contains("<loc>") || l.len() < 2048));
        let first = lastmod_of(&map, &loc).expect("lastmod");

        let (s, news) = text(&http, &format!("{b}/sitemap-news.xml")).await;
        assert_eq!(s, 200);
        validate("/sitemap-news.xml", &news);
        assert!(news.contains(&loc), "today's article is news");
        assert!(news.contains("今天发布的新闻 &amp; 图片"));
        assert!(
            !news.contains("西安交大党委宣传部"),
            "the 2023 seed is not news"
        );

        // A change of tags (or a view) leaves lastmod alone; a change of the body moves it.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (s, v) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            chief,
            json!({"tags": ["新标签"]}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let (_, map) = text(&http, &format!("{b}/sitemap.xml")).await;
        assert_eq!(
            lastmod_of(&map, &loc).as_deref(),
            Some(first.as_str()),
            "tags only"
        );
        let (s, v) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            chief,
            json!({"body": "<p>更正后的正文。</p>"}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let (_, map) = text(&http, &format!("{b}/sitemap.xml")).await;
        let second = lastmod_of(&map, &loc).expect("lastmod");
        assert!(second > first, "{first} → {second}");
        validate("/sitemap.xml after an edit", &map);

        let (s, _) = text(&http, &format!("{b}/sitemaps/2.xml")).await;
        assert_eq!(s, 404, "one sitemap, no second child");
        srv.stop().await;
        db.cleanup().await;
    }
}

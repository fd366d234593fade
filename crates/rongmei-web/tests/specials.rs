//! Specials (专题): chiefs and admins make them; each has its page and its feeds (checked by
//! feedparser when it is installed); an article in two specials shows on both pages and in both
//! feeds, and leaves both when retracted; a featured special has a banner on the home page.

mod common;

use std::process::Command;

use common::{
    STAFF, Server, act, add_users, client, get_text, post_json, put_json, review_and_publish,
    sign_in,
};
use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

/// What feedparser reads of a feed: entry titles, or None when it is not installed.
fn feedparser_titles(body: &str) -> Option<Vec<String>> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, json, feedparser\nf = feedparser.parse(sys.stdin.buffer.read())\n\
             assert not f.bozo, f.bozo_exception\nprint(json.dumps([e.title for e in f.entries]))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take()?.write_all(body.as_bytes()).ok()?;
            child.wait_with_output().ok()
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if err.contains("No module named") {
            common::tool_missing("feedparser check skipped: the Python package is not installed");
            return None;
        }
        panic!("feedparser refused the feed: {err}\n{body}");
    }
    serde_json::from_slice(&out.stdout).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_article_in_two_specials_shows_in_both_and_leaves_both_when_retracted() {
    for db in TestDb::all("specials").await {
        add_users(&db, STAFF).await;
        let server = Server::start(&db, false).await;
        let b = &server.base;
        let http = client();
        let reporter = sign_in(&http, b, "reporter").await;
        let chief = sign_in(&http, b, "chief").await;
        let mut ids = Vec::new();
        for title in ["两个专题都有的稿件", "只在一个专题的稿件"] {
            let (s, v) = post_json(
                &http,
                &format!("{b}/api/v1/articles"),
                Some(&reporter),
                json!({"title": title, "column": "news", "body": "<p>正文。</p>"}),
            )
            .await;
            assert_eq!(s, 201, "{v}");
            let id = v["id"].as_i64().expect("id");
            review_and_publish(&http, b, id).await;
            ids.push(id);
        }
        let (both, one) = (ids[0], ids[1]);

        // A reporter may not make one; a chief may.
        let spec = |name: &str, articles: Vec<i64>, featured: bool| json!({"name": name, "description": format!("{name}的介绍"), "featured": featured, "articles": articles});
        let (s, _) = put_json(
            &http,
            &format!("{b}/api/v1/specials/er-shi-da"),
            &reporter,
            spec("学习二十大", vec![both], true),
        )
        .await;
        assert_eq!(s, 403, "{}", db.label);
        let (s, e) = put_json(
            &http,
            &format!("{b}/api/v1/specials/Bad Slug"),
            &chief,
            spec("坏地址", vec![], false),
        )
        .await;
        assert_eq!(s, 422, "{e}");
        let (s, e) = put_json(
            &http,
            &format!("{b}/api/v1/specials/er-shi-da"),
            &chief,
            spec("学习二十大", vec![both, 999_999], true),
        )
        .await;
        assert_eq!(s, 422, "an article that does not exist: {e}");
        for (slug, name, articles, featured) in [
            ("er-shi-da", "学习二十大", vec![one, both], true),
            ("xiao-qing", "校庆专题", vec![both], false),
        ] {
            let (s, e) = put_json(
                &http,
                &format!("{b}/api/v1/specials/{slug}"),
                &chief,
                spec(name, articles, featured),
            )
            .await;
            assert_eq!(s, 204, "{e}");
        }

        let (s, list) = common::status_and_json(http.get(format!("{b}/api/v1/specials"))).await;
        assert_eq!(s, 200);
        let list = list.as_array().expect("list").clone();
        assert_eq!(list.len(), 2);
        let titles_of = |v: &Value| -> Vec<String> {
            v["articles"]
                .as_array()
                .expect("articles")
                .iter()
                .map(|a| a["title"].as_str().unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(
            titles_of(&list[0]),
            ["只在一个专题的稿件", "两个专题都有的稿件"],
            "the editors' order"
        );
        for key in ["slug", "name", "description", "cover", "articles"] {
            assert!(list[0].get(key).is_some(), "{key}");
        }

        let sitemap = get_text(&http, format!("{b}/sitemap.xml")).await;
        assert!(
            sitemap.contains(&format!("{b}/specials/er-shi-da</loc>")),
            "{sitemap}"
        );
        let home = get_text(&http, format!("{b}/")).await;
        assert!(
            home.contains("专题 · 学习二十大") && !home.contains("专题 · 校庆专题"),
            "the featured one has a banner"
        );

        for slug in ["er-shi-da", "xiao-qing"] {
            let page = get_text(&http, format!("{b}/specials/{slug}")).await;
            assert!(page.contains("两个专题都有的稿件"), "{slug}");
            let feed = get_text(&http, format!("{b}/specials/{slug}/feed.xml")).await;
            assert!(feed.contains("两个专题都有的稿件"), "{feed}");
            if let Some(titles) = feedparser_titles(&feed) {
                assert!(
                    titles.iter().any(|t| t == "两个专题都有的稿件"),
                    "{titles:?}"
                );
            }
            let atom = get_text(&http, format!("{b}/specials/{slug}/atom.xml")).await;
            if let Some(titles) = feedparser_titles(&atom) {
                assert!(
                    titles.iter().any(|t| t == "两个专题都有的稿件"),
                    "{titles:?}"
                );
            }
            let json_feed: Value = http
                .get(format!("{b}/specials/{slug}/feed.json"))
                .send()
                .await
                .expect("json")
                .json()
                .await
                .expect("json");
            assert_eq!(json_feed["version"], "https://jsonfeed.org/version/1.1");
        }

        // Retracted: gone from both pages and both feeds.
        let (s, v) = act(&http, b, &chief, both, "retract", Some("撤稿测试")).await;
        assert_eq!(s, 200, "{v}");
        for slug in ["er-shi-da", "xiao-qing"] {
            let page = get_text(&http, format!("{b}/specials/{slug}")).await;
            assert!(!page.contains("两个专题都有的稿件"), "{slug} page");
            for feed in ["feed.xml", "atom.xml", "feed.json"] {
                let body = get_text(&http, format!("{b}/specials/{slug}/{feed}")).await;
                assert!(!body.contains("两个专题都有的稿件"), "{slug}/{feed}");
            }
        }
        let missing = http
            .get(format!("{b}/specials/no-such"))
            .send()
            .await
            .expect("get");
        assert_eq!(missing.status(), 404);

        // Every save is in the audit log.
        let admin = sign_in(&http, b, "admin").await;
        let (s, audit) = common::get_auth(&http, &format!("{b}/api/v1/audit"), &admin).await;
        assert_eq!(s, 200, "{audit}");
        let saves = audit.to_string().matches("special_save").count();
        assert_eq!(saves, 2, "{audit}");

        // The newsroom page lists them for a chief.
        let page = http
            .get(format!("{b}/newsroom/specials?edit=er-shi-da"))
            .bearer_auth(&chief)
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
        let page = page.text().await.expect("text");
        assert!(
            page.contains("学习二十大") && page.contains(&format!("{one}\n{both}")),
            "{page}"
        );
        server.stop().await;
        db.cleanup().await;
    }
}

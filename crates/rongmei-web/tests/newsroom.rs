//! The newsroom over real HTTP: the three-stage review with separation of duties, revisions,
//! the audit log, publication checks, scheduling and retraction, on SQLite and (when configured)
//! PostgreSQL. Accounts, sessions and uploads are in `newsroom_accounts.rs`.

use std::time::Duration;

use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{
    STAFF, Server, act, add_users, client, get_auth, get_json, post_json, put_json, sign_in,
};

async fn create(http: &reqwest::Client, base: &str, token: &str, title: &str) -> i64 {
    let (status, v) = post_json(
        http,
        &format!("{base}/api/v1/articles"),
        Some(token),
        json!({"title": title, "column": "news", "body": "<h2>小标题</h2><p>第一段正文。</p>",
               "tags": ["测试"], "bylines": ["文字：张三", {"role": "摄影", "name": "李四"}]}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["status"], "draft");
    v["id"].as_i64().expect("id")
}

/// Whether the public search for `q` lists article `id` now.
async fn search_lists(http: &reqwest::Client, base: &str, q: &str, id: i64) -> bool {
    get_json(http, format!("{base}/api/v1/search?q={q}")).await["hits"]
        .as_array()
        .is_some_and(|h| h.iter().any(|h| h["id"] == id))
}

#[tokio::test]
async fn three_stage_review_with_separation_of_duties() {
    for db in TestDb::all("three_stage_review_with_separation_of_duties").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let reporter = sign_in(&http, &b, "reporter").await;
        let reporter2 = sign_in(&http, &b, "reporter2").await;
        let r1 = sign_in(&http, &b, "r1").await;
        let r2 = sign_in(&http, &b, "r2").await;
        let both = sign_in(&http, &b, "both").await;
        let chief = sign_in(&http, &b, "chief").await;

        // 401 without a session, and with a made-up token.
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            None,
            json!({"title": "x", "column": "news"}),
        )
        .await;
        assert_eq!(s, 401, "{v}");
        assert_eq!(v["error"]["code"], "unauthorized");
        let (s, _) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&"0".repeat(64)),
            json!({"title": "x", "column": "news"}),
        )
        .await;
        assert_eq!(s, 401);
        // 422 on bad input.
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "x", "column": "no-such-column"}),
        )
        .await;
        assert_eq!(s, 422, "{v}");
        let (s, _) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "  ", "column": "news"}),
        )
        .await;
        assert_eq!(s, 422);
        let (s, _) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"column": "news"}),
        )
        .await;
        assert_eq!(s, 422);

        let id = create(&http, &b, &reporter, "【三审】融媒体中心完成首篇三审稿件").await;

        // 409: the state does not allow it; 403: the role or person may not.
        // A draft is its author's: a reviewer may not even see it yet.
        assert_eq!(act(&http, &b, &r1, id, "approve", None).await.0, 403);
        assert_eq!(act(&http, &b, &reporter, id, "approve", None).await.0, 403);
        assert_eq!(act(&http, &b, &reporter2, id, "submit", None).await.0, 403);
        assert_eq!(act(&http, &b, &chief, id, "publish", None).await.0, 409);
        let (s, v) = act(&http, &b, &reporter, id, "fly", None).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(
            act(&http, &b, &reporter, 999_999, "submit", None).await.0,
            404
        );

        assert_eq!(
            act(&http, &b, &reporter, id, "submit", None).await,
            (200, json!({"id": id, "status": "submitted"}))
        );
        assert_eq!(
            act(&http, &b, &r2, id, "approve", None).await.0,
            403,
            "stage one is reviewer1's"
        );
        // The author edits nothing while it is in review.
        let (s, _) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            &reporter,
            json!({"title": "改", "column": "news", "body": "x"}),
        )
        .await;
        assert_eq!(s, 409);
        // A rejection needs a comment.
        assert_eq!(act(&http, &b, &r1, id, "reject", None).await.0, 422);
        assert_eq!(
            act(&http, &b, &r1, id, "reject", Some("请补充活动时间"))
                .await
                .1["status"],
            "draft"
        );

        // The reporter fixes it: a new revision; others may not touch the draft.
        let (s, _) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            &r1,
            json!({"title": "改", "column": "news", "body": "x"}),
        )
        .await;
        assert_eq!(s, 403);
        let (s, v) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            &reporter,
            json!({"title": "【三审】融媒体中心完成首篇三审稿件", "column": "news",
                   "body": "<h2>小标题</h2><p>6月1日下午，第一段正文。</p>", "tags": "测试，三审", "revision": 1}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["revision"], 2);
        // An edit based on an old revision is a conflict, not a silent overwrite.
        let (s, _) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            &reporter,
            json!({"title": "旧", "column": "news", "body": "x", "revision": 1}),
        )
        .await;
        assert_eq!(s, 409);

        assert_eq!(
            act(&http, &b, &reporter, id, "submit", None).await.1["status"],
            "submitted"
        );
        // One person with two review roles passes one stage, never two.
        assert_eq!(
            act(&http, &b, &both, id, "approve", Some("初审通过"))
                .await
                .1["status"],
            "first_passed"
        );
        let (s, v) = act(&http, &b, &both, id, "approve", None).await;
        assert_eq!(s, 403, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("两个审核环节")
        );
        assert_eq!(
            act(&http, &b, &r2, id, "approve", None).await.1["status"],
            "second_passed"
        );
        assert_eq!(
            act(&http, &b, &chief, id, "approve", None).await.1["status"],
            "approved"
        );
        // The preview is the public page, before it is public, without the view counter.
        let preview = http
            .get(format!("{b}/newsroom/articles/{id}/preview"))
            .bearer_auth(&chief)
            .send()
            .await
            .unwrap();
        assert_eq!(preview.status(), 200);
        let preview = preview.text().await.unwrap();
        assert!(
            preview.contains("class=\"title\"") && preview.contains("融媒体中心完成首篇三审稿件")
        );
        // The counting script is the article page's one inline script (the search box's
        // suggestions are a script file).
        assert!(!preview.contains("<script>"), "previews count no views");
        // Not public yet.
        assert_eq!(
            http.get(format!("{b}/api/v1/articles/{id}"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            act(&http, &b, &chief, id, "publish", None).await.1["status"],
            "published"
        );
        let published_at = std::time::Instant::now();

        let public = get_json(&http, format!("{b}/api/v1/articles/{id}")).await;
        assert_eq!(public["title"], "【三审】融媒体中心完成首篇三审稿件");
        assert!(
            public["body_html"]
                .as_str()
                .unwrap()
                .contains("<h2>小标题</h2>")
        );
        assert!(public["published_at"].as_str().is_some());
        // Search finds it within a second of the publish.
        let mut found = false;
        while published_at.elapsed() < Duration::from_secs(1) {
            if search_lists(&http, &b, "三审稿件", id).await {
                found = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(found, "search finds the published article within 1 s");

        // Revisions and audit, oldest first, each with who, when and what.
        let (s, revs) = get_auth(&http, &format!("{b}/api/v1/articles/{id}/revisions"), &r1).await;
        assert_eq!(s, 200);
        let revs = revs.as_array().unwrap();
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[0]["number"], 1);
        assert_eq!(revs[1]["who"], "reporter");
        assert!(
            revs[1]["body_text"]
                .as_str()
                .unwrap()
                .contains("6月1日下午")
        );
        let (s, audit) =
            get_auth(&http, &format!("{b}/api/v1/audit?article={id}"), &reporter).await;
        assert_eq!(s, 200);
        let steps: Vec<(String, String, String)> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                // Client addresses are for admins and chiefs, not for the reporter.
                assert!(e["when"].as_str().is_some() && e.get("ip").is_none());
                (
                    e["who"].as_str().unwrap().into(),
                    e["what"].as_str().unwrap().into(),
                    e["to"].as_str().unwrap_or("").into(),
                )
            })
            .collect();
        let expect = [
            ("reporter", "create", "draft"),
            ("reporter", "submit", "submitted"),
            ("r1", "reject", "draft"),
            ("reporter", "edit", "draft"),
            ("reporter", "submit", "submitted"),
            ("both", "approve", "first_passed"),
            ("r2", "approve", "second_passed"),
            ("chief", "approve", "approved"),
            ("chief", "publish", "published"),
        ];
        assert_eq!(
            steps,
            expect
                .iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                .collect::<Vec<_>>()
        );
        let reject = &audit[2];
        assert_eq!(reject["comment"], "请补充活动时间");
        assert_eq!(reject["from"], "submitted");
        // The whole log is for admins and chiefs.
        assert_eq!(
            get_auth(&http, &format!("{b}/api/v1/audit"), &reporter)
                .await
                .0,
            403
        );
        assert_eq!(
            get_auth(&http, &format!("{b}/api/v1/audit?user=reporter"), &chief)
                .await
                .0,
            200
        );

        // Retraction: reason required, then the public URL answers 410.
        assert_eq!(
            act(&http, &b, &reporter, id, "retract", Some("x")).await.0,
            403
        );
        assert_eq!(act(&http, &b, &chief, id, "retract", None).await.0, 422);
        assert_eq!(
            act(&http, &b, &chief, id, "retract", Some("活动时间有误"))
                .await
                .1["status"],
            "retracted"
        );
        let retracted_at = std::time::Instant::now();
        let page = http.get(format!("{b}/articles/{id}")).send().await.unwrap();
        assert_eq!(page.status(), 410);
        let html = page.text().await.unwrap();
        assert!(html.contains("撤稿") && html.contains("活动时间有误"));
        // The API says the same as the page: gone, not unknown.
        assert_eq!(
            http.get(format!("{b}/api/v1/articles/{id}"))
                .send()
                .await
                .unwrap()
                .status(),
            410
        );
        let mut gone = false;
        while retracted_at.elapsed() < Duration::from_secs(1) {
            if !search_lists(&http, &b, "三审稿件", id).await {
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(gone, "a retracted article leaves search within 1 s");
        // The audit log cannot be rewritten, even with direct SQL.
        let store = db.store().await.unwrap();
        assert!(
            sqlx::query("DELETE FROM audit_log")
                .execute(store.pool())
                .await
                .is_err()
        );
        assert!(
            sqlx::query("UPDATE audit_log SET actor_login = 'x'")
                .execute(store.pool())
                .await
                .is_err()
        );
        store.close().await;
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn publication_checks_block_final_approval_and_reload() {
    for db in TestDb::all("publication_checks_block_final_approval_and_reload").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let reporter = sign_in(&http, &b, "reporter").await;
        let r1 = sign_in(&http, &b, "r1").await;
        let r2 = sign_in(&http, &b, "r2").await;
        let chief = sign_in(&http, &b, "chief").await;
        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "其它学院的活动", "column": "news", "body": "<p>此处待补充</p><figure><img src=\"/media/ab/x.jpg\" alt=\"\"><figcaption>做为图片说明</figcaption></figure>"}),
        )
        .await;
        assert_eq!(s, 201);
        let id = v["id"].as_i64().unwrap();
        let checks = v["checks"].as_array().unwrap();
        let find = |m: &str| {
            checks
                .iter()
                .find(|h| h["matched"] == m)
                .unwrap_or_else(|| panic!("hit {m}: {checks:?}"))
        };
        assert_eq!(find("其它")["suggestion"], "其他");
        assert_eq!(find("其它")["field"], "title");
        assert_eq!(find("做为")["field"], "caption");
        assert_eq!(find("此处待补充")["severity"], "block");
        for (t, a) in [(&reporter, "submit"), (&r1, "approve"), (&r2, "approve")] {
            assert_eq!(act(&http, &b, t, id, a, None).await.0, 200, "{a}");
        }
        let (s, v) = act(&http, &b, &chief, id, "approve", None).await;
        assert_eq!(s, 422, "{v}");
        let hits = v["error"]["details"]["hits"]
            .as_array()
            .expect("hits in the 422");
        assert!(
            hits.iter()
                .any(|h| h["matched"] == "此处待补充" && h["context"].as_str().is_some())
        );
        // The chief fixes the text; warnings alone do not block.
        let (s, _) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            &chief,
            json!({"title": "其它学院的活动", "column": "news", "body": "<p>活动圆满结束。</p>"}),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(act(&http, &b, &chief, id, "approve", None).await.0, 200);
        // A block word an admin adds counts at once, without a restart.
        let admin = sign_in(&http, &b, "admin").await;
        let url = format!("{b}/api/v1/dictionaries/sensitive");
        let mut text = http
            .get(&url)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.push_str("\n圆满结束\tblock\t测试新增\n");
        let resp = http
            .put(&url)
            .bearer_auth(&admin)
            .body(text)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let (s, v) = act(&http, &b, &chief, id, "publish", None).await;
        assert_eq!(s, 422, "the edited dictionary blocks publication: {v}");
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn scheduled_article_publishes_once_with_two_nodes() {
    for db in TestDb::all("scheduled_article_publishes_once_with_two_nodes").await {
        add_users(&db, STAFF).await;
        let a = Server::start(&db, false).await;
        let bnode = Server::start(&db, false).await;
        let http = client();
        let base = a.base.clone();
        let reporter = sign_in(&http, &base, "reporter").await;
        let r1 = sign_in(&http, &base, "r1").await;
        let r2 = sign_in(&http, &bnode.base, "r2").await;
        let chief = sign_in(&http, &bnode.base, "chief").await;
        // Sessions live in the database: a token from one node works on the other.
        let (s, me) = get_auth(&http, &format!("{}/api/v1/session", bnode.base), &reporter).await;
        assert_eq!(s, 200);
        assert_eq!(me["user"]["login"], "reporter");
        let id = create(&http, &base, &reporter, "定时发布的稿件").await;
        assert_eq!(
            act(&http, &base, &reporter, id, "submit", None).await.0,
            200
        );
        assert_eq!(act(&http, &base, &r1, id, "approve", None).await.0, 200);
        assert_eq!(
            act(&http, &bnode.base, &r2, id, "approve", None).await.0,
            200
        );
        assert_eq!(
            act(&http, &bnode.base, &chief, id, "approve", None).await.0,
            200
        );
        let url = format!("{}/api/v1/articles/{id}/actions", bnode.base);
        let (s, _) = post_json(&http, &url, Some(&chief), json!({"action": "schedule"})).await;
        assert_eq!(s, 422, "schedule needs at");
        let (s, _) = post_json(
            &http,
            &url,
            Some(&chief),
            json!({"action": "schedule", "at": "2001-01-01T00:00:00+08:00"}),
        )
        .await;
        assert_eq!(s, 422, "in the past");
        let (s, _) = post_json(
            &http,
            &url,
            Some(&chief),
            json!({"action": "schedule", "at": "not a time"}),
        )
        .await;
        assert_eq!(s, 422);
        let at = (chrono::Utc::now() + chrono::Duration::seconds(2))
            .with_timezone(&rongmei_core::SHANGHAI);
        let (s, v) = post_json(
            &http,
            &url,
            Some(&chief),
            json!({"action": "schedule", "at": at.to_rfc3339()}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "scheduled");
        assert_eq!(
            http.get(format!("{base}/api/v1/articles/{id}"))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        let mut published = false;
        for _ in 0..80 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if http
                .get(format!("{base}/api/v1/articles/{id}"))
                .send()
                .await
                .unwrap()
                .status()
                == 200
            {
                published = true;
                break;
            }
        }
        assert!(published, "the scheduled article went out");
        // Give the other node's scheduler a few more ticks to (wrongly) publish again.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let (_, audit) =
            get_auth(&http, &format!("{base}/api/v1/audit?article={id}"), &chief).await;
        let publishes: Vec<&Value> = audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["what"] == "publish")
            .collect();
        assert_eq!(publishes.len(), 1, "{audit}");
        assert_eq!(publishes[0]["who"], "system:scheduler");
        let v: Value = http
            .get(format!("{base}/api/v1/articles/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let when =
            chrono::DateTime::parse_from_rfc3339(v["published_at"].as_str().unwrap()).unwrap();
        assert_eq!(
            when.timestamp(),
            at.timestamp(),
            "published at the scheduled time"
        );
        a.stop().await;
        bnode.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn history_names_the_columns_an_edit_moved_between() {
    for db in TestDb::all("history_names_the_columns_an_edit_moved_between").await {
        add_users(&db, STAFF).await;
        // A second column, made the way columns come into being: by an import naming it.
        let store = db.store().await.unwrap();
        let rec = rongmei_import::parse_jsonl(
            std::path::Path::new("x.jsonl"),
            r#"{"title":"校园速递","column":"校园生活","body":"一段。","source_id":"col:1"}"#,
        )
        .unwrap();
        store
            .import(&[rec[0].article.clone()], &|_| {})
            .await
            .unwrap();
        store.close().await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let reporter = sign_in(&http, &b, "reporter").await;
        let id = create(&http, &b, &reporter, "换栏目的稿件").await;
        let (s, v) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            &reporter,
            json!({"title": "换栏目的稿件", "column": "校园生活", "body": "<p>正文。</p>", "revision": 1}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let html = http
            .get(format!("{b}/newsroom/articles/{id}/history"))
            .bearer_auth(&reporter)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("p.diff-meta").unwrap();
        let change = doc
            .select(&sel)
            .map(|p| p.text().collect::<String>())
            .find(|t| t.starts_with("栏目"))
            .unwrap_or_else(|| panic!("{}: no column change shown", db.label));
        assert_eq!(change, "栏目：新闻 → 校园生活", "{}", db.label);
        srv.stop().await;
        db.cleanup().await;
    }
}

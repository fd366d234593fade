//! The newsroom over real HTTP: accounts, the three-stage review with separation of duties,
//! revisions, the audit log, publication checks, CSRF, lockouts, scheduling and retraction, on
//! SQLite and (when configured) PostgreSQL.

use std::time::Duration;

use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{Server, act, add_users, get_auth, get_json, post_json, put_json, sign_in};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

const STAFF: &[(&str, &str)] = &[
    ("reporter", "reporter"),
    ("reporter2", "reporter"),
    ("r1", "reviewer1"),
    ("r2", "reviewer2"),
    ("both", "reviewer1,reviewer2"),
    ("chief", "chief"),
    ("admin", "admin"),
];

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
        assert_eq!(act(&http, &b, &r1, id, "approve", None).await.0, 409);
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
                .contains("two stages")
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
        assert!(!preview.contains("<script"), "previews count no views");
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
                assert!(e["when"].as_str().is_some() && e["ip"] == "127.0.0.1");
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
        assert_eq!(
            http.get(format!("{b}/api/v1/articles/{id}"))
                .send()
                .await
                .unwrap()
                .status(),
            404
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
async fn sign_in_lockout_logout_and_accounts() {
    for db in TestDb::all("sign_in_lockout_logout_and_accounts").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let url = format!("{b}/api/v1/session");
        let (s, v) = post_json(
            &http,
            &url,
            None,
            json!({"login": "reporter", "password": "wrong password"}),
        )
        .await;
        assert_eq!(s, 401, "{v}");
        let (s, _) = post_json(
            &http,
            &url,
            None,
            json!({"login": "nobody", "password": "wrong password"}),
        )
        .await;
        assert_eq!(s, 401);
        let (s, _) = post_json(&http, &url, None, json!({"login": "reporter"})).await;
        assert_eq!(s, 422);
        for _ in 1..10 {
            assert_eq!(
                post_json(
                    &http,
                    &url,
                    None,
                    json!({"login": "reporter", "password": "nope"})
                )
                .await
                .0,
                401
            );
        }
        // Ten failures: even the right password is refused for 15 minutes.
        let (s, v) = post_json(
            &http,
            &url,
            None,
            json!({"login": "reporter", "password": common::PASSWORD}),
        )
        .await;
        assert_eq!(s, 429, "{v}");
        // Other logins are unaffected.
        let admin = sign_in(&http, &b, "admin").await;
        let chief = sign_in(&http, &b, "chief").await;

        // User management is for admins.
        let users = format!("{b}/api/v1/users");
        assert_eq!(get_auth(&http, &users, &chief).await.0, 403);
        let (s, list) = get_auth(&http, &users, &admin).await;
        assert_eq!(s, 200);
        assert_eq!(list.as_array().unwrap().len(), STAFF.len());
        let (s, v) = post_json(
            &http,
            &users,
            Some(&chief),
            json!({"login": "x1", "role": "reporter", "password": "long enough pw"}),
        )
        .await;
        assert_eq!(s, 403, "{v}");
        let (s, v) = post_json(&http, &users, Some(&admin), json!({"login": "newbie", "name": "新同事", "role": "reporter", "password": "long enough pw"})).await;
        assert_eq!(s, 201, "{v}");
        let newbie_id = v["id"].as_i64().unwrap();
        assert_eq!(
            post_json(
                &http,
                &users,
                Some(&admin),
                json!({"login": "newbie", "role": "reporter", "password": "long enough pw"})
            )
            .await
            .0,
            409
        );
        assert_eq!(
            post_json(
                &http,
                &users,
                Some(&admin),
                json!({"login": "n2", "role": "editor", "password": "long enough pw"})
            )
            .await
            .0,
            422
        );
        assert_eq!(
            post_json(
                &http,
                &users,
                Some(&admin),
                json!({"login": "n3", "role": "reporter", "password": "short"})
            )
            .await
            .0,
            422
        );

        // Signing in, changing the password, signing out.
        let (s, v) = post_json(
            &http,
            &url,
            None,
            json!({"login": "newbie", "password": "long enough pw"}),
        )
        .await;
        assert_eq!(s, 200);
        let newbie = v["token"].as_str().unwrap().to_string();
        let (s, _) = post_json(
            &http,
            &format!("{b}/api/v1/me/password"),
            Some(&newbie),
            json!({"current": "wrong", "new": "another long pw"}),
        )
        .await;
        assert_eq!(s, 403);
        let (s, _) = post_json(
            &http,
            &format!("{b}/api/v1/me/password"),
            Some(&newbie),
            json!({"current": "long enough pw", "new": "another long pw"}),
        )
        .await;
        assert_eq!(s, 204);
        assert_eq!(
            post_json(
                &http,
                &url,
                None,
                json!({"login": "newbie", "password": "long enough pw"})
            )
            .await
            .0,
            401
        );
        assert_eq!(
            post_json(
                &http,
                &url,
                None,
                json!({"login": "newbie", "password": "another long pw"})
            )
            .await
            .0,
            200
        );
        let resp = http.delete(&url).bearer_auth(&newbie).send().await.unwrap();
        assert_eq!(resp.status(), 204);
        assert_eq!(
            get_auth(&http, &url, &newbie).await.0,
            401,
            "the token ends with the session"
        );

        // A disabled account cannot sign in and its sessions end.
        let (s, _) = post_json(
            &http,
            &url,
            None,
            json!({"login": "newbie", "password": "another long pw"}),
        )
        .await;
        assert_eq!(s, 200);
        let resp = http
            .patch(format!("{users}/{newbie_id}"))
            .bearer_auth(&admin)
            .json(&json!({"disabled": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(
            post_json(
                &http,
                &url,
                None,
                json!({"login": "newbie", "password": "another long pw"})
            )
            .await
            .0,
            401
        );
        // One address trying many logins is slowed down too (30 a minute on a node).
        let mut limited = false;
        for n in 0..40 {
            let (s, _) = post_json(
                &http,
                &url,
                None,
                json!({"login": format!("guess{n}"), "password": "guess"}),
            )
            .await;
            if s == 429 {
                limited = true;
                break;
            }
            assert_eq!(s, 401);
        }
        assert!(limited, "per-address sign-in limit");
        srv.stop().await;
        db.cleanup().await;
    }
}

/// The CSRF token from a newsroom page's form.
fn csrf_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("input[name=csrf]").unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("a csrf field")
        .to_string()
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token() {
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let srv = Server::start(&db, false).await;
    let http = client();
    let b = srv.base.clone();
    // The newsroom without a session sends to the sign-in page.
    let resp = http
        .get(format!("{b}/newsroom/articles/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/newsroom/login?next=")
    );
    // A sign-in form posted from another site is refused.
    let resp = http
        .post(format!("{b}/newsroom/login"))
        .header("origin", "https://evil.example")
        .form(&[("login", "reporter"), ("password", common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = http
        .post(format!("{b}/newsroom/login"))
        .form(&[
            ("login", "reporter"),
            ("password", common::PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/newsroom", "no open redirect");
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        resp.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("HttpOnly")
    );
    let form_page = http
        .get(format!("{b}/newsroom/articles/new"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(form_page.status(), 200);
    let csrf = csrf_of(&form_page.text().await.unwrap());
    let fields = |token: &str| {
        vec![
            ("csrf", token.to_string()),
            ("title", "表单稿件".to_string()),
            ("column", "news".to_string()),
            ("body", "第一段\n第二段".to_string()),
        ]
    };
    for bad in ["", "0000"] {
        let resp = http
            .post(format!("{b}/newsroom/articles"))
            .header("cookie", &cookie)
            .form(&fields(bad))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "csrf {bad:?}");
    }
    let resp = http
        .post(format!("{b}/newsroom/articles"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form(&fields(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "right token, wrong origin");
    let resp = http
        .post(format!("{b}/newsroom/articles"))
        .header("cookie", &cookie)
        .form(&fields(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/newsroom/articles/"));
    // The JSON API with the cookie needs the token in a header; with a bearer it does not.
    let body = json!({"title": "接口稿件", "column": "news", "body": "正文"});
    let resp = http
        .post(format!("{b}/api/v1/articles"))
        .header("cookie", &cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = http
        .post(format!("{b}/api/v1/articles"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let token = sign_in(&http, &b, "reporter").await;
    assert_eq!(
        post_json(&http, &format!("{b}/api/v1/articles"), Some(&token), body)
            .await
            .0,
        201
    );
    // Logging out needs the token too, then the cookie opens nothing.
    let resp = http
        .post(format!("{b}/newsroom/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = http
        .post(format!("{b}/newsroom/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let resp = http
        .get(format!("{b}{loc}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "signed out");
    srv.stop().await;
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
        // A new block word in the dictionary file counts without a restart.
        let dict = srv.data_dir().join("dictionaries").join("sensitive.txt");
        let mut text = std::fs::read_to_string(&dict).unwrap();
        text.push_str("\n圆满结束\tblock\t测试新增\n");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        std::fs::write(&dict, text).unwrap();
        let mut blocked = false;
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let (s, _) = act(&http, &b, &chief, id, "publish", None).await;
            if s == 422 {
                blocked = true;
                break;
            }
            assert_ne!(s, 200, "published before the dictionary reloaded");
        }
        assert!(blocked, "the edited dictionary blocks publication");
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

/// A small real PNG, encoded by the image crate the media store decodes with.
fn png_bytes() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

#[tokio::test]
async fn images_upload_and_serve() {
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let srv = Server::start(&db, false).await;
    let http = client();
    let b = srv.base.clone();
    let token = sign_in(&http, &b, "reporter").await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        http.post(format!("{b}/api/v1/media"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
    };
    let resp = upload(png_bytes(), "dot.png").await.unwrap();
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    let url = v["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/media/"));
    let img = http.get(format!("{b}{url}")).send().await.unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/png");
    assert_eq!(img.bytes().await.unwrap().as_ref(), png_bytes().as_slice());
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec();
    assert_eq!(upload(svg, "x.svg").await.unwrap().status(), 422);
    assert_eq!(
        upload(b"not an image at all".to_vec(), "x.gif")
            .await
            .unwrap()
            .status(),
        422
    );
    let mut truncated = png_bytes();
    truncated.truncate(truncated.len() / 2);
    assert_eq!(
        upload(truncated, "cut.png").await.unwrap().status(),
        422,
        "a truncated image is refused, not stored"
    );
    assert_eq!(
        http.get(format!("{b}/media/../rongmei.sqlite"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png_bytes()).file_name("a.png"),
    );
    let resp = http
        .post(format!("{b}/api/v1/media"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    srv.stop().await;
}

/// What the editor inserts on paste comes from the server's sanitiser: Word and WeChat markup
/// keeps paragraphs, headings, bold, links and images and loses the rest.
#[tokio::test]
async fn pastes_from_word_and_wechat_are_cleaned_on_the_server() {
    const WORD: &str = include_str!("../../rongmei-html/tests/fixtures/word.html");
    const WECHAT: &str = include_str!("../../rongmei-html/tests/fixtures/wechat.html");
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let srv = Server::start(&db, false).await;
    let http = client();
    let b = srv.base.clone();
    let token = sign_in(&http, &b, "reporter").await;
    let url = format!("{b}/api/v1/sanitize");
    let (s, _) = post_json(&http, &url, None, json!({"html": WORD})).await;
    assert_eq!(s, 401);
    for (name, src, wants) in [
        ("word", WORD, &["h2", "p", "b, strong", "a[href]"][..]),
        (
            "wechat",
            WECHAT,
            &[
                "p",
                "strong",
                "a[href]",
                "img[src^='https://mmbiz.qpic.cn/']",
            ][..],
        ),
    ] {
        let (s, v) = post_json(&http, &url, Some(&token), json!({"html": src})).await;
        assert_eq!(s, 200, "{name}: {v}");
        let html = v["html"].as_str().unwrap();
        let doc = scraper::Html::parse_fragment(html);
        for want in wants {
            let sel = scraper::Selector::parse(want).unwrap();
            assert!(
                doc.select(&sel).next().is_some(),
                "{name}: no {want} in {html}"
            );
        }
        for gone in [
            "style=", "class=", "mso-", "<o:p", "<span", "<section", "data-src", "<!--",
        ] {
            assert!(!html.contains(gone), "{name}: {gone} survived in {html}");
        }
    }
    srv.stop().await;
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

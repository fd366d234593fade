//! Every write endpoint refuses oversized and hostile input before the database, on SQLite and
//! PostgreSQL alike: 422 naming the field (413 for a body too large to read), in Chinese, and
//! never a 500. The limits are listed in the README.

use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{STAFF, Server, act, add_users, client, patch_json, post_json, put_json, sign_in};

/// Asserts a refusal naming `field` with a Chinese message.
fn refused(what: &str, (status, v): (u16, Value), field: &str) {
    assert_eq!(status, 422, "{what}: {v}");
    assert_eq!(v["error"]["code"], "unprocessable", "{what}: {v}");
    assert_eq!(v["error"]["details"]["field"], field, "{what}: {v}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: a Chinese message, not {message:?}"
    );
}

#[tokio::test]
async fn oversized_fields_are_refused_on_every_write_endpoint() {
    for db in TestDb::all("oversized_fields_are_refused_on_every_write_endpoint").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let reporter = sign_in(&http, &b, "reporter").await;
        let admin = sign_in(&http, &b, "admin").await;
        let long = |n: usize| "长".repeat(n);

        // Sign-in: a 2.7 KB login reached PostgreSQL's index before (a 500).
        let session = format!("{b}/api/v1/session");
        let login = "a".repeat(2700);
        refused(
            "login",
            post_json(
                &http,
                &session,
                None,
                json!({"login": login, "password": "x"}),
            )
            .await,
            "login",
        );
        refused(
            "password",
            post_json(
                &http,
                &session,
                None,
                json!({"login": "reporter", "password": "p".repeat(257)}),
            )
            .await,
            "password",
        );

        // Articles, created and edited.
        let articles = format!("{b}/api/v1/articles");
        let ok = json!({"title": "标题", "column": "news", "body": "<p>正文</p>"});
        let with = |k: &str, v: Value| {
            let mut o = ok.clone();
            o[k] = v;
            o
        };
        let cases = [
            ("title", with("title", json!(long(201)))),
            ("tags", with("tags", json!([long(3000)]))),
            (
                "tags",
                with(
                    "tags",
                    json!((0..21).map(|i| format!("标签{i}")).collect::<Vec<_>>()),
                ),
            ),
            ("summary", with("summary", json!(long(501)))),
            ("column", with("column", json!("c".repeat(65)))),
            (
                "bylines",
                with("bylines", json!([{"role": long(17), "name": "张三"}])),
            ),
            (
                "bylines",
                with("bylines", json!([{"role": "文字", "name": long(65)}])),
            ),
            (
                "bylines",
                with(
                    "bylines",
                    json!((0..21).map(|i| format!("文字：张{i}")).collect::<Vec<_>>()),
                ),
            ),
        ];
        for (field, body) in &cases {
            refused(
                &format!("create {field}"),
                post_json(&http, &articles, Some(&reporter), body.clone()).await,
                field,
            );
        }
        let (s, v) = post_json(&http, &articles, Some(&reporter), ok.clone()).await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        let article = format!("{b}/api/v1/articles/{id}");
        for (field, body) in &cases {
            let patch = json!({ *field: body[*field].clone() });
            refused(
                &format!("edit {field}"),
                put_json(&http, &article, &reporter, patch).await,
                field,
            );
        }
        let huge = format!("<p>{}</p>", "字".repeat(800_000));
        let (s, v) = put_json(&http, &article, &reporter, json!({"body": huge})).await;
        assert_eq!(s, 413, "a 2.4 MB body: {v}");

        // Comments, actions and their times.
        refused(
            "comment",
            post_json(
                &http,
                &format!("{article}/comments"),
                Some(&reporter),
                json!({"comment": long(2001)}),
            )
            .await,
            "comment",
        );
        refused(
            "action comment",
            act(&http, &b, &reporter, id, "submit", Some(&long(2001))).await,
            "comment",
        );
        refused(
            "schedule time",
            post_json(
                &http,
                &format!("{article}/actions"),
                Some(&reporter),
                json!({"action": "schedule", "at": "9".repeat(41)}),
            )
            .await,
            "at",
        );

        // Accounts.
        let users = format!("{b}/api/v1/users");
        let new_user = json!({"login": "newbie", "name": "新同事", "role": "reporter", "password": "long enough pw"});
        let user_with = |k: &str, v: Value| {
            let mut o = new_user.clone();
            o[k] = v;
            o
        };
        for (field, body) in [
            ("login", user_with("login", json!("n".repeat(33)))),
            ("name", user_with("name", json!(long(65)))),
            ("role", user_with("role", json!("reporter,".repeat(20)))),
            ("password", user_with("password", json!("p".repeat(257)))),
        ] {
            refused(
                &format!("user {field}"),
                post_json(&http, &users, Some(&admin), body).await,
                field,
            );
        }
        let (s, v) = post_json(&http, &users, Some(&admin), new_user.clone()).await;
        assert_eq!(s, 201, "{v}");
        let newbie = v["id"].as_i64().unwrap();
        // Logins are one account whatever the case.
        let (s, v) = post_json(
            &http,
            &users,
            Some(&admin),
            user_with("login", json!("NEWBIE")),
        )
        .await;
        assert_eq!(s, 409, "{v}");
        refused(
            "patch role",
            patch_json(
                &http,
                &format!("{users}/{newbie}"),
                &admin,
                json!({"role": "x".repeat(101)}),
            )
            .await,
            "role",
        );
        refused(
            "patch password",
            patch_json(
                &http,
                &format!("{users}/{newbie}"),
                &admin,
                json!({"password": "p".repeat(257)}),
            )
            .await,
            "password",
        );
        refused(
            "own password",
            post_json(
                &http,
                &format!("{b}/api/v1/me/password"),
                Some(&reporter),
                json!({"current": common::PASSWORD, "new": "p".repeat(257)}),
            )
            .await,
            "new",
        );

        // Dictionaries: a "word" of 3,000 characters is named by its line.
        let r = http
            .put(format!("{b}/api/v1/dictionaries/sensitive"))
            .bearer_auth(&admin)
            .header("content-type", "text/plain; charset=utf-8")
            .body(format!("{}\tblock\n", long(3000)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"]["message"].as_str().unwrap().contains("过长"),
            "{v}"
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

/// Control characters, CR/LF, invalid UTF-8 and markup in every field of every write: refused
/// or stored as text, never a 500, never live.
#[tokio::test]
async fn hostile_input_is_never_a_server_error() {
    for db in TestDb::all("hostile_input_is_never_a_server_error").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let reporter = sign_in(&http, &b, "reporter").await;
        let admin = sign_in(&http, &b, "admin").await;
        let nasty = [
            "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}标题",
            "第一行\r\n第二行\rSet-Cookie: x=1",
            "<script>alert(1)</script><img src=x onerror=alert(1)>",
            "\u{feff}\u{200b}\u{202e}反向",
            "\u{fffe}\u{ffff}",
        ];
        let mut created = Vec::new();
        for s in nasty {
            for field in ["title", "summary", "column"] {
                let mut body = json!({"title": "标题", "column": "news", "body": "<p>正文</p>"});
                body[field] = json!(s);
                let (st, v) = post_json(
                    &http,
                    &format!("{b}/api/v1/articles"),
                    Some(&reporter),
                    body,
                )
                .await;
                assert!(st < 500, "{field} {s:?}: {st} {v}");
                if st == 201 {
                    created.push(v["id"].as_i64().unwrap());
                }
            }
            let body =
                json!({"title": "标题", "column": "news", "body": s, "tags": [s], "bylines": [s]});
            let (st, v) = post_json(
                &http,
                &format!("{b}/api/v1/articles"),
                Some(&reporter),
                body,
            )
            .await;
            assert!(st < 500, "body/tags/bylines {s:?}: {st} {v}");
            for (url, body) in [
                (
                    format!("{b}/api/v1/session"),
                    json!({"login": s, "password": s}),
                ),
                (
                    format!("{b}/api/v1/users"),
                    json!({"login": s, "name": s, "role": s, "password": s}),
                ),
                (format!("{b}/api/v1/sanitize"), json!({"html": s})),
                (
                    format!("{b}/api/v1/checks"),
                    json!({"title": s, "body": s, "tags": [s]}),
                ),
            ] {
                let (st, v) = post_json(&http, &url, Some(&admin), body).await;
                assert!(st < 500, "{url} {s:?}: {st} {v}");
            }
            if let Some(&id) = created.first() {
                let (st, v) = post_json(
                    &http,
                    &format!("{b}/api/v1/articles/{id}/comments"),
                    Some(&reporter),
                    json!({"comment": s}),
                )
                .await;
                assert!(st < 500, "comment {s:?}: {st} {v}");
                let (st, v) = act(&http, &b, &reporter, id, "schedule", Some(s)).await;
                assert!(st < 500, "action {s:?}: {st} {v}");
            }
        }
        // Bytes that are not UTF-8, as JSON and as a form.
        for (path, ct) in [
            ("/api/v1/articles", "application/json"),
            ("/api/v1/session", "application/json"),
            ("/newsroom/login", "application/x-www-form-urlencoded"),
        ] {
            let r = http
                .post(format!("{b}{path}"))
                .bearer_auth(&reporter)
                .header("content-type", ct)
                .body(b"{\"title\": \"\xff\xfe\xc3\x28\", \"login\": \"\xff\"}login=%FF%FE&password=\xff".to_vec())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            assert!((400..500).contains(&status), "{path}: {status} {text}");
            assert!(
                text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{path}: the refusal is in Chinese: {text}"
            );
        }
        // Whatever was stored renders as text: no live markup on the newsroom's article page.
        let cookie = format!("rm_session={reporter}");
        for id in created {
            let page = http
                .get(format!("{b}/newsroom/articles/{id}"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), 200);
            let html = page.text().await.unwrap();
            // Shown as text is fine; live is an element or an attribute.
            let doc = scraper::Html::parse_document(&html);
            let live =
                scraper::Selector::parse("[onerror], img[src=x], script:not([src])").unwrap();
            let found: Vec<String> = doc.select(&live).map(|e| e.html()).collect();
            assert!(found.is_empty(), "{id}: {found:?}");
            if let Some(at) = html.find(['\u{0}', '\u{8}']) {
                let from = html.floor_char_boundary(at.saturating_sub(200));
                panic!("{id}: a control character in {:?}", &html[from..at + 1]);
            }
        }
        srv.stop().await;
        db.cleanup().await;
    }
}

/// Errors the web framework itself raises (a path that is no number, a wrong content type, a
/// body that is no JSON) are in Chinese too: pages for browsers, JSON for the API.
#[tokio::test]
async fn framework_errors_speak_chinese() {
    for db in TestDb::all("framework_errors_speak_chinese").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let reporter = sign_in(&http, &b, "reporter").await;
        let chinese = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let r = http
            .post(format!("{b}/api/v1/articles"))
            .bearer_auth(&reporter)
            .header("content-type", "text/plain")
            .body("title=x")
            .send()
            .await
            .unwrap();
        assert!((400..500).contains(&r.status().as_u16()));
        let v: Value = r.json().await.unwrap();
        assert!(chinese(v["error"]["message"].as_str().unwrap()), "{v}");
        assert!(v["error"]["code"].as_str().unwrap().is_ascii(), "{v}");
        let r = http
            .post(format!("{b}/api/v1/articles"))
            .bearer_auth(&reporter)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert!(chinese(v["error"]["message"].as_str().unwrap()), "{v}");
        for path in [
            "/articles/%FF",
            "/newsroom/articles/abc",
            "/columns/%E0%A4%A",
        ] {
            let r = http
                .get(format!("{b}{path}"))
                .header("cookie", format!("rm_session={reporter}"))
                .send()
                .await
                .unwrap();
            assert!((400..500).contains(&r.status().as_u16()), "{path}");
            let text = r.text().await.unwrap();
            assert!(chinese(&text), "{path}: {text}");
            assert!(!text.contains("Invalid URL"), "{path}: {text}");
        }
        let r = http
            .post(format!("{b}/newsroom/login"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let text = r.text().await.unwrap();
        assert!(
            chinese(&text) && !text.contains("Form requests must"),
            "{text}"
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

//! The newsroom tried as a hostile user would, over real HTTP on SQLite and PostgreSQL: fair
//! lockouts, private drafts, accountable edits, retracted media, and the headers every newsroom
//! page sends. Input limits are in `limits.rs`.

use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{
    PASSWORD, STAFF, Server, act, add_users, client, get_auth, get_json, png_bytes, post_json,
    put_json, sign_in, sign_in_all,
};

/// One sign-in attempt from `ip` (the server trusts `X-Forwarded-For` from loopback).
async fn sign_in_from(
    http: &reqwest::Client,
    base: &str,
    login: &str,
    password: &str,
    ip: &str,
) -> (u16, Value) {
    let r = http
        .post(format!("{base}/api/v1/session"))
        .header("x-forwarded-for", ip)
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .expect("sign in");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn create(http: &reqwest::Client, base: &str, token: &str, title: &str) -> i64 {
    let (status, v) = post_json(
        http,
        &format!("{base}/api/v1/articles"),
        Some(token),
        json!({"title": title, "column": "news",
               "body": "<p>学校召开主题教育总结大会，全体师生参加。</p><p>会议由校党委书记主持。</p>",
               "tags": ["主题教育"], "bylines": ["文字：张三", {"role": "摄影", "name": "李四"}]}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    v["id"].as_i64().expect("id")
}

#[tokio::test]
async fn an_attacker_cannot_lock_the_chief_out() {
    for db in TestDb::all("an_attacker_cannot_lock_the_chief_out").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, true).await;
        let http = client();
        let b = srv.base.clone();

        // Ten wrong passwords from one address close that address to this login only.
        for _ in 0..10 {
            let (s, v) = sign_in_from(&http, &b, "chief", "wrong guess", "198.51.100.7").await;
            assert_eq!(s, 401, "{v}");
        }
        let r = http
            .post(format!("{b}/api/v1/session"))
            .header("x-forwarded-for", "198.51.100.7")
            .json(&json!({"login": "chief", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429, "{}", db.label);
        assert_eq!(
            r.headers()["retry-after"],
            "900",
            "the whole window, in seconds"
        );
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"]["message"].as_str().unwrap().contains("再试"),
            "{v}"
        );
        // The chief at their own desk is not shut out.
        let (s, v) = sign_in_from(&http, &b, "chief", PASSWORD, "192.0.2.10").await;
        assert_eq!(s, 200, "{}: {v}", db.label);

        // Now from many addresses: the login is under attack, so an address that just failed
        // waits before its next try, while a fresh address still reaches the password check.
        for i in 0..20 {
            let ip = format!("203.0.113.{i}");
            let (s, _) = sign_in_from(&http, &b, "chief", "guess", &ip).await;
            assert_eq!(s, 401);
        }
        // Each failure costs a password hash (about a second in a debug build), so the address
        // under test tries again at once, within its back-off.
        let (s, _) = sign_in_from(&http, &b, "chief", "guess", "203.0.113.50").await;
        assert_eq!(s, 401);
        let (s, v) = sign_in_from(&http, &b, "chief", "guess again", "203.0.113.50").await;
        assert_eq!(s, 429, "an attacking address is slowed down: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("放慢"),
            "{v}"
        );
        // The attack counts for the account, not for one spelling of its login.
        let (s, _) = sign_in_from(&http, &b, "Chief", "guess", "203.0.113.50").await;
        assert_eq!(s, 429);
        let (s, v) = sign_in_from(&http, &b, "chief", PASSWORD, "192.0.2.11").await;
        assert_eq!(s, 200, "the right password from a fresh address: {v}");
        // Logins are not case-sensitive.
        let (s, v) = sign_in_from(&http, &b, "CHIEF", PASSWORD, "192.0.2.12").await;
        assert_eq!(s, 200, "{v}");

        // Admins see who is being attacked, from how many addresses.
        let admin = sign_in(&http, &b, "admin").await;
        let page = http
            .get(format!("{b}/newsroom/users"))
            .header("cookie", format!("rm_session={admin}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        let doc = scraper::Html::parse_document(&html);
        let rows: Vec<String> = doc
            .select(&scraper::Selector::parse("#attacked tbody tr").unwrap())
            .map(|r| r.text().collect::<Vec<_>>().join("|"))
            .collect();
        assert!(
            rows.iter().any(|r| r.starts_with("chief|31|22|")),
            "{rows:?}"
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_draft_belongs_to_its_author_until_submitted() {
    for db in TestDb::all("a_draft_belongs_to_its_author_until_submitted").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let [reporter, reporter2, r1, r2, chief] =
            sign_in_all(&http, &b, ["reporter", "reporter2", "r1", "r2", "chief"]).await;
        let id = create(&http, &b, &reporter, "【草稿】尚未送审的稿件").await;

        let article = format!("{b}/api/v1/newsroom/articles/{id}");
        let revisions = format!("{b}/api/v1/articles/{id}/revisions");
        let audit = format!("{b}/api/v1/audit?article={id}");
        for (who, token) in [("reporter2", &reporter2), ("r1", &r1), ("r2", &r2)] {
            for url in [&article, &revisions, &audit] {
                let (s, v) = get_auth(&http, url, token).await;
                assert_eq!(s, 403, "{who} reads {url} on {}: {v}", db.label);
                assert_eq!(v["error"]["code"], "forbidden");
            }
            let (s, _) = post_json(
                &http,
                &format!("{b}/api/v1/articles/{id}/comments"),
                Some(token),
                json!({"comment": "我也来看看"}),
            )
            .await;
            assert_eq!(s, 403, "{who} comments");
            let (s, _) = put_json(
                &http,
                &format!("{b}/api/v1/articles/{id}"),
                token,
                json!({"title": "改"}),
            )
            .await;
            assert_eq!(s, 403, "{who} edits");
            let (_, list) = get_auth(&http, &format!("{b}/api/v1/newsroom/articles"), token).await;
            assert!(
                !list.to_string().contains("尚未送审的稿件"),
                "{who} does not list another's draft: {list}"
            );
        }
        for token in [&reporter, &chief] {
            assert_eq!(get_auth(&http, &article, token).await.0, 200);
        }
        let (_, list) = get_auth(&http, &format!("{b}/api/v1/newsroom/articles"), &reporter).await;
        assert!(list.to_string().contains("尚未送审的稿件"));

        // Submitted: stage one's reviewers read it; the second stage not yet.
        assert_eq!(act(&http, &b, &reporter, id, "submit", None).await.0, 200);
        assert_eq!(get_auth(&http, &article, &r1).await.0, 200);
        assert_eq!(get_auth(&http, &article, &r2).await.0, 403);
        assert_eq!(get_auth(&http, &article, &reporter2).await.0, 403);
        // Client addresses in the audit log are for admins and chiefs.
        let (s, lines) = get_auth(&http, &audit, &r1).await;
        assert_eq!(s, 200);
        let lines = lines.as_array().unwrap();
        assert!(!lines.is_empty());
        assert!(lines.iter().all(|l| l.get("ip").is_none()), "{lines:?}");
        let (_, lines) = get_auth(&http, &audit, &reporter).await;
        assert!(
            lines
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l.get("ip").is_none())
        );
        let (_, lines) = get_auth(&http, &audit, &chief).await;
        assert!(
            lines
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["ip"] == "127.0.0.1"),
            "{lines}"
        );
        // The whole log, unfiltered, is the same: no addresses for a reporter.
        let (_, lines) = get_auth(&http, &format!("{b}/api/v1/audit"), &reporter2).await;
        assert!(!lines.to_string().contains("127.0.0.1"), "{lines}");
        assert!(!lines.to_string().contains("尚未送审的稿件"), "{lines}");
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_reviewers_edit_shows_and_keeps_what_it_left_out() {
    for db in TestDb::all("a_reviewers_edit_shows_and_keeps_what_it_left_out").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let [reporter, r1, r2] = sign_in_all(&http, &b, ["reporter", "r1", "r2"]).await;
        let id = create(&http, &b, &reporter, "【评审】审核员修改正文").await;
        assert_eq!(act(&http, &b, &reporter, id, "submit", None).await.0, 200);

        // The body alone: title, tags and bylines stay, the editor is added as 编辑.
        let (s, v) = put_json(
            &http,
            &format!("{b}/api/v1/articles/{id}"),
            &r1,
            json!({"body": "<p>学校召开主题教育总结大会。</p>"}),
        )
        .await;
        assert_eq!(s, 200, "{}: {v}", db.label);
        let article = format!("{b}/api/v1/newsroom/articles/{id}");
        let (_, a) = get_auth(&http, &article, &r1).await;
        assert_eq!(a["title"], "【评审】审核员修改正文");
        let tags = a["tags"].as_array().unwrap();
        assert!(tags.contains(&json!("主题教育")), "{tags:?}");
        let bylines: Vec<(String, String)> = a["bylines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["role"].as_str().unwrap().into(),
                    b["name"].as_str().unwrap().into(),
                )
            })
            .collect();
        for want in [("文字", "张三"), ("摄影", "李四"), ("编辑", "r1")] {
            assert!(
                bylines.contains(&(want.0.into(), want.1.into())),
                "{want:?} in {bylines:?}"
            );
        }
        assert_eq!(act(&http, &b, &r1, id, "approve", None).await.0, 200);

        // The next stage sees what changed since submission, word by word.
        let (_, a) = get_auth(&http, &article, &r2).await;
        let since = &a["changed_since_submitted"];
        assert_eq!(since["editors"], json!(["r1"]), "{a}");
        assert!(since["revision"].as_i64() > since["submitted_revision"].as_i64());
        let diff = since["body_diff_html"].as_str().unwrap();
        assert!(
            diff.contains("<del>") && diff.contains("会议由校党委书记主持"),
            "{diff}"
        );
        let page = http
            .get(format!("{b}/newsroom/articles/{id}"))
            .header("cookie", format!("rm_session={r2}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("送审后已被修改"), "the page shows it too");

        // The author is told, in the article's log.
        let (_, log) = get_auth(&http, &format!("{b}/api/v1/audit?article={id}"), &reporter).await;
        let notice = log
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["comment"].as_str())
            .find(|c| c.starts_with("【修改通知】"))
            .expect("a notice for the author");
        assert!(notice.contains("正文") && notice.contains("r1"), "{notice}");

        // An article nobody touched after submission has no such section.
        let other = create(&http, &b, &reporter, "【评审】未经修改").await;
        assert_eq!(
            act(&http, &b, &reporter, other, "submit", None).await.0,
            200
        );
        let (_, a) = get_auth(&http, &format!("{b}/api/v1/newsroom/articles/{other}"), &r1).await;
        assert!(a.get("changed_since_submitted").is_none(), "{a}");
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn images_are_public_only_while_their_article_is() {
    for db in TestDb::all("images_are_public_only_while_their_article_is").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        let [reporter, r1, r2, chief] =
            sign_in_all(&http, &b, ["reporter", "r1", "r2", "chief"]).await;
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(png_bytes()).file_name("photo.png"),
        );
        let resp = http
            .post(format!("{b}/api/v1/media"))
            .bearer_auth(&reporter)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let url = resp.json::<Value>().await.unwrap()["url"]
            .as_str()
            .unwrap()
            .to_string();
        let anonymous = |u: String| http.get(u).send();
        // Not yet in a published article: members only, never cached by others.
        assert_eq!(anonymous(format!("{b}{url}")).await.unwrap().status(), 404);
        let mine = http
            .get(format!("{b}{url}"))
            .bearer_auth(&reporter)
            .send()
            .await
            .unwrap();
        assert_eq!(mine.status(), 200);
        assert_eq!(mine.headers()["cache-control"], "private, no-store");

        let (s, v) = post_json(
            &http,
            &format!("{b}/api/v1/articles"),
            Some(&reporter),
            json!({"title": "【图片】配图稿件", "column": "news",
                   "body": format!("<p>正文。</p><figure><img src=\"{url}\" alt=\"会场\"><figcaption>会场</figcaption></figure>")}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        for (t, action) in [
            (&reporter, "submit"),
            (&r1, "approve"),
            (&r2, "approve"),
            (&chief, "approve"),
            (&chief, "publish"),
        ] {
            let (s, v) = act(&http, &b, t, id, action, None).await;
            assert_eq!(s, 200, "{action}: {v}");
        }
        let public = anonymous(format!("{b}{url}")).await.unwrap();
        assert_eq!(public.status(), 200, "{}", db.label);
        assert_eq!(public.headers()["cache-control"], "public, max-age=86400");

        assert_eq!(
            act(&http, &b, &chief, id, "retract", Some("图片涉及隐私"))
                .await
                .0,
            200
        );
        // Retracted: gone for readers, as the article is (410 on the page and in the API).
        let mut gone = false;
        for _ in 0..100 {
            if anonymous(format!("{b}{url}")).await.unwrap().status() == 404 {
                gone = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(gone, "a retracted article's image stops being public");
        let v = get_json(&http, format!("{b}/api/v1/articles/{id}")).await;
        assert_eq!(v["error"]["code"], "gone", "{v}");
        assert_eq!(
            http.get(format!("{b}/api/v1/articles/{id}"))
                .send()
                .await
                .unwrap()
                .status(),
            410
        );
        srv.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn newsroom_pages_refuse_framing_and_outside_scripts() {
    for db in TestDb::all("newsroom_pages_refuse_framing_and_outside_scripts").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let b = srv.base.clone();
        for path in ["/newsroom/login", "/newsroom", "/admin/analytics"] {
            let r = http.get(format!("{b}{path}")).send().await.unwrap();
            let h = r.headers();
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            let csp = h["content-security-policy"].to_str().unwrap();
            for part in [
                "frame-ancestors 'none'",
                "script-src 'self'",
                "object-src 'none'",
            ] {
                assert!(csp.contains(part), "{path}: {csp}");
            }
            assert_eq!(h["x-content-type-options"], "nosniff");
        }
        // The public site may be embedded (WeChat, portals) but never sniffed.
        let r = http.get(format!("{b}/")).send().await.unwrap();
        assert!(r.headers().get("x-frame-options").is_none());
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");

        // A CR/LF in `next` is not a header: the sign-in lands on the newsroom, no 500.
        for next in [
            "/newsroom\r\nSet-Cookie: evil=1",
            "/newsroom\u{0}x",
            "//evil.example/",
        ] {
            let r = http
                .post(format!("{b}/newsroom/login"))
                .header("origin", &b)
                .form(&[
                    ("login", "reporter"),
                    ("password", PASSWORD),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{next:?}");
            assert_eq!(r.headers()["location"], "/newsroom", "{next:?}");
            let cookies: Vec<_> = r.headers().get_all("set-cookie").iter().collect();
            assert!(
                cookies
                    .iter()
                    .all(|c| !c.to_str().unwrap().contains("evil")),
                "{cookies:?}"
            );
        }
        srv.stop().await;
        db.cleanup().await;
    }
}

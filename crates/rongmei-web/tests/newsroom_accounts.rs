//! The newsroom's doors over real HTTP: sign-in, lockouts, accounts, CSRF on cookie sessions,
//! image uploads and paste clean-up.

use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

mod common;

use common::{
    STAFF, Server, add_users, client, cookie_of, csrf_of, get_auth, png_bytes, post_json, sign_in,
};

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
    // Not yet in a published article: for members only.
    let anonymous = http.get(format!("{b}{url}")).send().await.unwrap();
    assert_eq!(anonymous.status(), 404);
    let img = http
        .get(format!("{b}{url}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
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
async fn admins_edit_the_dictionaries_in_the_newsroom() {
    let db = TestDb::sqlite().await;
    add_users(&db, STAFF).await;
    let srv = Server::start(&db, false).await;
    let http = client();
    let b = srv.base.clone();
    let reporter = cookie_of(&http, &b, "reporter").await;
    let resp = http
        .get(format!("{b}/newsroom/dictionaries"))
        .header("cookie", &reporter)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "only admins");

    let admin = cookie_of(&http, &b, "admin").await;
    let page = http
        .get(format!("{b}/newsroom/dictionaries"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let areas = scraper::Selector::parse("textarea[name=text]").unwrap();
    assert_eq!(
        doc.select(&areas).count(),
        2,
        "sensitive words and expressions"
    );
    let csrf = csrf_of(&html);
    let save = |text: &str| {
        http.post(format!("{b}/newsroom/dictionaries/sensitive"))
            .header("cookie", &admin)
            .form(&[("csrf", csrf.as_str()), ("text", text)])
            .send()
    };
    // A bad line is refused, named, and what the admin typed stays in the form.
    let resp = save("好词\tblock\r\n坏行\tperhaps\r\n").await.unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("未保存") && html.contains("sensitive.txt:2"),
        "{html}"
    );
    assert!(html.contains("坏行\tperhaps"), "the typed text is kept");
    // A good one is saved (line ends as in the file format) and counted.
    let resp = save("# 测试\r\n好词\tblock\r\n").await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("已保存"));
    let token = sign_in(&http, &b, "admin").await;
    let text = http
        .get(format!("{b}/api/v1/dictionaries/sensitive"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "# 测试\n好词\tblock\n");
    srv.stop().await;
    db.cleanup().await;
}

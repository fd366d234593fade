//! Accounts are the database's, not a node's: a lockout earned across two nodes holds on both, a
//! session cookie from one node opens the newsroom on the other and signing out on one closes
//! it on both, and the database keeps only a hash of each session token.

mod common;

use common::{Server, add_users, client, cookie_of, csrf_of, post_json, sign_in};
use rongmei_store::testing::TestDb;
use serde_json::json;
use sqlx::{Connection, Row};

const STAFF: &[(&str, &str)] = &[("reporter", "reporter"), ("chief", "chief")];

#[tokio::test]
async fn a_lockout_and_a_session_hold_on_every_node() {
    for db in TestDb::all("a_lockout_and_a_session_hold_on_every_node").await {
        add_users(&db, STAFF).await;
        let a = Server::start(&db, false).await;
        let b = Server::start(&db, false).await;
        let http = client();

        // Ten wrong passwords, five on each node: the right one is refused on both.
        for (i, node) in [&a, &b].iter().cycle().take(10).enumerate() {
            let (s, v) = post_json(
                &http,
                &format!("{}/api/v1/session", node.base),
                None,
                json!({"login": "reporter", "password": format!("wrong {i}")}),
            )
            .await;
            assert_eq!(s, 401, "{}: failure {i}: {v}", db.label);
        }
        for node in [&a, &b] {
            let (s, v) = post_json(
                &http,
                &format!("{}/api/v1/session", node.base),
                None,
                json!({"login": "reporter", "password": common::PASSWORD}),
            )
            .await;
            assert_eq!(s, 429, "{}: locked out on {}: {v}", db.label, node.base);
        }

        // A cookie from node a opens the newsroom on node b, and b's form takes its CSRF token.
        let cookie = cookie_of(&http, &a.base, "chief").await;
        let page = http
            .get(format!("{}/newsroom/articles/new", b.base))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("form");
        assert_eq!(page.status(), 200, "{}: the session on b", db.label);
        let csrf = csrf_of(&page.text().await.expect("page"));
        // Signing out on b ends the session on a too.
        let out = http
            .post(format!("{}/newsroom/logout", b.base))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .expect("logout");
        assert_eq!(out.status(), 303, "{}", db.label);
        let after = http
            .get(format!("{}/newsroom/articles/new", a.base))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("form");
        assert_eq!(after.status(), 303, "{}: signed out everywhere", db.label);

        a.stop().await;
        b.stop().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_database_keeps_only_a_hash_of_each_session_token() {
    for db in TestDb::all("the_database_keeps_only_a_hash_of_each_session_token").await {
        add_users(&db, STAFF).await;
        let srv = Server::start(&db, false).await;
        let http = client();
        let bearer = sign_in(&http, &srv.base, "chief").await;
        let cookie = cookie_of(&http, &srv.base, "reporter").await;
        let cookie_token = cookie
            .split_once('=')
            .map(|(_, v)| v.to_string())
            .expect("name=value");
        let tokens = [bearer, cookie_token];

        let mut conn = sqlx::AnyConnection::connect(&db.url)
            .await
            .expect("connect");
        let rows = sqlx::query("SELECT token_hash, csrf_token FROM sessions")
            .fetch_all(&mut conn)
            .await
            .expect("sessions");
        assert_eq!(rows.len(), 2, "{}", db.label);
        let stored: Vec<String> = rows
            .iter()
            .flat_map(|r| {
                [
                    r.try_get::<String, _>("token_hash").expect("hash"),
                    r.try_get::<String, _>("csrf_token").expect("csrf"),
                ]
            })
            .collect();
        for token in &tokens {
            assert!(
                !stored.iter().any(|s| s.contains(token.as_str())),
                "{}: a session token is stored as it was handed out",
                db.label
            );
            let hash = rongmei_app::accounts::passwords::token_hash(token);
            assert!(
                stored.contains(&hash),
                "{}: the token's hash is what identifies the session",
                db.label
            );
        }
        conn.close().await.expect("close");
        srv.stop().await;
        db.cleanup().await;
    }
}

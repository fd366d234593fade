//! A graceful stop writes every counted view: SIGTERM (here, the server's shutdown signal) in
//! the middle of a burst of distinct readers, twenty times in a row, on SQLite and PostgreSQL.
//! Every view the server acknowledged is in the database afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rongmei_store::testing::TestDb;

mod common;

use common::{Server, seed_and_demo};

const ROUNDS: usize = 20;
const READERS: usize = 300;
const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

#[tokio::test]
async fn a_stop_in_mid_burst_loses_no_acknowledged_view() {
    for db in TestDb::all("a_stop_in_mid_burst_loses_no_acknowledged_view").await {
        let id = seed_and_demo(&db).await;
        let store = db.store().await.expect("store");
        let mut expected = store.views_of(id).await.expect("views").expect("article");
        for round in 0..ROUNDS {
            let srv = Server::start(&db, true).await;
            let http = reqwest::Client::builder()
                .user_agent(BROWSER)
                .pool_max_idle_per_host(0)
                .build()
                .expect("client");
            let done = Arc::new(AtomicUsize::new(0));
            let mut calls = Vec::new();
            for i in 0..READERS {
                let (http, url, done) = (
                    http.clone(),
                    format!("{}/articles/{id}", srv.base),
                    done.clone(),
                );
                // A reader no earlier round used: counted once, whatever the round.
                let ip = format!("10.{}.{}.{}", round + 1, i / 250, i % 250 + 1);
                calls.push(tokio::spawn(async move {
                    let ok = http
                        .get(url)
                        .header("x-forwarded-for", ip)
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200);
                    done.fetch_add(1, Ordering::SeqCst);
                    ok
                }));
            }
            // Stop while the burst is under way and flushes are being written.
            let stop_after = READERS / 4 + (round * 37) % (READERS / 2);
            while done.load(Ordering::SeqCst) < stop_after {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            srv.stop().await;
            let mut acknowledged: i64 = 0;
            for c in calls {
                if c.await.expect("call task") {
                    acknowledged += 1;
                }
            }
            let after = store.views_of(id).await.expect("views").expect("article");
            assert!(
                after >= expected + acknowledged,
                "{} round {round}: {acknowledged} views acknowledged, {} written",
                db.label,
                after - expected
            );
            assert!(
                after <= expected + READERS as i64,
                "never more than were sent"
            );
            expected = after;
        }
        store.close().await;
        db.cleanup().await;
    }
}

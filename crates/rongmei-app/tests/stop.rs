//! A stop never drops counted views: a flush blocked inside its database write when the node is
//! told to stop still writes its batch, on SQLite and PostgreSQL.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use rongmei_core::Channel;
use rongmei_store::testing::TestDb;
use sqlx::Connection;

mod common;

const READERS: u8 = 100;

#[tokio::test]
async fn a_stop_waits_for_the_flush_in_flight() {
    for db in TestDb::all("a_stop_waits_for_the_flush_in_flight").await {
        let (store, id) = common::seeded(&db).await;
        let before = store.views_of(id).await.expect("views").expect("article");
        let (app, _data) = common::open_app(&store).await;
        let background = app.spawn_background();

        // Another connection holds the article's row, so the next flush blocks inside its write.
        let mut other = sqlx::AnyConnection::connect(&db.url)
            .await
            .expect("connect");
        let mut tx = other.begin().await.expect("begin");
        sqlx::query("UPDATE articles SET views = views WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .expect("lock the row");
        for i in 1..=READERS {
            let ip = IpAddr::V4(Ipv4Addr::new(10, 9, 0, i));
            app.counter()
                .record(id, ip, "Mozilla/5.0 test reader", Channel::Direct);
        }
        // The periodic flush (every 250 ms) takes the batch and waits on the lock.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let stopping = tokio::spawn(background.stop());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!stopping.is_finished(), "the stop waits for the flush");
        tx.commit().await.expect("release the row");
        stopping.await.expect("stop");

        let after = store.views_of(id).await.expect("views").expect("article");
        assert_eq!(
            after,
            before + i64::from(READERS),
            "{}: every counted reader written",
            db.label
        );
        store.close().await;
        db.cleanup().await;
    }
}

//! What depends on the date, tested at the moment that matters: the application goes by an
//! injected clock, set here a second before midnight in Shanghai and moved past it.

use std::net::{IpAddr, Ipv4Addr};

use chrono::{Duration, TimeZone, Utc};
use rongmei_app::clock::Clock;
use rongmei_core::Channel;
use rongmei_store::testing::TestDb;

mod common;

const READER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";

#[tokio::test]
async fn a_view_counts_on_the_shanghai_day_it_was_read() {
    for db in TestDb::all("a_view_counts_on_the_shanghai_day_it_was_read").await {
        let (store, id) = common::seeded(&db).await;
        // 23:59:59 on 4 December in Shanghai is 15:59:59 UTC: still the 4th there.
        let clock = Clock::at(Utc.with_ymd_and_hms(2026, 12, 4, 15, 59, 59).unwrap());
        let (app, _data) = common::open_app_with(&store, clock.clone()).await;

        let first = IpAddr::V4(Ipv4Addr::new(10, 8, 0, 1));
        let second = IpAddr::V4(Ipv4Addr::new(10, 8, 0, 2));
        assert!(app.counter().record(id, first, READER, Channel::Direct));
        clock.advance(Duration::seconds(2));
        assert!(app.counter().record(id, second, READER, Channel::Wechat));
        // The first reader, back a second after midnight, is the same reading: not counted again.
        assert!(!app.counter().record(id, first, READER, Channel::Direct));
        app.counter().flush().await.expect("flush");

        let stats = app.analytics_article(id).await.expect("article analytics");
        let last_days = &stats.days[stats.days.len() - 2..];
        assert_eq!(
            last_days,
            [("12-04".to_string(), 1), ("12-05".to_string(), 1)],
            "{}: one view on each side of midnight",
            db.label
        );
        let last_hours = &stats.hours[stats.hours.len() - 2..];
        assert_eq!(
            last_hours,
            [("23时".to_string(), 1), ("00时".to_string(), 1)],
            "{}",
            db.label
        );
        let overview = app.analytics_overview().await.expect("overview");
        assert_eq!(
            overview.days.last(),
            Some(&("12-05".to_string(), 1)),
            "{}: today is the 5th in Shanghai",
            db.label
        );
        assert_eq!(overview.days.len(), 30);
        assert_eq!(overview.days[28], ("12-04".to_string(), 1));
        let csv = app
            .analytics_csv(Some("2026-12-04"), Some("2026-12-05"))
            .await
            .expect("csv");
        assert!(csv.contains("2026-12-04,"), "{csv}");
        assert!(csv.contains("2026-12-05,"), "{csv}");
        store.close().await;
        db.cleanup().await;
    }
}

//! Readers' searches as per-day aggregates: counts add up across flushes (and nodes), the report
//! ranks each day three ways, and popular queries leave out what never found anything. SQLite
//! always, PostgreSQL when RONGMEI_TEST_DATABASE_URL is set.

use chrono::NaiveDate;
use rongmei_store::testing::TestDb;
use rongmei_store::{QueryCounts, SearchCount};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a day")
}

fn c(d: &str, query: &str, searches: u64, no_full: u64, no_result: u64) -> SearchCount {
    SearchCount {
        day: day(d),
        query: query.to_string(),
        searches,
        no_full,
        no_result,
    }
}

fn names(v: &[QueryCounts]) -> Vec<&str> {
    v.iter().map(|q| q.query.as_str()).collect()
}

#[tokio::test]
async fn search_counts_add_up_and_are_reported_per_day() {
    for db in TestDb::all("search_counts_add_up_and_are_reported_per_day").await {
        let store = db.store().await.expect("store");
        let label = db.label;
        // Two flushes (as from two nodes), the first with the same key twice.
        store
            .add_search_counts(&[
                c("2026-12-01", "西迁精神", 3, 0, 0),
                c("2026-12-01", "西迁精神", 2, 0, 0),
                c("2026-12-01", "冬训营 联学", 2, 2, 0),
                c("2026-12-01", "qwzxyk", 1, 1, 1),
                c("2026-12-02", "西迁精神", 1, 0, 0),
                c("2026-11-20", "西迁精神", 50, 0, 0),
            ])
            .await
            .expect("first flush");
        store
            .add_search_counts(&[
                c("2026-12-01", "西迁精神", 1, 0, 0),
                c("2026-12-01", "qwzxyk", 3, 3, 3),
                c("2026-12-01", "冬训营 联学", 1, 1, 0),
            ])
            .await
            .expect("second flush");
        store.add_search_counts(&[]).await.expect("nothing to add");

        let report = store
            .search_query_report(day("2026-11-26"), day("2026-12-02"), 10)
            .await
            .expect("report");
        let days: Vec<NaiveDate> = report.iter().map(|d| d.day).collect();
        assert_eq!(
            days,
            [day("2026-12-02"), day("2026-12-01")],
            "{label}: days with searches in range, newest first"
        );
        let first = &report[1];
        assert_eq!(
            names(&first.top),
            ["西迁精神", "qwzxyk", "冬训营 联学"],
            "{label}"
        );
        assert_eq!(
            first.top[0],
            QueryCounts {
                query: "西迁精神".into(),
                searches: 6,
                no_full: 0,
                no_result: 0
            },
            "{label}: increments added"
        );
        assert_eq!(first.top[1].searches, 4, "{label}");
        assert_eq!(
            names(&first.no_full),
            ["冬训营 联学"],
            "{label}: partial matches only"
        );
        assert_eq!(first.no_full[0].partial_only(), 3, "{label}");
        assert_eq!(names(&first.no_result), ["qwzxyk"], "{label}");
        assert_eq!(first.no_result[0].no_result, 4, "{label}");
        assert!(report[0].no_full.is_empty() && report[0].no_result.is_empty());

        // The limit applies to each list of each day.
        let short = store
            .search_query_report(day("2026-12-01"), day("2026-12-01"), 1)
            .await
            .expect("short report");
        assert_eq!(short.len(), 1, "{label}");
        assert_eq!(names(&short[0].top), ["西迁精神"], "{label}");
        assert_eq!(names(&short[0].no_full), ["冬训营 联学"], "{label}");
        assert_eq!(names(&short[0].no_result), ["qwzxyk"], "{label}");

        // Summed over days since 11-26; the query that never found anything is left out.
        let popular = store
            .popular_queries(day("2026-11-26"), 1, 10)
            .await
            .expect("popular");
        assert_eq!(
            popular,
            [("西迁精神".to_string(), 7), ("冬训营 联学".to_string(), 3)],
            "{label}"
        );
        let popular = store
            .popular_queries(day("2026-11-01"), 4, 10)
            .await
            .expect("popular since November");
        assert_eq!(popular, [("西迁精神".to_string(), 57)], "{label}");
        let popular = store
            .popular_queries(day("2026-11-01"), 1, 1)
            .await
            .expect("popular, one");
        assert_eq!(popular.len(), 1, "{label}");
        store.close().await;
        db.cleanup().await;
    }
}

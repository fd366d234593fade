//! Nodes racing each other on one database, the way production runs them: each race is run
//! many times, and its outcome is checked exactly. Two `Store`s on one database are two nodes
//! (each has its own connection pool).

use std::collections::HashSet;

use rongmei_core::{ArticleStatus, Body, NewArticle};
use rongmei_store::testing::TestDb;
use rongmei_store::{AuditFilter, Store, ViewBatch, Visit};

/// Sweeps raced; every round publishes three articles.
const SWEEP_ROUNDS: usize = 25;
/// Flushes raced: enough that flushes taking rows crosswise (a deadlock on PostgreSQL before
/// every node took them in one order) happen in practically every run.
const FLUSH_ROUNDS: i64 = 200;

fn scheduled(title: String, source: String) -> NewArticle {
    NewArticle {
        title,
        column: None,
        column_parents: Vec::new(),
        tags: vec![],
        bylines: vec![],
        // Due long ago: the sweep publishes it at once.
        published_at: chrono::DateTime::parse_from_rfc3339("2024-01-02T08:00:00+08:00").ok(),
        summary: None,
        body: Body::from_plain_text("定时发布的稿件。"),
        views: None,
        status: ArticleStatus::Scheduled,
        source_id: Some(source),
        extra: Default::default(),
    }
}

async fn two_nodes(db: &TestDb) -> (Store, Store) {
    let a = db.store().await.expect("node a");
    let b = db.store().await.expect("node b");
    (a, b)
}

/// While one node sweeps the schedule, another skips its turn: it neither publishes beside the
/// first nor queues on the rows the first holds. The node "sweeping" here is a connection
/// holding the scheduler's lock in an open transaction.
#[tokio::test]
async fn a_node_skips_its_sweep_while_another_node_sweeps() {
    use sqlx::Connection;
    let Some(db) = TestDb::postgres("a_node_skips_its_sweep_while_another_node_sweeps").await
    else {
        return;
    };
    let store = db.store().await.expect("store");
    let article = scheduled("排队的定时稿".into(), "queued".into());
    store.import(&[article], &|_| {}).await.expect("import");
    let id = store
        .ids_by_source(&["queued".to_string()])
        .await
        .expect("ids")["queued"];

    let mut sweeping = sqlx::AnyConnection::connect(&db.url)
        .await
        .expect("connect");
    let mut tx = sqlx::Connection::begin(&mut sweeping).await.expect("begin");
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(rongmei_store::SCHEDULER_LOCK)
        .execute(&mut *tx)
        .await
        .expect("take the scheduler's lock");
    let skipped = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        store.publish_due("node-b", chrono::Utc::now()),
    )
    .await
    .expect("the sweep does not wait for the other node")
    .expect("sweep");
    assert_eq!(skipped, [] as [i64; 0], "its turn is skipped");
    tx.rollback().await.expect("end the other sweep");
    assert_eq!(
        store
            .publish_due("node-b", chrono::Utc::now())
            .await
            .expect("sweep"),
        [id],
        "the next turn publishes"
    );
    sweeping.close().await.expect("close");
    store.close().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_sweeping_the_schedule_at_once_publish_each_article_once() {
    for db in TestDb::all("nodes_sweeping_the_schedule_at_once").await {
        let (a, b) = two_nodes(&db).await;
        let mut all = Vec::new();
        for round in 0..SWEEP_ROUNDS {
            let batch: Vec<NewArticle> = (0..3)
                .map(|k| scheduled(format!("定时稿 {round}-{k}"), format!("s{round}-{k}")))
                .collect();
            let sources: Vec<String> = batch.iter().filter_map(|n| n.source_id.clone()).collect();
            a.import(&batch, &|_| {}).await.expect("import");
            let ids = a.ids_by_source(&sources).await.expect("ids");
            let mut due: Vec<i64> = ids.values().copied().collect();
            due.sort_unstable();

            let (from_a, from_b) = tokio::join!(
                a.publish_due("node-a", chrono::Utc::now()),
                b.publish_due("node-b", chrono::Utc::now())
            );
            let mut published = from_a.expect("sweep on a");
            published.extend(from_b.expect("sweep on b"));
            published.sort_unstable();
            assert_eq!(
                published, due,
                "{} round {round}: each published once",
                db.label
            );
            all.extend(due);
        }
        for id in all {
            let lines = a
                .audit_log(
                    AuditFilter {
                        article_id: Some(id),
                        actor_id: None,
                    },
                    100,
                )
                .await
                .expect("audit");
            let publishes = lines.iter().filter(|l| l.action == "publish").count();
            assert_eq!(
                publishes, 1,
                "{}: article {id} has one publish line",
                db.label
            );
            let meta = a.article_meta(id).await.expect("meta").expect("article");
            assert_eq!(meta.status, ArticleStatus::Published);
        }
        a.close().await;
        b.close().await;
        db.cleanup().await;
    }
}

/// A visit of reader `visitor` to `article`, each reader from an address of their own.
fn visit(visitor: i64, article: i64, at: i64) -> Visit {
    Visit {
        visitor,
        article_id: article,
        address: visitor * 7 + 1,
        channel: if visitor % 3 == 0 { "wechat" } else { "direct" },
        at,
    }
}

/// Readers `from..to`, in an order of their own (`seed`), across two articles; the same reader
/// reads only one of them (a visitor key is per article in production, as here).
fn batch(from: i64, to: i64, articles: [i64; 2], at: i64, seed: i64) -> ViewBatch {
    let mut readers: Vec<i64> = (from..to).collect();
    // Each node meets its readers in its own order, as requests arrive.
    readers.sort_by_key(|r| (r * 2_654_435_761 + seed * 40_503) % 1_000_003);
    let visits: Vec<Visit> = readers
        .iter()
        .map(|&r| visit(r, articles[(r % 2) as usize], at))
        .collect();
    let raw = vec![(articles[0], to - from), (articles[1], 1)];
    ViewBatch { visits, raw }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn flushes_from_two_nodes_at_once_count_every_reader_exactly_once() {
    for db in TestDb::all("flushes_from_two_nodes_at_once").await {
        let (a, b) = two_nodes(&db).await;
        let batch0: Vec<NewArticle> = (0..2)
            .map(|k| {
                let mut n = scheduled(format!("文章 {k}"), format!("v{k}"));
                n.status = ArticleStatus::Published;
                n
            })
            .collect();
        a.import(&batch0, &|_| {}).await.expect("import");
        let ids = a
            .ids_by_source(&["v0".to_string(), "v1".to_string()])
            .await
            .expect("ids");
        let articles = [ids["v0"], ids["v1"]];
        let at = chrono::Utc::now().timestamp();
        let window = 3600;
        let mut readers: HashSet<i64> = HashSet::new();
        let mut raw = [0i64; 2];
        for round in 0..FLUSH_ROUNDS {
            // 60 readers a round; the middle 20 reach both nodes and count once.
            let base = 1_000 + round * 60;
            let on_a = batch(base, base + 40, articles, at, round);
            let on_b = batch(base + 20, base + 60, articles, at, round + 1_000);
            for v in on_a.visits.iter().chain(&on_b.visits) {
                readers.insert(v.visitor);
            }
            for (id, n) in on_a.raw.iter().chain(&on_b.raw) {
                raw[usize::from(*id == articles[1])] += n;
            }
            let (ra, rb) = tokio::join!(
                a.record_views(&on_a, window, None),
                b.record_views(&on_b, window, None)
            );
            let counted: i64 = ra
                .expect("flush on a")
                .iter()
                .chain(&rb.expect("flush on b"))
                .map(|(_, n)| n)
                .sum();
            assert_eq!(counted, 60, "{} round {round}: every reader once", db.label);
        }
        let expected: [i64; 2] =
            [0, 1].map(|k| readers.iter().filter(|r| (*r % 2) as usize == k).count() as i64);
        for (k, id) in articles.iter().enumerate() {
            let got = b.view_counts(*id).await.expect("views");
            assert_eq!(
                got,
                Some((expected[k], raw[k])),
                "{}: counted and raw views of article {k}",
                db.label
            );
        }
        // The daily series (what the analytics pages and the CSV show) adds up to the same.
        let rows = a.daily_rows(0, i64::MAX).await.expect("daily rows");
        for (k, id) in articles.iter().enumerate() {
            let series: i64 = rows
                .iter()
                .filter(|r| r.article_id == *id)
                .map(|r| r.views)
                .sum();
            assert_eq!(
                series, expected[k],
                "{}: daily rows of article {k}",
                db.label
            );
        }
        a.close().await;
        b.close().await;
        db.cleanup().await;
    }
}

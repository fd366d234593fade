//! The data layer's contract, run against SQLite always and PostgreSQL when
//! RONGMEI_TEST_DATABASE_URL is set.

use std::path::Path;

use rongmei_core::{ArticleStatus, Block, Body, NewArticle};
use rongmei_store::Store;
use rongmei_store::testing::TestDb;

const SEED: &str = include_str!("../../../fixtures/seed/000_110ea0537603b210.txt");

fn seed() -> NewArticle {
    rongmei_import::parse_txt(Path::new("seed.txt"), SEED).expect("seed parses")
}

fn article(title: &str, date: Option<&str>, column: Option<&str>) -> NewArticle {
    NewArticle {
        title: title.into(),
        column: column.map(str::to_string),
        column_parents: Vec::new(),
        tags: vec![],
        bylines: vec![],
        published_at: date.map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap()),
        summary: None,
        body: Body::from_plain_text("第一段。\n第二段。"),
        views: None,
        status: rongmei_core::ArticleStatus::Published,
        source_id: None,
        extra: Default::default(),
    }
}

#[tokio::test]
async fn seed_round_trips_exactly() {
    for db in TestDb::all("seed_round_trips_exactly").await {
        let store = db.store().await.unwrap();
        let stats = store.import(&[seed()], &|_| {}).await.unwrap();
        assert_eq!(
            (stats.imported, stats.updated, stats.skipped),
            (1, 0, 0),
            "{}",
            db.label
        );
        let page = store.published(None, 1, 10).await.unwrap();
        assert_eq!(page.total, 1);
        let a = store.article(page.items[0].id).await.unwrap().unwrap();
        assert_eq!(a.title, seed().title);
        assert_eq!(a.label.as_deref(), Some("主题教育"));
        assert_eq!(a.tags, ["主题教育"]);
        assert_eq!(
            a.published_at.unwrap().to_rfc3339(),
            "2023-06-01T22:05:00+08:00"
        );
        assert_eq!(a.views, 1774);
        assert_eq!(a.status, ArticleStatus::Published);
        assert_eq!(a.column.slug, "news");
        assert_eq!(a.body, seed().body);
        assert_eq!(
            a.body
                .blocks
                .iter()
                .filter(|b| matches!(b, Block::Heading { .. }))
                .count(),
            3
        );
        assert!(a.summary.starts_with("为进一步加强理论学习"));
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn reimport_updates_instead_of_duplicating() {
    for db in TestDb::all("reimport_updates_instead_of_duplicating").await {
        let store = db.store().await.unwrap();
        let mut a = article(
            "同一篇",
            Some("2024-01-02T08:00:00+08:00"),
            Some("综合新闻"),
        );
        a.views = Some(10);
        let s1 = store.import(&[a.clone()], &|_| {}).await.unwrap();
        let s2 = store.import(&[a.clone()], &|_| {}).await.unwrap();
        assert_eq!(
            (s1.imported, s2.imported, s2.skipped),
            (1, 0, 1),
            "{}",
            db.label
        );
        let id = store.published(None, 1, 10).await.unwrap().items[0].id;
        store.add_views(&[(id, 5)]).await.unwrap();
        // A changed body updates; the older archive's count does not lower the counted views.
        a.body = Body::from_plain_text("改过的正文。");
        let s3 = store.import(&[a.clone()], &|_| {}).await.unwrap();
        assert_eq!((s3.imported, s3.updated), (0, 1));
        let got = store.article(id).await.unwrap().unwrap();
        assert_eq!(got.body.to_text(), "改过的正文。");
        assert_eq!(got.views, 15);
        assert_eq!(store.count_articles().await.unwrap(), 1);
        // A source id is the key when given.
        let mut b = article("有来源", None, None);
        b.source_id = Some("x:1".into());
        store.import(&[b.clone()], &|_| {}).await.unwrap();
        b.title = "有来源（改）".into();
        let s4 = store.import(&[b], &|_| {}).await.unwrap();
        assert_eq!(s4.updated, 1);
        assert_eq!(store.count_articles().await.unwrap(), 2);
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn unfinished_work_keeps_its_status_and_new_columns_their_parents() {
    for db in TestDb::all("unfinished_work_keeps_its_status").await {
        let store = db.store().await.unwrap();
        let mut draft = article("草稿", Some("2024-01-02T08:00:00+08:00"), Some("校园动态"));
        draft.status = ArticleStatus::Draft;
        draft.column_parents = vec!["新闻".into()];
        draft.source_id = Some("d".into());
        let mut later = article(
            "定时稿",
            Some("2099-01-02T08:00:00+08:00"),
            Some("通知公告"),
        );
        later.status = ArticleStatus::Scheduled;
        later.column_parents = vec!["综合".into(), "公告".into()];
        later.source_id = Some("s".into());
        let out = article(
            "已发布",
            Some("2024-01-03T08:00:00+08:00"),
            Some("校园动态"),
        );
        store
            .import(&[draft.clone(), later.clone(), out], &|_| {})
            .await
            .unwrap();
        assert_eq!(store.count_published().await.unwrap(), 1, "{}", db.label);
        let ids = store
            .ids_by_source(&["d".to_string(), "s".to_string()])
            .await
            .unwrap();
        let meta = store.article_meta(ids["d"]).await.unwrap().unwrap();
        assert_eq!(meta.status, ArticleStatus::Draft);
        let meta = store.article_meta(ids["s"]).await.unwrap().unwrap();
        assert_eq!(meta.status, ArticleStatus::Scheduled);
        assert_eq!(
            meta.scheduled_at.map(|t| t.timestamp()),
            later.published_at.map(|t| t.timestamp()),
            "a scheduled article goes out at its time"
        );
        let columns = store.list_columns().await.unwrap();
        let id_of = |name: &str| columns.iter().find(|c| c.name == name).map(|c| c.id);
        let parent_of = |name: &str| {
            columns
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.parent_id)
        };
        assert_eq!(parent_of("校园动态"), id_of("新闻"));
        assert_eq!(parent_of("通知公告"), id_of("公告"));
        assert_eq!(parent_of("公告"), id_of("综合"));
        assert_eq!(parent_of("综合"), None);

        // Its time past, a scheduled article goes out; a re-import of the old export, edited,
        // does not take the publication back.
        let mut missed = article("误过时间", Some("2020-01-02T08:00:00+08:00"), None);
        missed.status = ArticleStatus::Scheduled;
        missed.source_id = Some("m".into());
        store
            .import(std::slice::from_ref(&missed), &|_| {})
            .await
            .unwrap();
        let id = store.ids_by_source(&["m".to_string()]).await.unwrap()["m"];
        let due = chrono::DateTime::parse_from_rfc3339("2020-01-02T08:00:00+08:00")
            .unwrap()
            .to_utc();
        let second = chrono::Duration::seconds(1);
        assert_eq!(
            store.publish_due("test", due - second).await.unwrap(),
            [] as [i64; 0],
            "not a second early"
        );
        assert_eq!(store.publish_due("test", due).await.unwrap(), [id]);
        assert_eq!(
            store.publish_due("test", due + second).await.unwrap(),
            [] as [i64; 0],
            "once"
        );
        missed.title = "误过时间（改）".into();
        let stats = store.import(&[missed, draft], &|_| {}).await.unwrap();
        assert_eq!((stats.updated, stats.skipped), (1, 1));
        let meta = store.article_meta(id).await.unwrap().unwrap();
        assert_eq!(meta.status, ArticleStatus::Published);
        assert_eq!(meta.scheduled_at, None);
        let a = store.article(id).await.unwrap().unwrap();
        assert_eq!(a.title, "误过时间（改）");
        assert!(a.published_at.is_some());
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_record_repeated_in_one_import_is_written_once_with_its_last_content() {
    for db in TestDb::all("a_record_repeated_in_one_import").await {
        let store = db.store().await.unwrap();
        // More than a batch of others between the copies, and the copies back to back.
        let mut records = vec![];
        let mut a = article("重复的稿件", Some("2024-01-02T08:00:00+08:00"), None);
        a.source_id = Some("dup".into());
        a.tags = vec!["一".into()];
        records.push(a.clone());
        for i in 0..70 {
            let mut other = article(&format!("第{i}篇"), Some("2024-01-03T08:00:00+08:00"), None);
            other.tags = vec!["批量".into()];
            records.push(other);
        }
        a.tags = vec!["二".into()];
        records.push(a.clone());
        a.tags = vec!["三".into(), "四".into()];
        records.push(a);
        let stats = store.import(&records, &|_| {}).await.unwrap();
        assert_eq!((stats.imported, stats.updated), (71, 2), "{}", db.label);
        let id = store.ids_by_source(&["dup".to_string()]).await.unwrap()["dup"];
        let got = store.article(id).await.unwrap().unwrap();
        assert_eq!(got.tags, ["三", "四"]);
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn columns_are_created_and_listings_put_undated_last() {
    for db in TestDb::all("columns_are_created_and_listings_put_undated_last").await {
        let store = db.store().await.unwrap();
        let records = vec![
            article("旧闻", Some("2020-01-01T00:00:00+08:00"), Some("综合新闻")),
            article("无日期", None, Some("综合新闻")),
            article(
                "新闻甲",
                Some("2024-05-01T10:00:00+08:00"),
                Some("综合新闻"),
            ),
            article("别的栏目", Some("2023-05-01T10:00:00Z"), None),
        ];
        store.import(&records, &|_| {}).await.unwrap();
        let col = store
            .column_by_slug("zong-he-xin-wen")
            .await
            .unwrap()
            .expect("column created from its name");
        assert_eq!(col.name, "综合新闻");
        let listing = store.published(Some(col.id), 1, 10).await.unwrap();
        let titles: Vec<&str> = listing.items.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["新闻甲", "旧闻", "无日期"], "{}", db.label);
        let all = store.published(None, 1, 10).await.unwrap();
        assert_eq!(all.items.last().unwrap().title, "无日期");
        assert_eq!(
            all.items[1].published_at.unwrap().to_rfc3339(),
            "2023-05-01T10:00:00+00:00"
        );
        // Neighbours follow the listing order, undated included.
        let middle = store.article(listing.items[1].id).await.unwrap().unwrap();
        let (newer, older) = store.neighbours(&middle).await.unwrap();
        assert_eq!(newer.unwrap().title, "新闻甲");
        assert_eq!(older.unwrap().title, "无日期");
        // Pages past the end are empty, not errors.
        let far = store.published(None, i64::MAX, 100).await.unwrap();
        assert!(far.items.is_empty());
        assert_eq!(far.total, 4);
        assert!(
            store
                .list_columns()
                .await
                .unwrap()
                .iter()
                .any(|c| c.slug == "news" && c.name == "新闻")
        );
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn view_increments_add_up_and_feed_records_changes() {
    for db in TestDb::all("view_increments_add_up_and_feed_records_changes").await {
        let store = db.store().await.unwrap();
        let before = store.last_event_seq().await.unwrap();
        store.import(&[seed()], &|_| {}).await.unwrap();
        let id = store.published(None, 1, 1).await.unwrap().items[0].id;
        let events = store.events_since(before, 100).await.unwrap();
        assert_eq!(
            events
                .iter()
                .map(|e| (e.article_id, e.kind, e.status))
                .collect::<Vec<_>>(),
            [(
                id,
                rongmei_core::EventKind::Created,
                rongmei_core::ArticleStatus::Published
            )]
        );
        let (a, b) = (store.clone(), store.clone());
        let (d1, d2) = ([(id, 3)], [(id, 4)]);
        let (r1, r2) = tokio::join!(a.add_views(&d1), b.add_views(&d2));
        r1.unwrap();
        r2.unwrap();
        assert_eq!(store.views_of(id).await.unwrap(), Some(1774 + 7));
        assert_eq!(store.views_of_many(&[id, 999]).await.unwrap(), [(id, 1781)]);
        store.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_version_is_refused_with_a_clear_message() {
    for db in TestDb::all("a_database_migrated_by_a_newer_version_is_refused").await {
        let store = db.store().await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from the future', TRUE, $1, 0)",
        )
        .bind(vec![0u8; 48])
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
        let err = match Store::connect(&db.url).await {
            Ok(_) => panic!("{}: a newer schema was accepted", db.label),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains("migrated by a newer version of Rongmei")
                && err.contains("schema version 9999"),
            "{}: {err}",
            db.label
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn shared_blobs_dictionaries_and_signals() {
    for db in TestDb::all("shared_blobs_dictionaries_and_signals").await {
        let store = db.store().await.unwrap();
        // Blobs: written once, the second write changes nothing.
        let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        store.put_media_blob("ab/abcdef.jpg", &bytes).await.unwrap();
        store
            .put_media_blob("ab/abcdef.jpg", b"other")
            .await
            .unwrap();
        assert_eq!(
            store.media_blob("ab/abcdef.jpg").await.unwrap(),
            Some(bytes)
        );
        assert_eq!(store.media_blob("ab/none.jpg").await.unwrap(), None);
        assert_eq!(store.media_blob_paths().await.unwrap(), ["ab/abcdef.jpg"]);

        // Dictionaries: the first seed wins; a save replaces, audits and moves the signal.
        assert!(
            store
                .seed_dictionary("sensitive", "甲\tblock\n", "a.txt")
                .await
                .unwrap()
        );
        assert!(
            !store
                .seed_dictionary("sensitive", "乙\tblock\n", "b.txt")
                .await
                .unwrap()
        );
        let d = store.dictionary("sensitive").await.unwrap().unwrap();
        assert_eq!(
            (d.content.as_str(), d.updated_by.as_str()),
            ("甲\tblock\n", "a.txt")
        );
        let version = |signals: Vec<(String, i64)>, name: &str| {
            signals.into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
        };
        assert_eq!(
            version(store.signals().await.unwrap(), "dictionaries"),
            Some(1)
        );
        let editor = rongmei_store::Editor {
            user_id: None,
            login: "admin",
            ip: "10.0.0.9",
        };
        store
            .save_dictionary(
                "sensitive",
                "丙\tblock\n",
                editor,
                serde_json::json!({"added": 1}),
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .dictionary("sensitive")
                .await
                .unwrap()
                .unwrap()
                .content,
            "丙\tblock\n"
        );
        assert_eq!(
            version(store.signals().await.unwrap(), "dictionaries"),
            Some(2)
        );
        let log = store
            .audit_log(rongmei_store::AuditFilter::default(), 10)
            .await
            .unwrap();
        assert!(
            log.iter()
                .any(|l| l.action == "dictionary_saved" && l.ip == "10.0.0.9")
        );

        // Reindex requests and the nodes' reports.
        assert_eq!(store.raise_signal("reindex").await.unwrap(), 1);
        assert_eq!(store.raise_signal("reindex").await.unwrap(), 2);
        store.report_rebuild("node:a", 2, 13).await.unwrap();
        store.report_rebuild("node:a", 2, 14).await.unwrap();
        let reports = store.rebuild_reports(2).await.unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(
            (reports[0].node.as_str(), reports[0].documents),
            ("node:a", 14)
        );
        assert!(store.rebuild_reports(1).await.unwrap().is_empty());

        // Running nodes: renewed rows count, a stopped node does not.
        store.node_alive("node:a").await.unwrap();
        store.node_alive("node:b").await.unwrap();
        store.node_alive("node:a").await.unwrap();
        assert_eq!(
            store.live_nodes(15_000).await.unwrap(),
            ["node:a", "node:b"]
        );
        store.node_gone("node:b").await.unwrap();
        assert_eq!(store.live_nodes(15_000).await.unwrap(), ["node:a"]);
        assert!(
            store.live_nodes(-60_000).await.unwrap().is_empty(),
            "none seen in the future"
        );
        store.close().await;
        db.cleanup().await;
    }
}

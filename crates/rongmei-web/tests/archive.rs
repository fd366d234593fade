//! The archive is the backup: a site exported and restored into an empty database of the other
//! backend answers every public page and API call as the original did, serves the same image
//! bytes, and lets its members sign in (with `--with-secrets`). SQLite → PostgreSQL →
//! SQLite when PostgreSQL is configured, SQLite → SQLite otherwise.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{
    ADMIN_TOKEN, STAFF, Server, add_users, client, get_auth, png_bytes, post_json,
    review_and_publish, seed_and_demo, sign_in, upload_image,
};
use rongmei_app::{DataDir, Overrides};
use rongmei_store::testing::TestDb;
use serde_json::{Value, json};

const BASE_URL: &str = "https://news.example.edu.cn";
const BOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// A reporter's story with an image, through review to publication: its id and image URL.
async fn publish_story(http: &reqwest::Client, base: &str, title: &str) -> (i64, String) {
    let reporter = sign_in(http, base, "reporter").await;
    let image_url = upload_image(http, base, &reporter, png_bytes()).await;
    let (s, v) = post_json(
        http,
        &format!("{base}/api/v1/articles"),
        Some(&reporter),
        json!({"title": title, "column": "news", "tags": ["归档"],
               "body": format!("<p>第一段。</p><figure><img src=\"{image_url}\" alt=\"\"></figure><p>第二段。</p>")}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_i64().expect("id");
    review_and_publish(http, base, id).await;
    (id, image_url)
}

async fn start(db: &TestDb, data: &Path) -> Server {
    Server::start_configured(
        db,
        Overrides {
            base_url: Some(BASE_URL.into()),
            data: Some(data.to_path_buf()),
            ..Overrides::default()
        },
    )
    .await
}

/// Everything a reader or the API shows of one site, to compare two sites by.
async fn snapshot(
    http: &reqwest::Client,
    base: &str,
    id: i64,
    image: &str,
) -> Vec<(String, String)> {
    let admin = sign_in(http, base, "admin").await;
    let mut out = Vec::new();
    for path in [
        "/api/v1/articles?per_page=100".to_string(),
        format!("/api/v1/articles/{id}"),
        "/api/v1/columns".to_string(),
        format!("/api/v1/articles/{id}/revisions"),
        format!("/api/v1/audit?article={id}"),
        format!("/api/v1/newsroom/articles/{id}"),
    ] {
        let (s, v) = get_auth(http, &format!("{base}{path}"), &admin).await;
        assert_eq!(s, 200, "{path}: {v}");
        out.push((path, v.to_string()));
    }
    let csv = http
        .get(format!("{base}/admin/analytics/views.csv"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("csv text");
    out.push(("views.csv".into(), csv));
    for path in [
        "/".to_string(),
        format!("/articles/{id}"),
        "/columns/news".into(),
        "/feed.xml".into(),
        "/sitemap.xml".into(),
    ] {
        let page = http
            .get(format!("{base}{path}"))
            .header("user-agent", BOT)
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200, "{path}");
        out.push((path, page.text().await.expect("html")));
    }
    let bytes = http
        .get(format!("{base}{image}"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("image")
        .bytes()
        .await
        .expect("bytes");
    assert!(!bytes.is_empty(), "{image}");
    // A fingerprint: comparing megabytes in a panic message helps nobody.
    out.push((
        image.to_string(),
        format!("{} bytes, blake3 {}", bytes.len(), blake3::hash(&bytes)),
    ));
    out
}

fn assert_same(label: &str, a: &[(String, String)], b: &[(String, String)]) {
    assert_eq!(a.len(), b.len());
    for ((pa, va), (_, vb)) in a.iter().zip(b) {
        assert!(
            va == vb,
            "{label}: {pa} differs:\n--- original\n{va}\n--- restored\n{vb}"
        );
    }
}

async fn restore(store_db: &TestDb, data: &Path, archive: &Path) {
    let store = store_db.store().await.expect("store");
    let media = DataDir::new(data).media();
    rongmei_app::archive::import_archive(&store, &media, archive, false, &|_| {})
        .await
        .expect("restore");
    // A second restore is refused: the database is no longer empty.
    let again = rongmei_app::archive::import_archive(&store, &media, archive, false, &|_| {})
        .await
        .expect_err("not empty");
    assert!(again.to_string().contains("数据库不是空的"), "{again}");
    store.close().await;
}

async fn export(db: &TestDb, data: &Path, file: &Path) {
    let store = db.store().await.expect("store");
    let m = rongmei_app::archive::export_archive(
        &store,
        &DataDir::new(data).media(),
        file,
        true,
        &|_| {},
    )
    .await
    .expect("export");
    assert!(m.tables["articles"] >= 14, "{m:?}");
    assert!(m.media_files >= 1, "{m:?}");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_site_restored_from_its_archive_answers_exactly_as_before() {
    let work = tempfile::tempdir().expect("work");
    let original = TestDb::sqlite().await;
    seed_and_demo(&original).await;
    add_users(&original, STAFF).await;
    let data_a = work.path().join("a");
    let a = start(&original, &data_a).await;
    let http = client();
    let (id, image_url) = publish_story(&http, &a.base, "归档往返测试稿件").await;
    // A reader's view, counted and written.
    http.get(format!("{}/articles/{id}", a.base))
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")
        .send()
        .await
        .expect("read");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let before = snapshot(&http, &a.base, id, &image_url).await;
    let first = work.path().join("site.rongmei");
    export(&original, &data_a, &first).await;
    a.stop().await;

    // A cut archive restores nothing.
    let bytes = std::fs::read(&first).expect("read");
    let cut = work.path().join("cut.rongmei");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).expect("write");
    let empty = TestDb::sqlite().await;
    let store = empty.store().await.expect("store");
    let err = rongmei_app::archive::import_archive(
        &store,
        &DataDir::new(work.path().join("cut")).media(),
        &cut,
        false,
        &|_| {},
    )
    .await
    .expect_err("cut");
    assert!(err.to_string().contains("cut.rongmei"), "{err}");
    assert_eq!(
        store.content_counts().await.expect("counts"),
        (0, 0),
        "nothing restored"
    );
    store.close().await;

    // SQLite → PostgreSQL → SQLite, or SQLite → SQLite without PostgreSQL.
    let mut chain = vec![];
    if let Some(pg) = TestDb::postgres("archive_round_trip").await {
        chain.push(pg);
    }
    chain.push(TestDb::sqlite().await);
    let mut archive = first;
    for (n, db) in chain.iter().enumerate() {
        let data = work.path().join(format!("restored-{n}"));
        restore(db, &data, &archive).await;
        let b = start(db, &data).await;
        let after = snapshot(&http, &b.base, id, &image_url).await;
        assert_same(&format!("{} restored", db.label), &before, &after);
        b.stop().await;
        let next = work.path().join(format!("site-{n}.rongmei"));
        export(db, &data, &next).await;
        archive = next;
    }
    for db in chain {
        db.cleanup().await;
    }
}

/// The id of the article titled `title` in the site's public list.
async fn id_of(http: &reqwest::Client, base: &str, title: &str) -> i64 {
    let list: Value = http
        .get(format!("{base}/api/v1/articles?per_page=100"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|a| a["title"] == title))
        .and_then(|a| a["id"].as_i64())
        .unwrap_or_else(|| panic!("{title} is not listed: {list}"))
}

async fn newsroom_lines(http: &reqwest::Client, base: &str, id: i64) -> (usize, usize) {
    let admin = sign_in(http, base, "admin").await;
    let (_, revisions) = get_auth(
        http,
        &format!("{base}/api/v1/articles/{id}/revisions"),
        &admin,
    )
    .await;
    let (_, audit) = get_auth(http, &format!("{base}/api/v1/audit?article={id}"), &admin).await;
    let len = |v: &Value| {
        v.as_array()
            .or_else(|| v["items"].as_array())
            .map_or(0, Vec::len)
    };
    (len(&revisions), len(&audit))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_archive_merges_into_a_site_that_has_content_once() {
    let work = tempfile::tempdir().expect("work");
    let other = TestDb::sqlite().await;
    seed_and_demo(&other).await;
    add_users(&other, STAFF).await;
    let data_a = work.path().join("a");
    let a = start(&other, &data_a).await;
    let http = client();
    let (old_id, image_url) = publish_story(&http, &a.base, "另一个站点的稿件").await;
    let lines_before = newsroom_lines(&http, &a.base, old_id).await;
    assert!(
        lines_before.0 >= 1 && lines_before.1 >= 4,
        "{lines_before:?}"
    );
    a.stop().await;
    let archive = work.path().join("other.rongmei");
    export(&other, &data_a, &archive).await;

    let mut targets = vec![TestDb::sqlite().await];
    if let Some(pg) = TestDb::postgres("archive_merge").await {
        targets.push(pg);
    }
    for db in &targets {
        // A site with content of its own: the same imported archive and accounts.
        seed_and_demo(db).await;
        add_users(db, STAFF).await;
        let store = db.store().await.expect("store");
        let before = store.count_articles().await.expect("count");
        let media = DataDir::new(work.path().join(db.label)).media();
        let refused =
            rongmei_app::archive::import_archive(&store, &media, &archive, false, &|_| {})
                .await
                .expect_err("not empty");
        assert!(refused.to_string().contains("--merge"), "{refused}");
        let (_, report) =
            rongmei_app::archive::import_archive(&store, &media, &archive, true, &|_| {})
                .await
                .expect("merge");
        let report = report.expect("a merge report");
        assert_eq!(
            report.added.get("articles"),
            Some(&1),
            "{}: {report:?}",
            db.label
        );
        assert_eq!(
            report.matched.get("articles").copied(),
            Some(before as u64),
            "the articles both sites imported are already here: {report:?}"
        );
        assert_eq!(store.count_articles().await.expect("count"), before + 1);
        // Again: nothing new.
        let (_, again) =
            rongmei_app::archive::import_archive(&store, &media, &archive, true, &|_| {})
                .await
                .expect("merge again");
        let again = again.expect("report");
        assert_eq!(again.added.get("articles"), None, "{again:?}");
        assert_eq!(store.count_articles().await.expect("count"), before + 1);
        store.close().await;

        let b = start(db, &work.path().join(db.label)).await;
        let id = id_of(&http, &b.base, "另一个站点的稿件").await;
        assert_eq!(
            newsroom_lines(&http, &b.base, id).await,
            lines_before,
            "{}: its revisions and audit lines came along",
            db.label
        );
        let page = http
            .get(format!("{}/articles/{id}", b.base))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 200);
        let image = http
            .get(format!("{}{image_url}", b.base))
            .send()
            .await
            .expect("image");
        assert_eq!(image.status(), 200, "{}: the image came along", db.label);
        assert_eq!(
            image.bytes().await.expect("bytes").as_ref(),
            png_bytes().as_slice()
        );
        b.stop().await;
    }
    for db in targets {
        db.cleanup().await;
    }
    other.cleanup().await;
}

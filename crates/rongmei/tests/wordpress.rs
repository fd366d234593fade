//! `rongmei import` of WordPress exports as a user runs it: the real Chinese blog export in
//! `../shared/fixtures/wxr` (skipped, saying so, when absent), a dry run, a second run, a cut
//! file, the redirect map, and `--media` bringing the uploads in.

use std::path::Path;
use std::process::Output;

use rongmei_store::testing::TestDb;

mod common;
use common::{last_line, rongmei_on};

fn rongmei(data: &Path, db: &TestDb, args: &[&str]) -> Output {
    let mut all = vec!["--base-url", "https://news.example.edu.cn"];
    all.extend_from_slice(args);
    rongmei_on(data, &db.url, &all)
}

async fn count(db: &TestDb) -> i64 {
    let store = db.store().await.expect("store");
    let n = store.count_articles().await.expect("count");
    store.close().await;
    n
}

#[tokio::test]
async fn the_chinese_blog_export_imports_once_with_a_redirect_map() {
    let Some(export) = rongmei_testkit::shared("fixtures/wxr/everet-org_zh-blog_wordpress.xml")
    else {
        return;
    };
    let export = export.to_str().expect("path");
    for db in TestDb::all("wordpress_import").await {
        let data = tempfile::tempdir().expect("data");
        let out = rongmei(data.path(), &db, &["import", "--dry-run", export]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            last_line(&out),
            "dry run: 104 articles would be imported; nothing was written"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(
                "104 posts become articles (post/draft 6, post/private 1, post/publish 97)"
            ),
            "{err}"
        );
        assert!(err.contains("attachment/inherit 321"), "{err}");
        assert_eq!(count(&db).await, 0, "a dry run writes nothing");

        let out = rongmei(data.path(), &db, &["import", export]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            last_line(&out),
            "imported 104, updated 0, skipped 0",
            "{}",
            db.label
        );
        let map = std::fs::read_to_string(data.path().join("wordpress-redirects.map"))
            .expect("redirect map");
        let entries: Vec<&str> = map.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(entries.len(), 97);
        assert!(
            entries
                .iter()
                .all(|l| l.starts_with("\"/")
                    && l.contains("\"https://news.example.edu.cn/articles/")),
            "{}",
            entries[0]
        );
        let out = rongmei(data.path(), &db, &["import", export]);
        assert_eq!(last_line(&out), "imported 0, updated 0, skipped 104");

        // A download cut in the middle imports nothing and names its last line.
        let text = std::fs::read(export).expect("read");
        let cut = data.path().join("cut.xml");
        std::fs::write(&cut, &text[..text.len() / 2]).expect("write");
        let out = rongmei(data.path(), &db, &["import", cut.to_str().expect("path")]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("cut.xml:") && err.contains("没有导入任何内容"),
            "{err}"
        );
        assert_eq!(count(&db).await, 104);
        db.cleanup().await;
    }
}

/// A 4×3 PNG.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 3, 8, 2, 0,
    0, 0, 59, 150, 57, 145, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 56, 33, 39, 7, 71, 12, 56,
    57, 0, 245, 199, 12, 49, 7, 235, 173, 153, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

#[tokio::test]
async fn uploads_come_into_the_media_store_with_links_rewritten() {
    let db = TestDb::sqlite().await;
    let data = tempfile::tempdir().expect("data");
    let dir = tempfile::tempdir().expect("files");
    let uploads = dir.path().join("uploads");
    std::fs::create_dir_all(uploads.join("2023/06")).expect("mkdir");
    std::fs::write(uploads.join("2023/06/photo.png"), PNG).expect("png");
    let export = dir.path().join("site.xml");
    std::fs::write(
        &export,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>http://old.example.edu.cn</wp:base_site_url>
<item>
<title>带图的稿件</title>
<link>http://old.example.edu.cn/2023/06/photo-story/</link>
<dc:creator>wang</dc:creator>
<content:encoded><![CDATA[开头一段。

[caption id="attachment_3" width="4"]<img src="http://old.example.edu.cn/wp-content/uploads/2023/06/photo.png" alt="" /> 图片说明[/caption]

<a href="https://old.example.edu.cn/wp-content/uploads/2023/06/missing.pdf">附件</a>]]></content:encoded>
<wp:post_id>5</wp:post_id>
<wp:post_date>2023-06-01 22:05:00</wp:post_date>
<wp:post_date_gmt>2023-06-01 14:05:00</wp:post_date_gmt>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
</item>
</channel>
</rss>
"#,
    )
    .expect("export");
    let out = rongmei(
        data.path(),
        &db,
        &[
            "import",
            "--media",
            uploads.to_str().expect("path"),
            export.to_str().expect("path"),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("media: 1 files stored; 1 linked files not in the folder"),
        "{err}"
    );
    assert!(err.contains("missing.pdf"), "{err}");
    let store = db.store().await.expect("store");
    let ids = store
        .ids_by_source(&["wxr:http://old.example.edu.cn:5".to_string()])
        .await
        .expect("ids");
    let id = ids.values().next().copied().expect("imported");
    let a = store.article(id).await.expect("read").expect("article");
    let image = a.body.first_image().expect("image").to_string();
    assert!(image.starts_with("/media/"), "{image}");
    assert!(
        data.path()
            .join("media")
            .join(image.trim_start_matches("/media/"))
            .is_file()
    );
    assert!(a.body.to_html().contains("图片说明"));
    assert!(
        a.body
            .to_html()
            .contains("https://old.example.edu.cn/wp-content/uploads/2023/06/missing.pdf")
    );
    let map = std::fs::read_to_string(data.path().join("wordpress-redirects.map")).expect("map");
    assert!(
        map.contains(&format!(
            "\"/2023/06/photo-story/\" \"https://news.example.edu.cn/articles/{id}\";"
        )),
        "{map}"
    );
    store.close().await;
}

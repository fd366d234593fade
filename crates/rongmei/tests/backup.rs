//! Backup and restore from the command line: `rongmei export archive FILE` and `rongmei import
//! FILE` into a new data folder; a second restore into the same database is refused, and a
//! merge of the same archive adds nothing.

use std::path::Path;

use rongmei_store::testing::TestDb;

mod common;
use common::{last_line, rongmei_on};

#[tokio::test]
async fn the_archive_restores_into_an_empty_database_only() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/seed");
    let source = TestDb::sqlite().await;
    let data = tempfile::tempdir().expect("data");
    let out = rongmei_on(
        data.path(),
        &source.url,
        &["import", seed.to_str().expect("path")],
    );
    assert_eq!(last_line(&out), "imported 1, updated 0, skipped 0");
    let file = data.path().join("backup.rongmei");
    let out = rongmei_on(
        data.path(),
        &source.url,
        &[
            "export",
            "archive",
            file.to_str().expect("path"),
            "--with-secrets",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        last_line(&out).starts_with("archived 1 articles"),
        "{}",
        last_line(&out)
    );

    for target in TestDb::all("backup_restore").await {
        let restored = tempfile::tempdir().expect("data");
        let out = rongmei_on(
            restored.path(),
            &target.url,
            &["import", file.to_str().expect("path")],
        );
        assert!(
            out.status.success(),
            "{}: {}",
            target.label,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(last_line(&out), "imported 1, updated 0, skipped 0");
        let out = rongmei_on(
            restored.path(),
            &target.url,
            &["import", file.to_str().expect("path")],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("数据库不是空的"));
        // Told to merge, it finds the article already there.
        let out = rongmei_on(
            restored.path(),
            &target.url,
            &["import", file.to_str().expect("path"), "--merge"],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(last_line(&out), "imported 0, updated 0, skipped 1");
        target.cleanup().await;
    }
}

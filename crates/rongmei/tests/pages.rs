//! `rongmei import --pages DIR --profile …`: saved pages of a site-group site, imported once.

use std::path::Path;

use rongmei_store::testing::TestDb;

mod common;
use common::{last_line, rongmei_on};

#[tokio::test]
async fn saved_site_group_pages_import_once_with_their_profile() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pages");
    let db = TestDb::sqlite().await;
    let data = tempfile::tempdir().expect("data");
    let vsb = fixtures.join("vsb");
    let vsb = vsb.to_str().expect("path");
    let out = rongmei_on(
        data.path(),
        &db.url,
        &["import", "--pages", vsb, "--profile", "vsb"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(last_line(&out), "imported 1, updated 0, skipped 0");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 article pages read with the vsb profile; 1 other pages"),
        "{err}"
    );
    let out = rongmei_on(data.path(), &db.url, &["import", "--pages", vsb]);
    assert_eq!(
        last_line(&out),
        "imported 0, updated 0, skipped 1",
        "vsb is the default"
    );
    let dede = fixtures.join("dede");
    let out = rongmei_on(
        data.path(),
        &db.url,
        &[
            "import",
            "--pages",
            dede.to_str().expect("path"),
            "--profile",
            "dede",
        ],
    );
    assert_eq!(last_line(&out), "imported 1, updated 0, skipped 0");
    let out = rongmei_on(
        data.path(),
        &db.url,
        &[
            "import",
            "--pages",
            vsb,
            "--profile",
            "/no/such/profile.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("profile.toml"));
    let store = db.store().await.expect("store");
    assert_eq!(store.count_articles().await.expect("count"), 2);
    store.close().await;
}

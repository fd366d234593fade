//! An application over a test database, with its own data folder.

#![allow(dead_code)] // each test binary uses some of these

use rongmei_app::{App, Config, Overrides};
use rongmei_store::Store;
use rongmei_store::testing::TestDb;

const SEED: &str = include_str!("../../../../fixtures/seed/000_110ea0537603b210.txt");

/// A store over `db` holding the seed article, and the seed's id.
pub async fn seeded(db: &TestDb) -> (Store, i64) {
    let store = db.store().await.expect("store");
    let seed = rongmei_import::parse_txt(std::path::Path::new("seed.txt"), SEED).expect("seed");
    store.import(&[seed], &|_| {}).await.expect("import");
    let id = store.published(None, 1, 1).await.expect("listing").items[0].id;
    (store, id)
}

/// The app and the data folder it lives in (removed when dropped).
pub async fn open_app(store: &Store) -> (App, tempfile::TempDir) {
    open_app_with(store, rongmei_app::clock::Clock::system()).await
}

/// The same, going by `clock`.
pub async fn open_app_with(
    store: &Store,
    clock: rongmei_app::clock::Clock,
) -> (App, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("data dir");
    let mut config = Config::with(&Overrides {
        data: Some(data.path().to_path_buf()),
        ..Overrides::default()
    })
    .expect("config");
    config.clock = clock;
    let index = rongmei_app::app::open_search(&config.data).expect("index");
    let app = App::open(config, store.clone(), index).await.expect("app");
    (app, data)
}

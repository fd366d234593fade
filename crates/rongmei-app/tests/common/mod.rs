//! An application over a test database, with its own data folder.

use rongmei_app::{App, Config, Overrides};
use rongmei_store::Store;

/// The app and the data folder it lives in (removed when dropped).
pub async fn open_app(store: &Store) -> (App, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("data dir");
    let config = Config::with(&Overrides {
        data: Some(data.path().to_path_buf()),
        ..Overrides::default()
    })
    .expect("config");
    let index = rongmei_app::app::open_search(&config.data).expect("index");
    let app = App::open(config, store.clone(), index).await.expect("app");
    (app, data)
}

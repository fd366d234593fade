//! A real server on a free loopback port, over a test database, with its own data folder.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use rongmei_store::testing::TestDb;
use rongmei_web::{AppState, WebConfig};

pub const SEED: &str = include_str!("../../../../fixtures/seed/000_110ea0537603b210.txt");
pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const DEMO: &str = include_str!("../../../../fixtures/demo/demo.jsonl");

pub struct Server {
    pub base: String,
    _data: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(db: &TestDb, trust_proxy: bool) -> Server {
        let store = db.store().await.expect("store");
        let data = tempfile::tempdir().expect("data dir");
        let cfg = rongmei_search::SearchConfig {
            index_dir: data.path().join("index"),
            user_dict: None,
            aliases: None,
        };
        let index = Arc::new(rongmei_search::SearchIndex::open(&cfg).expect("search index"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let state = AppState::new(
            store,
            WebConfig {
                trust_proxy,
                admin_token: Some(ADMIN_TOKEN.to_string()),
                ..WebConfig::default()
            },
            index,
            data.path(),
        )
        .await
        .expect("app state");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(rongmei_web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        Server {
            base,
            _data: data,
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

/// Imports the seed and the demo articles; returns the seed's id.
pub async fn seed_and_demo(db: &TestDb) -> i64 {
    let store = db.store().await.expect("store");
    let mut all = vec![rongmei_import::parse_txt(Path::new("seed.txt"), SEED).expect("seed")];
    let demo = rongmei_import::parse_jsonl(Path::new("demo.jsonl"), DEMO).expect("demo");
    all.extend(demo.into_iter().map(|r| r.article));
    store.import(&all, &|_| {}).await.expect("import");
    let page = store.published(None, 1, 100).await.expect("listing");
    let id = page
        .items
        .iter()
        .find(|a| a.title.starts_with("【主题教育】西安交大党委宣传部"))
        .expect("seed listed")
        .id;
    store.close().await;
    id
}

/// GET and parse JSON, whatever the status (error bodies are JSON too).
pub async fn get_json(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> serde_json::Value {
    http.get(url)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body")
}

pub async fn get_text(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    http.get(url)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("text body")
}

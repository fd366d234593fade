//! `rongmei knowledge extract`: reads the archive for people, organisations, places and dates
//! (after an import, after an upgrade of the rules, or with --all from scratch), with a
//! progress bar. A running server does the same for every change on its own; this is for the
//! whole archive at once.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use rongmei_app::{App, Config};

use crate::database::connect;
use crate::progress::Progress;

pub async fn extract(config: Config, all: bool) -> Result<()> {
    let store = connect(&config.database).await?;
    // Extraction never searches, but the application opens with an index; it gets an empty
    // one of its own (the data folder's may be held by a running server).
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let index = rongmei_app::app::open_search_at(&config.data, scratch.path().join("index"))
        .context("opening a scratch search index")?;
    let app = App::open(config, store.clone(), index)
        .await
        .context("preparing the application")?;
    if all {
        app.forget_knowledge().await?;
    }
    let total = app.knowledge_backlog_len().await? as u64;
    let bar = Progress::new("extracting", total, std::io::stderr().is_terminal());
    let started = std::time::Instant::now();
    let n = app.extract_backlog(&|n| bar.set(n as u64)).await?;
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    println!(
        "extracted people, organisations, places and dates from {n} articles in {secs:.1} s ({:.0} articles/s)",
        n as f64 / secs.max(1e-9)
    );
    Ok(())
}

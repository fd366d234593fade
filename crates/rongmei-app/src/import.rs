//! Bringing archives in, and rebuilding a search index, from the command line. Neither needs a
//! running server; both need only the database (and the data folder for the index).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rongmei_core::NewArticle;
use rongmei_store::{ImportStats, RebuildReport, SIGNAL_REINDEX, Store};

use crate::app::open_search;
use crate::background::HEARTBEAT;
use crate::config::DataDir;
use crate::error::AppError;
use crate::search::indexer::rebuild;

/// Imports articles in one transaction: all or nothing. Servers pick the new articles up from
/// the change feed.
pub async fn import_articles(
    store: &Store,
    articles: &[NewArticle],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportStats, AppError> {
    Ok(store.import(articles, progress).await?)
}

/// Imports the records `read` hands over, as it makes them: `read` runs on a blocking thread
/// and is never more than a few records ahead of the writer, so an archive of any size is never
/// held whole. One transaction: an error in reading or writing leaves the database as it was.
/// `read` is told false when the writer has failed, and should stop.
pub async fn import_stream<T, E>(
    store: &Store,
    read: impl FnOnce(&mut dyn FnMut(NewArticle) -> bool) -> Result<T, E> + Send + 'static,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(ImportStats, T), StreamError<E>>
where
    T: Send + 'static,
    E: std::error::Error + Send + 'static,
{
    let (sender, mut records) = tokio::sync::mpsc::channel::<NewArticle>(64);
    let reader = tokio::task::spawn_blocking(move || {
        read(&mut |record: NewArticle| sender.blocking_send(record).is_ok())
    });
    let written = async {
        let mut importer = store.begin_import().await?;
        let mut n = 0;
        while let Some(record) = records.recv().await {
            importer.add(&record).await?;
            n += 1;
            progress(n);
        }
        Ok::<_, rongmei_store::StoreError>(importer)
    }
    .await;
    // The reader stops once the channel is gone.
    drop(records);
    let read = reader
        .await
        .map_err(|e| StreamError::Write(AppError::Internal(format!("the reader stopped: {e}"))))?;
    let importer = written.map_err(|e| StreamError::Write(e.into()))?;
    let value = read.map_err(StreamError::Read)?;
    let stats = importer
        .commit()
        .await
        .map_err(|e| StreamError::Write(e.into()))?;
    Ok((stats, value))
}

/// Why a streamed import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum StreamError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Read(E),
    #[error(transparent)]
    Write(AppError),
}

/// Rebuilds the data folder's search index from the database and records where in the change
/// feed it stands, so a server starting on it catches up from there.
pub async fn reindex(
    store: &Store,
    data: &DataDir,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> Result<u64, ReindexError> {
    let index = open_search(data).map_err(|e| match e {
        rongmei_search::SearchError::Locked { .. } => ReindexError::Locked,
        other => ReindexError::App(other.into()),
    })?;
    let seq = store.last_event_seq().await.map_err(AppError::from)?;
    let n = rebuild(store, &index, progress).await?;
    let path = data.search_position();
    std::fs::write(&path, seq.to_string()).map_err(|e| {
        AppError::Internal(format!(
            "recording the index position in {}: {e}",
            path.display()
        ))
    })?;
    Ok(n)
}

/// How long `rongmei reindex` waits for running nodes: a rebuild at 100,000 articles takes
/// about a minute; a node that has not answered by then is stuck.
const NODES_PATIENCE: Duration = Duration::from_secs(15 * 60);

/// Asks every running node to rebuild its search index beside the one it answers from, and
/// waits until each node that was running has reported (told to `report` as they arrive).
/// Fails at once when no node is running, and names the nodes that never answered.
pub async fn reindex_running_nodes(
    store: &Store,
    report: impl Fn(&RebuildReport),
) -> Result<Vec<RebuildReport>, AppError> {
    let alive_within = i64::try_from(3 * HEARTBEAT.as_millis()).unwrap_or(i64::MAX);
    let running = store.live_nodes(alive_within).await?;
    if running.is_empty() {
        return Err(AppError::Unavailable(
            "no node is running against this database; `rongmei reindex` without --nodes \
             rebuilds this data folder's index"
                .into(),
        ));
    }
    let version = store.raise_signal(SIGNAL_REINDEX).await?;
    let started = Instant::now();
    let mut seen: Vec<RebuildReport> = Vec::new();
    loop {
        let reports = store.rebuild_reports(version).await?;
        for r in reports.iter().skip(seen.len()) {
            report(r);
        }
        seen = reports;
        // A node that stopped meanwhile will not answer; one that started meanwhile opened
        // its index with the current dictionaries anyway.
        let still = store.live_nodes(alive_within).await?;
        let missing: Vec<&String> = running
            .iter()
            .filter(|n| still.contains(n) && !seen.iter().any(|r| &r.node == *n))
            .collect();
        if missing.is_empty() {
            return Ok(seen);
        }
        if started.elapsed() >= NODES_PATIENCE {
            return Err(AppError::Unavailable(format!(
                "{} of the running nodes did not rebuild within {} minutes (request {version}): {}",
                missing.len(),
                NODES_PATIENCE.as_secs() / 60,
                missing
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error(
        "a running `rongmei serve` holds this data folder's search index; `rongmei reindex --nodes` \
         asks running nodes to rebuild beside it"
    )]
    Locked,
    #[error(transparent)]
    App(#[from] AppError),
}

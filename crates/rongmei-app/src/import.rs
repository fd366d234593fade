//! Bringing archives in, and rebuilding a search index, from the command line. Neither needs a
//! running server; both need only the database (and the data folder for the index).

use std::sync::Arc;

use rongmei_core::NewArticle;
use rongmei_store::{ImportStats, Store};

use crate::app::open_search;
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

#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error(
        "a running `rongmei serve` holds this data folder's search index: stop it and run \
         `rongmei reindex` again, or restart it (a server rebuilds the index at start when it is \
         missing, corrupt, or built with other dictionaries)"
    )]
    Locked,
    #[error(transparent)]
    App(#[from] AppError),
}

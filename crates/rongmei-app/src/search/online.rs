//! Rebuilding a node's search index while it keeps answering: `rongmei reindex` beside running
//! nodes raises the `reindex` signal, and each node builds a fresh index in a new folder from the
//! database, with the dictionaries and aliases as they are now, then swaps it in. Searches answer
//! from the old index until the swap and never see a half-built one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::indexer::{apply, public_ids, rebuild};
use crate::app::{App, open_search_at};
use crate::error::AppError;
use crate::events::subscriber::CursorStore;

/// Events applied to the new index per round of catching up.
const CATCH_UP_BATCH: i64 = 1000;

impl App {
    /// Builds a new index beside the one in use and swaps it in; returns the articles indexed.
    /// A second call while one runs on this node is a conflict.
    pub async fn rebuild_search_online(&self) -> Result<u64, AppError> {
        let Ok(_only) = self.search_rebuild().try_lock() else {
            return Err(AppError::Conflict(
                "a search index rebuild is already running on this node".into(),
            ));
        };
        let started = Instant::now();
        let data = self.data().clone();
        let current = self.search_index().dir().to_path_buf();
        let dir = data.next_search_index();
        tracing::info!(dir = %dir.display(), "rebuilding the search index beside the one in use");
        let index = {
            let (data, dir, current) = (data.clone(), dir.clone(), current.clone());
            tokio::task::spawn_blocking(move || {
                remove_stale_indexes(&data, &current);
                open_search_at(&data, dir)
            })
            .await??
        };
        let mut seq = self.store().last_event_seq().await?;
        let logged = Arc::new(|n: u64| {
            if n.is_multiple_of(10_000) {
                tracing::info!(articles = n, "indexing beside the index in use");
            }
        });
        let n = rebuild(self.store(), &index, logged).await?;
        // Changes made during the build: most now, the rest under the lock, so the swap waits
        // only for the last few.
        seq = self.catch_up(&index, seq).await?;
        let old = {
            let _writing = self.search_writes().lock().await;
            seq = self.catch_up(&index, seq).await?;
            let old = self.swap_search_index(index);
            data.use_search_index(&dir)
                .map_err(|e| AppError::Internal(format!("recording the new search index: {e}")))?;
            CursorStore::write_file(&data.search_position(), seq);
            old
        };
        tracing::info!(
            articles = n,
            seconds = started.elapsed().as_secs_f64(),
            "new search index in use"
        );
        retire(old).await;
        Ok(n)
    }

    /// Applies to `index` every change after `seq`; returns the feed position reached.
    async fn catch_up(
        &self,
        index: &Arc<rongmei_search::SearchIndex>,
        mut seq: i64,
    ) -> Result<i64, AppError> {
        loop {
            let events = self.store().events_since(seq, CATCH_UP_BATCH).await?;
            let Some(last) = events.last() else {
                return Ok(seq);
            };
            seq = last.seq;
            apply(self.store(), index, &public_ids(&events)).await?;
        }
    }

    /// Answers a `reindex` signal newer than `seen`: rebuilds and reports to the database so
    /// `rongmei reindex` can say which nodes are done.
    pub(crate) async fn answer_reindex(&self, version: i64) {
        match self.rebuild_search_online().await {
            Ok(n) => {
                let documents = i64::try_from(n).unwrap_or(i64::MAX);
                if let Err(e) = self
                    .store()
                    .report_rebuild(self.node_name(), version, documents)
                    .await
                {
                    tracing::warn!(error = %e, "could not report the finished search rebuild");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "online search index rebuild failed; the old index stays in use")
            }
        }
    }
}

/// Drops the old index once no search holds it any more, then deletes its folder.
async fn retire(old: Arc<rongmei_search::SearchIndex>) {
    let dir = old.dir().to_path_buf();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Arc::strong_count(&old) > 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(old);
    let removed =
        tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&dir).map(|_| dir)).await;
    match removed {
        Ok(Ok(dir)) => tracing::info!(dir = %dir.display(), "old search index removed"),
        Ok(Err(e)) => tracing::warn!(error = %e, "could not remove the old search index"),
        Err(e) => tracing::warn!(error = %e, "could not remove the old search index"),
    }
}

/// Folders of rebuilds that never finished (a node killed mid-build), never the one in use.
fn remove_stale_indexes(data: &crate::config::DataDir, current: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(data.root()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = path != current
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with("search-index-"))
            && path.is_dir();
        if stale && std::fs::remove_dir_all(&path).is_ok() {
            tracing::info!(dir = %path.display(), "removed an unfinished search index");
        }
    }
}

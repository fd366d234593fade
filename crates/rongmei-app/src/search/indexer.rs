//! This node's search index as a change-feed subscriber: rebuilt from the database when it is
//! new, corrupt or built with other dictionaries, then kept current event by event.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rongmei_core::{Article, ArticleEvent};
use rongmei_search::{SearchDoc, SearchError, SearchIndex};
use rongmei_store::Store;

use crate::app::App;
use crate::error::AppError;
use crate::events::subscriber::Subscriber;

pub fn doc_of(a: &Article) -> SearchDoc {
    SearchDoc {
        id: a.id,
        title: a.title.clone(),
        body: a.body.to_text(),
        column_slug: a.column.slug.clone(),
        column_name: a.column.name.clone(),
        tags: a.tags.clone(),
        bylines: a.bylines.iter().map(|b| b.name.clone()).collect(),
        published_at: a.published_at.map(|t| t.timestamp()),
    }
}

/// The articles whose public face these events may have changed, each once.
pub fn public_ids(events: &[ArticleEvent]) -> Vec<i64> {
    let mut ids: Vec<i64> = events
        .iter()
        .filter(|e| e.touches_public())
        .map(|e| e.article_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Brings the index up to date for these articles: published ones are (re)indexed, the rest
/// removed.
pub async fn apply(store: &Store, index: &Arc<SearchIndex>, ids: &[i64]) -> Result<(), AppError> {
    let mut upserts = Vec::new();
    let mut deletes = Vec::new();
    for id in ids {
        match store.article(*id).await? {
            Some(a) if a.is_public() => upserts.push(doc_of(&a)),
            _ => deletes.push(*id),
        }
    }
    let index = index.clone();
    tokio::task::spawn_blocking(move || -> Result<(), SearchError> {
        if !deletes.is_empty() {
            index.delete(&deletes)?;
        }
        if !upserts.is_empty() {
            index.upsert(&upserts)?;
        }
        Ok(())
    })
    .await??;
    Ok(())
}

/// Rebuilds the whole index from the database, streaming articles so memory stays flat.
pub async fn rebuild(
    store: &Store,
    index: &Arc<SearchIndex>,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> Result<u64, AppError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<SearchDoc>(2048);
    let index = index.clone();
    let writer = tokio::task::spawn_blocking(move || {
        let mut docs = rx.into_iter();
        index.rebuild(&mut docs, &*progress)
    });
    let mut after = 0;
    loop {
        let page = store.published_after(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for a in &page {
            if tx.send(doc_of(a)).is_err() {
                break;
            }
        }
    }
    drop(tx);
    let n = writer.await??;
    metrics::counter!("rongmei_search_rebuilds_total").increment(1);
    Ok(n)
}

/// The search index, following the change feed with a cursor kept beside the index. It writes
/// to whichever index is in use, holding the node's index write lock so that an online rebuild
/// swaps between two batches, never inside one.
pub struct SearchIndexer {
    pub app: App,
    /// True once the index is built and has caught up with the feed.
    pub ready: Arc<AtomicBool>,
}

impl Subscriber for SearchIndexer {
    fn name(&self) -> &'static str {
        "search"
    }

    async fn start(&self, stored: Option<i64>, feed_end: i64) -> Result<i64, AppError> {
        let _writing = self.app.search_writes().lock().await;
        let index = self.app.search_index();
        if let Some(at) = stored.filter(|_| !index.needs_rebuild()) {
            return Ok(at.min(feed_end));
        }
        self.ready.store(false, Ordering::SeqCst);
        tracing::info!("building the search index from the database");
        let logged = Arc::new(|n: u64| {
            if n.is_multiple_of(10_000) {
                tracing::info!(articles = n, "indexing");
            }
        });
        let n = rebuild(self.app.store(), &index, logged).await?;
        tracing::info!(articles = n, "search index built");
        Ok(feed_end)
    }

    fn caught_up(&self) {
        if !self.ready.swap(true, Ordering::SeqCst) {
            tracing::info!("search index ready");
        }
    }

    async fn handle(&self, events: &[ArticleEvent]) -> Result<(), AppError> {
        let ids = public_ids(events);
        if ids.is_empty() {
            return Ok(());
        }
        let _writing = self.app.search_writes().lock().await;
        apply(self.app.store(), &self.app.search_index(), &ids).await
    }
}

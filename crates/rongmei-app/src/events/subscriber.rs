//! The subscriber interface: each consumer of the change feed runs in its own task with its own
//! cursor and its own retries.
//!
//! A cursor lives in memory (page caches: they start empty anyway), in a file of this node's
//! data folder (the search index: each node has its own), or in the database, shared by every
//! node, with a lease so that one node at a time delivers (webhooks, exports). Delivery is at
//! least once: a batch is handled, then the cursor moves past it.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rongmei_core::ArticleEvent;
use rongmei_store::Store;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::cursor::FeedCursor;
use crate::error::AppError;

/// How often the feed is read when nothing wakes a subscriber earlier (writes on this node do).
pub const POLL: Duration = Duration::from_millis(250);
/// How long a node holds a shared cursor without renewing it before another node may take over.
pub const LEASE_MS: i64 = 15_000;
const BATCH: i64 = 1000;
const FIRST_RETRY: Duration = Duration::from_millis(250);
const MAX_RETRY: Duration = Duration::from_secs(30);

/// A consumer of typed change events.
pub trait Subscriber: Send + Sync + 'static {
    /// Stable across restarts: it keys the stored cursor.
    fn name(&self) -> &'static str;

    /// Where a node-local consumer begins: `stored` is its saved position (`None` the first
    /// time), `feed_end` the newest event now. By default a new consumer does not replay history.
    fn start(
        &self,
        stored: Option<i64>,
        feed_end: i64,
    ) -> impl Future<Output = Result<i64, AppError>> + Send {
        async move { Ok(stored.unwrap_or(feed_end).min(feed_end)) }
    }

    /// Handles events in feed order. An error retries the same events later, with backoff.
    fn handle(&self, events: &[ArticleEvent]) -> impl Future<Output = Result<(), AppError>> + Send;

    /// Told after each round that reached the end of the feed with everything handled.
    fn caught_up(&self) {}
}

/// Where a subscriber's position is kept.
#[derive(Debug, Clone)]
pub enum CursorStore {
    /// Forgotten on restart; the subscriber starts at the end of the feed.
    Memory,
    /// A file of this node's data folder.
    NodeFile(PathBuf),
    /// A row in the database shared by all nodes; `owner` names this node for the lease.
    Shared { owner: String },
}

impl CursorStore {
    fn read_file(path: &PathBuf) -> Option<i64> {
        std::fs::read_to_string(path).ok()?.trim().parse().ok()
    }

    /// Records a feed position in a file, whole or not at all (temp file, then rename).
    pub(crate) fn write_file(path: &PathBuf, seq: i64) {
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, seq.to_string())
            .and_then(|_| std::fs::rename(&tmp, path))
            .is_err()
        {
            tracing::warn!(path = %path.display(), "cannot record a change-feed position");
        }
    }
}

/// Follows the feed for one subscriber until `stop` is cancelled; a batch being handled is
/// finished first. `wake` ticks after writes on this node, so local changes are handled at once
/// rather than at the next poll.
pub async fn follow<S: Subscriber>(
    sub: Arc<S>,
    store: Store,
    cursors: CursorStore,
    mut wake: watch::Receiver<u64>,
    stop: CancellationToken,
) {
    let name = sub.name();
    let mut cursor: Option<FeedCursor> = None;
    let mut retry = Duration::ZERO;
    let mut more = false;
    let mut wake_alive = true;
    loop {
        let pause = if !retry.is_zero() {
            retry
        } else if more {
            Duration::ZERO
        } else {
            POLL
        };
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(pause) => {}
            r = wake.changed(), if wake_alive && retry.is_zero() && !more => wake_alive = r.is_ok(),
        }
        more = false;
        let step = async {
            // The end of the feed matters only to a cursor not placed yet (once placed, a shared
            // cursor's row exists and keeps its own position).
            let feed_end = match &cursor {
                Some(c) => c.position(),
                None => store.last_event_seq().await?,
            };
            // Where to read from: a shared cursor is re-claimed every round (renewing the
            // lease, and picking up another node's progress); a local one is read once.
            match &cursors {
                CursorStore::Shared { owner } => {
                    match store.claim_cursor(name, owner, LEASE_MS, feed_end).await? {
                        Some(at) => {
                            if cursor.as_ref().is_none_or(|c| c.position() < at) {
                                cursor = Some(FeedCursor::new(at));
                            }
                        }
                        None => {
                            cursor = None;
                            return Ok(false);
                        }
                    }
                }
                CursorStore::NodeFile(path) if cursor.is_none() => {
                    let at = sub.start(CursorStore::read_file(path), feed_end).await?;
                    CursorStore::write_file(path, at);
                    cursor = Some(FeedCursor::new(at));
                }
                CursorStore::Memory if cursor.is_none() => {
                    cursor = Some(FeedCursor::new(sub.start(None, feed_end).await?));
                }
                _ => {}
            }
            let Some(c) = cursor.as_mut() else {
                return Ok(false);
            };
            let before = c.position();
            let events = store.events_since(before, BATCH).await?;
            let fresh = c.fresh(&events);
            if !fresh.is_empty() {
                sub.handle(&fresh).await?;
                if let Some(last) = fresh.last() {
                    let delay = (chrono::Utc::now() - last.at).as_seconds_f64().max(0.0);
                    metrics::histogram!("rongmei_feed_delivery_seconds", "subscriber" => name)
                        .record(delay);
                }
            }
            c.applied(fresh.iter().map(|e| e.seq), Instant::now());
            let at = c.position();
            positions().insert(name, at);
            if at != before {
                match &cursors {
                    CursorStore::Shared { owner } => {
                        if !store.advance_cursor(name, owner, at).await? {
                            // Another node took over; it delivers from the stored position.
                            cursor = None;
                        }
                    }
                    CursorStore::NodeFile(path) => CursorStore::write_file(path, at),
                    CursorStore::Memory => {}
                }
            }
            Ok::<bool, AppError>(events.len() as i64 == BATCH)
        };
        match step.await {
            Ok(full) => {
                more = full;
                retry = Duration::ZERO;
                if !full && cursor.is_some() {
                    sub.caught_up();
                }
            }
            Err(e) => {
                retry = (retry * 2).clamp(FIRST_RETRY, MAX_RETRY);
                tracing::warn!(subscriber = name, error = %e, retry_in_ms = retry.as_millis() as u64, "a change-feed subscriber failed; retrying");
            }
        }
    }
    if let CursorStore::Shared { owner } = &cursors {
        release(&store, name, owner).await;
    }
}

/// Where each subscriber of this process stands, for the lag the metrics report.
pub fn positions() -> &'static dashmap::DashMap<&'static str, i64> {
    static POSITIONS: std::sync::OnceLock<dashmap::DashMap<&'static str, i64>> =
        std::sync::OnceLock::new();
    POSITIONS.get_or_init(dashmap::DashMap::new)
}

/// Gives a shared cursor's lease up, so another node takes over at once (on a graceful stop).
pub async fn release(store: &Store, name: &str, owner: &str) {
    if let Err(e) = store.release_cursor(name, owner).await {
        tracing::warn!(subscriber = name, error = %e, "releasing a change-feed lease failed");
    }
}

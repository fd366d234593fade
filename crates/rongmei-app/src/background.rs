//! The work a node does besides answering: writing counted views, following the change feed
//! (search index, caches), publishing scheduled articles, and pruning.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use rongmei_core::ArticleEvent;
use rongmei_store::{SIGNAL_DICTIONARIES, SIGNAL_REINDEX};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::error::AppError;
use crate::events::subscriber::{CursorStore, Subscriber, follow};
use crate::search::indexer::SearchIndexer;
use crate::views::counter::DEDUPE_WINDOW;

/// How often counted views are written. What `kill -9` loses is what waits for the next flush
/// plus the flush under way; a flush of a busy tenth of a second takes tens of milliseconds, and
/// when one runs longer the next follows at once, so the loss stays near a quarter of a second
/// of traffic even at tens of thousands of views a second. An idle tick costs one lock.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// How often readers' search counts are written. They are aggregates for the newsroom, not
/// figures anyone reconciles: a crash losing a few seconds of them costs nothing, and fewer
/// writes keep SQLite's single writer free for what readers wait on.
const SEARCH_LOG_EVERY: Duration = Duration::from_secs(5);

/// How often a node renews its row in `nodes`; `rongmei reindex` counts a node as running
/// while its row is younger than three of these.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// How often a node looks at the shared signals: a dictionary saved on another node is in force
/// here within this time plus one query.
const SIGNAL_POLL: Duration = Duration::from_secs(1);

/// This node's caches, told of changes made on other nodes.
struct Caches(App);

impl Subscriber for Caches {
    fn name(&self) -> &'static str {
        "caches"
    }

    async fn handle(&self, events: &[ArticleEvent]) -> Result<(), AppError> {
        let mut ids: Vec<i64> = events.iter().map(|e| e.article_id).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            self.0.notify(id);
        }
        Ok(())
    }
}

impl App {
    /// Starts a subscriber in its own task: it never waits for another.
    pub fn subscribe<S: Subscriber>(&self, sub: Arc<S>, cursors: CursorStore) -> JoinHandle<()> {
        tokio::spawn(follow(
            sub,
            self.store().clone(),
            cursors,
            self.wake(),
            self.stopping().clone(),
        ))
    }

    /// A cursor in the database shared by every node, held by this one while it runs.
    pub fn shared_cursor(&self) -> CursorStore {
        CursorStore::Shared {
            owner: self.node_name().to_string(),
        }
    }

    /// Starts the node's background work; [`Background::stop`] ends it and writes every
    /// counted view and search.
    pub fn spawn_background(&self) -> Background {
        let mut tasks = Vec::new();
        let s = self.clone();
        tasks.push(every(self.stopping(), FLUSH_EVERY, move || {
            let s = s.clone();
            async move {
                if let Err(e) = s.counter().flush().await {
                    tracing::warn!(error = %e, "flushing view counts failed; will retry");
                }
            }
        }));
        let s = self.clone();
        tasks.push(every(self.stopping(), Duration::from_secs(1), move || {
            let s = s.clone();
            async move { s.counter().refresh_known().await }
        }));
        let s = self.clone();
        tasks.push(every(self.stopping(), SEARCH_LOG_EVERY, move || {
            let s = s.clone();
            async move {
                if let Err(e) = s.search_log().flush(s.store()).await {
                    tracing::warn!(error = %e, "writing search counts failed; will retry");
                }
            }
        }));
        let s = self.clone();
        let last_built = Arc::new(std::sync::Mutex::new(
            None::<(std::time::Instant, Duration)>,
        ));
        tasks.push(every(
            self.stopping(),
            crate::search::suggest::SUGGEST_CHECK_EVERY,
            move || {
                let s = s.clone();
                let last_built = last_built.clone();
                async move {
                    // Built once the index is ready (it reads pinyin as the index does), then
                    // again after a change, and every few minutes for readers' queries.
                    if !s.readiness_of_search() {
                        return;
                    }
                    // A change is taken in after twenty times what the last build took: at
                    // once on a small site, every minute or so at 100,000 articles.
                    let last = last_built.lock().ok().and_then(|t| *t);
                    let due = last.is_none_or(|(at, took)| {
                        let stale = s
                            .suggestions_stale()
                            .load(std::sync::atomic::Ordering::Acquire);
                        at.elapsed() >= crate::search::suggest::SUGGEST_REBUILD_EVERY
                            || (stale && at.elapsed() >= took * 20)
                    });
                    if !due {
                        return;
                    }
                    let started = std::time::Instant::now();
                    match s.refresh_suggestions().await {
                        Ok(_) => {
                            if let Ok(mut t) = last_built.lock() {
                                *t = Some((started, started.elapsed()));
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "building suggestions failed; will retry")
                        }
                    }
                }
            },
        ));
        tasks.push(self.subscribe(
            Arc::new(SearchIndexer {
                app: self.clone(),
                ready: self.search_ready_flag(),
            }),
            CursorStore::NodeFile(self.data().search_position()),
        ));
        tasks.push(self.subscribe(Arc::new(Caches(self.clone())), CursorStore::Memory));
        tasks.push(self.subscribe(
            Arc::new(crate::knowledge::KnowledgeBell(self.clone())),
            CursorStore::Memory,
        ));
        tasks.push(tokio::spawn(self.clone().knowledge_worker()));
        tasks.extend(crate::webhooks::dispatch::spawn(self));
        tasks.extend(self.spawn_baidu_push());
        let s = self.clone();
        tasks.push(every(self.stopping(), Duration::from_secs(1), move || {
            let s = s.clone();
            async move { s.publish_due().await }
        }));
        let s = self.clone();
        tasks.push(every(self.stopping(), HEARTBEAT, move || {
            let s = s.clone();
            async move {
                if let Err(e) = s.store().node_alive(s.node_name()).await {
                    tracing::warn!(error = %e, "recording this node as running failed; will retry");
                }
            }
        }));
        let s = self.clone();
        let seen = Arc::new(AtomicI64::new(-1));
        tasks.push(every(self.stopping(), SIGNAL_POLL, move || {
            let (s, seen) = (s.clone(), seen.clone());
            async move { s.watch_signals(&seen).await }
        }));
        let s = self.clone();
        tasks.push(every(self.stopping(), Duration::from_secs(60), move || {
            let s = s.clone();
            async move { s.prune().await }
        }));
        Background {
            app: self.clone(),
            tasks,
        }
    }

    /// Publishes scheduled articles whose time has come; every node runs it, the store makes
    /// sure each article goes out once.
    async fn publish_due(&self) {
        match self.store().publish_due(self.node_name(), self.now()).await {
            Ok(ids) => {
                for id in ids {
                    tracing::info!(article = id, "scheduled article published");
                    self.changed(id);
                }
            }
            Err(e) => tracing::warn!(error = %e, "publishing scheduled articles failed"),
        }
    }

    /// Looks whether another node changed the dictionaries or asked for a search rebuild.
    /// `seen` is the reindex request already answered; -1 before the first look, which only
    /// notes where things stand (an index opened at start already has the current analysis).
    async fn watch_signals(&self, seen: &AtomicI64) {
        let signals = match self.store().signals().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "reading shared signals failed; will retry");
                return;
            }
        };
        let version = |name: &str| {
            signals
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0, |(_, v)| *v)
        };
        let dictionaries = version(SIGNAL_DICTIONARIES);
        if self.checks().version() != Some(dictionaries)
            && let Err(e) = self.load_dictionaries(dictionaries).await
        {
            tracing::warn!(error = %e, "reloading the publication-check dictionaries failed; will retry");
        }
        let reindex = version(SIGNAL_REINDEX);
        let before = seen.swap(reindex, Ordering::SeqCst);
        if before >= 0 && reindex > before {
            tracing::info!(request = reindex, "asked to rebuild the search index");
            let s = self.clone();
            tokio::spawn(async move { s.answer_reindex(reindex).await });
        }
    }

    async fn prune(&self) {
        self.counter().sweep();
        self.view_tokens().forget_idle_clients();
        self.sign_ins().forget_idle_clients();
        let now = self.now().timestamp();
        if let Err(e) = self.store().prune_hourly_stats(now).await {
            tracing::warn!(error = %e, "pruning hourly view statistics failed");
        }
        let window = DEDUPE_WINDOW.as_secs() as i64;
        if let Err(e) = self.store().prune_seen_visitors(now - window).await {
            tracing::warn!(error = %e, "pruning counted readers failed");
        }
        let failures_before = chrono::Utc::now().timestamp_millis() - 24 * 3600 * 1000;
        if let Err(e) = self.store().prune_auth(failures_before).await {
            tracing::warn!(error = %e, "pruning sessions failed");
        }
    }
}

/// Runs `work` every `period` until `stop` is cancelled. Work under way is never interrupted:
/// only the wait between two runs races the stop, so a flush that has taken a batch out of
/// memory always writes it (or puts it back) before the task ends.
fn every<F, Fut>(stop: &CancellationToken, period: Duration, work: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let stop = stop.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => work().await,
            }
        }
    })
}

/// How long a stopping node waits for one background task to finish what it is doing.
const STOP_PATIENCE: Duration = Duration::from_secs(15);

/// A node's background work, running.
pub struct Background {
    app: App,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Stops cooperatively: every loop finishes its current run (a flush in flight included),
    /// then one last flush writes everything still counted in memory.
    pub async fn stop(self) {
        self.app.stopping().cancel();
        for t in self.tasks {
            let abort = t.abort_handle();
            if tokio::time::timeout(STOP_PATIENCE, t).await.is_err() {
                tracing::warn!("a background task did not stop in time; abandoning it");
                abort.abort();
            }
        }
        if let Err(e) = self.app.counter().flush().await {
            tracing::error!(error = %e, "final flush of view counts failed");
        }
        if let Err(e) = self.app.search_log().flush(self.app.store()).await {
            tracing::error!(error = %e, "final write of search counts failed");
        }
        if let Err(e) = self.app.store().node_gone(self.app.node_name()).await {
            tracing::warn!(error = %e, "could not record this node as stopped");
        }
    }
}

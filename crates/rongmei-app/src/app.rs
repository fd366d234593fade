//! The application: one value that every adapter (the web server, the command line) holds, and
//! whose methods — spread over the feature modules — are the use cases.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use arc_swap::ArcSwap;
use rongmei_core::Links;
use rongmei_search::{SearchConfig, SearchError, SearchIndex};
use rongmei_store::Store;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::accounts::limiter::SignInLimiter;
use crate::config::{Config, DataDir};
use crate::error::AppError;
use crate::site::nav::SiteCache;
use crate::views::counter::ViewCounter;
use crate::views::tokens::ViewTokens;

type Listener = Arc<dyn Fn(i64) + Send + Sync>;

/// Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: Config,
    /// Swapped whole by an online rebuild; searches in flight keep the index they loaded.
    search: ArcSwap<SearchIndex>,
    /// Held while events are applied to the index, so a swap never falls between two.
    search_writes: tokio::sync::Mutex<()>,
    /// Held by the one online rebuild a node runs at a time.
    search_rebuild: tokio::sync::Mutex<()>,
    counter: ViewCounter,
    /// Readers' searches counted here, not yet written.
    search_log: crate::search_log::SearchLog,
    tokens: ViewTokens,
    checks: rongmei_checks::CheckerHandle,
    media: rongmei_media::MediaStore,
    node_name: String,
    sign_ins: SignInLimiter,
    /// Whether an image is in a published article, by the image's content hash, with when this
    /// node looked; emptied by every change so a retraction takes an image down at once.
    media_public: dashmap::DashMap<String, (bool, std::time::Instant)>,
    /// Makes links in bodies absolute against the configured base URL.
    absolutizer: Option<rongmei_html::Absolutizer>,
    site: SiteCache,
    /// Told the id of every article changed on this node or seen in the change feed.
    listeners: RwLock<Vec<Listener>>,
    /// Ticks after each write here, so this node's subscribers read the feed at once.
    wake: watch::Sender<u64>,
    /// Cancelled when the node stops: background loops finish what they are doing and end.
    stopping: CancellationToken,
    /// The search index is built and caught up with the change feed.
    search_ready: Arc<AtomicBool>,
    webhooks: crate::webhooks::sender::Webhooks,
    knowledge: crate::knowledge::state::KnowledgeState,
    /// What readers are offered as they type; swapped whole when rebuilt.
    suggestions: ArcSwap<rongmei_search::Suggester>,
    /// An article changed since the suggestions were built.
    suggestions_stale: Arc<AtomicBool>,
}

/// Whether this node can answer everything correctly (`/readyz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub database: bool,
    pub search: bool,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database && self.search
    }
}

impl App {
    /// Opens the application over a connected store and this node's search index.
    pub async fn open(
        config: Config,
        store: Store,
        search: Arc<SearchIndex>,
    ) -> Result<App, AppError> {
        let tokens = ViewTokens::load(&store).await?;
        let node_name = format!(
            "node:{}:{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into()),
            std::process::id()
        );
        let counter = ViewCounter::new(
            store.clone(),
            tokens.visitor_hash_key(),
            config.views_per_address,
            config.clock.clone(),
        );
        let (wake, _) = watch::channel(0);
        // The base URL was checked when the configuration was read; were it unparsable, links
        // would stay relative rather than the server refuse to start.
        let absolutizer = url::Url::parse(&format!("{}/", config.links.base()))
            .ok()
            .map(|base| rongmei_html::Absolutizer::new(&base));
        let webhooks = crate::webhooks::sender::Webhooks::new(
            config.webhook_allow_private,
            config.webhook_retry_scale,
        )?;
        // The search aliases seed the entity aliases (西安交大 → 西安交通大学).
        let aliases = std::fs::read_to_string(config.data.search_aliases())
            .unwrap_or_else(|_| rongmei_search::DEFAULT_ALIASES.to_string());
        let app = App {
            inner: Arc::new(Inner {
                knowledge: crate::knowledge::state::KnowledgeState::new(&aliases),
                webhooks,
                site: SiteCache::new(config.site_name.clone()),
                media: config.data.media(),
                store,
                config,
                search: ArcSwap::new(search),
                search_writes: tokio::sync::Mutex::new(()),
                search_rebuild: tokio::sync::Mutex::new(()),
                counter,
                search_log: crate::search_log::SearchLog::new(),
                tokens,
                checks: rongmei_checks::CheckerHandle::empty(),
                node_name,
                sign_ins: SignInLimiter::new(),
                media_public: dashmap::DashMap::new(),
                absolutizer,
                listeners: RwLock::new(Vec::new()),
                wake,
                stopping: CancellationToken::new(),
                search_ready: Arc::new(AtomicBool::new(false)),
                suggestions: ArcSwap::from_pointee(rongmei_search::Suggester::default()),
                suggestions_stale: Arc::new(AtomicBool::new(true)),
            }),
        };
        let stale = app.inner.suggestions_stale.clone();
        app.on_change(move |_| stale.store(true, Ordering::Release));
        app.start_dictionaries().await?;
        Ok(app)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// This node's webhook sender and dispatcher bell.
    pub fn webhooks(&self) -> &crate::webhooks::sender::Webhooks {
        &self.inner.webhooks
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The time the application goes by (see [`crate::clock`]).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.config.clock.now()
    }

    pub(crate) fn knowledge(&self) -> &crate::knowledge::state::KnowledgeState {
        &self.inner.knowledge
    }

    pub fn links(&self) -> &Links {
        &self.inner.config.links
    }

    /// Sanitised HTML with its relative links made absolute against the configured base URL.
    pub fn absolute_html(&self, html: &str) -> String {
        match &self.inner.absolutizer {
            Some(a) => a.apply(html),
            None => html.to_string(),
        }
    }

    pub fn data(&self) -> &DataDir {
        &self.inner.config.data
    }

    pub fn counter(&self) -> &ViewCounter {
        &self.inner.counter
    }

    /// Readers' searches counted on this node and not yet written.
    pub fn search_log(&self) -> &crate::search_log::SearchLog {
        &self.inner.search_log
    }

    pub fn view_tokens(&self) -> &ViewTokens {
        &self.inner.tokens
    }

    /// The publication checks, with the dictionaries stored in the database.
    pub fn checks(&self) -> &rongmei_checks::CheckerHandle {
        &self.inner.checks
    }

    pub fn media(&self) -> &rongmei_media::MediaStore {
        &self.inner.media
    }

    /// The search index in use now.
    pub fn search_index(&self) -> Arc<SearchIndex> {
        self.inner.search.load_full()
    }

    pub(crate) fn swap_search_index(&self, index: Arc<SearchIndex>) -> Arc<SearchIndex> {
        self.inner.search.swap(index)
    }

    pub(crate) fn search_writes(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.search_writes
    }

    pub(crate) fn search_rebuild(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.search_rebuild
    }

    /// Names this node in audit lines written by its background work and in leases.
    pub fn node_name(&self) -> &str {
        &self.inner.node_name
    }

    pub(crate) fn media_public(&self) -> &dashmap::DashMap<String, (bool, std::time::Instant)> {
        &self.inner.media_public
    }

    pub(crate) fn sign_ins(&self) -> &SignInLimiter {
        &self.inner.sign_ins
    }

    pub(crate) fn site_cache(&self) -> &SiteCache {
        &self.inner.site
    }

    /// The flag the search indexer raises once the index is built and caught up.
    pub(crate) fn search_ready_flag(&self) -> Arc<AtomicBool> {
        self.inner.search_ready.clone()
    }

    /// Whether searches can be answered from a complete index.
    pub fn readiness_of_search(&self) -> bool {
        self.inner.search_ready.load(Ordering::SeqCst)
    }

    /// Database reachable, search index built and caught up with the change feed.
    pub async fn readiness(&self) -> Readiness {
        Readiness {
            // A balancer's probe gives up after a few seconds; answer before it does.
            database: tokio::time::timeout(std::time::Duration::from_secs(1), self.store().ping())
                .await
                .is_ok_and(|r| r.is_ok()),
            search: self.readiness_of_search(),
        }
    }

    pub(crate) fn suggester(&self) -> Arc<rongmei_search::Suggester> {
        self.inner.suggestions.load_full()
    }

    pub(crate) fn suggestions(&self) -> &ArcSwap<rongmei_search::Suggester> {
        &self.inner.suggestions
    }

    pub(crate) fn suggestions_stale(&self) -> &AtomicBool {
        &self.inner.suggestions_stale
    }

    /// Cancelled when the node begins to stop.
    pub fn stopping(&self) -> &CancellationToken {
        &self.inner.stopping
    }

    pub(crate) fn wake(&self) -> watch::Receiver<u64> {
        self.inner.wake.subscribe()
    }

    /// Registers something to tell when an article changes (a page cache dropping its copy).
    pub fn on_change(&self, listener: impl Fn(i64) + Send + Sync + 'static) {
        if let Ok(mut l) = self.inner.listeners.write() {
            l.push(Arc::new(listener));
        }
    }

    /// An article changed, here or on another node: caches drop it now, and this node's
    /// subscribers read the feed without waiting for their next poll.
    pub fn changed(&self, article_id: i64) {
        self.notify(article_id);
        self.inner.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Tells the listeners only (the change feed's cache subscriber).
    pub(crate) fn notify(&self, article_id: i64) {
        self.inner.site.invalidate();
        self.inner.media_public.clear();
        let listeners: Vec<Listener> = match self.inner.listeners.read() {
            Ok(l) => l.clone(),
            Err(_) => return,
        };
        for l in listeners {
            l(article_id);
        }
    }
}

/// Opens this node's search index, writing the default dictionaries on first use so they can be
/// edited in the data folder.
pub fn open_search(data: &DataDir) -> Result<Arc<SearchIndex>, SearchError> {
    open_search_at(data, data.search_index())
}

/// Opens (or creates) a search index in `dir` with the data folder's dictionaries.
pub fn open_search_at(
    data: &DataDir,
    dir: std::path::PathBuf,
) -> Result<Arc<SearchIndex>, SearchError> {
    let dict = data.search_user_dict();
    let aliases = data.search_aliases();
    for (path, default) in [
        (&dict, rongmei_search::DEFAULT_USER_DICT),
        (&aliases, rongmei_search::DEFAULT_ALIASES),
    ] {
        if !path.exists() {
            std::fs::write(path, default).map_err(|e| SearchError::Config {
                path: path.clone(),
                source: e,
            })?;
        }
    }
    let cfg = SearchConfig {
        index_dir: dir,
        user_dict: Some(dict),
        aliases: Some(aliases),
    };
    Ok(Arc::new(SearchIndex::open(&cfg)?))
}

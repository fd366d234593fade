//! Rongmei over HTTP: the public site (server-rendered, no JavaScript needed), the JSON API, and
//! the caching headers that let a reverse proxy or CDN do its job.

mod analytics;
mod api;
mod client;
mod counter;
mod error;
mod feed;
mod http_cache;
mod newsroom;
mod pages;
mod search;
mod site;
mod views;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use rongmei_search::SearchIndex;
use rongmei_store::Store;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

pub use counter::ViewCounter;
pub use error::AppError;
pub use newsroom::create_account;

#[derive(Debug, Clone)]
pub struct WebConfig {
    pub site_name: String,
    /// Trust the left-most `X-Forwarded-For` when the peer is on loopback (a local reverse proxy).
    pub trust_proxy: bool,
    /// Opens the analytics pages (`/admin/analytics`) until newsroom accounts exist; `None`
    /// keeps them closed.
    pub admin_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "融媒新闻网".to_string(),
            trust_proxy: false,
            admin_token: None,
        }
    }
}

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: WebConfig,
    pages: pages::PageCache,
    site: site::SiteCache,
    counter: ViewCounter,
    search: Arc<SearchIndex>,
    applied: search::AppliedSeq,
    tokens: views::ViewTokens,
    checks: rongmei_checks::CheckerHandle,
    media: rongmei_media::MediaStore,
    node_name: String,
    sign_ins: newsroom::auth::SignInLimiter,
}

impl AppState {
    /// `data_dir` holds this node's own state beside the search index.
    pub async fn new(
        store: Store,
        config: WebConfig,
        search: Arc<SearchIndex>,
        data_dir: &Path,
    ) -> Result<AppState, AppError> {
        let tokens = views::ViewTokens::load(&store).await?;
        let checks = rongmei_checks::CheckerHandle::open(rongmei_checks::dictionary_dir(data_dir))
            .map_err(|e| AppError::Internal(format!("publication-check dictionaries: {e}")))?;
        if let Some(e) = checks.last_error() {
            tracing::warn!(error = %e, "a publication-check dictionary has an error; fix the file, it reloads by itself");
        }
        let node_name = format!(
            "node:{}:{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into()),
            std::process::id()
        );
        let counter = ViewCounter::new(store.clone(), tokens.visitor_hash_key());
        Ok(AppState {
            inner: Arc::new(Inner {
                pages: pages::PageCache::new(),
                site: site::SiteCache::new(config.site_name.clone()),
                store,
                config,
                counter,
                search,
                applied: search::AppliedSeq::new(data_dir),
                tokens,
                checks,
                media: rongmei_media::MediaStore::new(data_dir),
                node_name,
                sign_ins: newsroom::auth::SignInLimiter::new(),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn counter(&self) -> &ViewCounter {
        &self.inner.counter
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    /// The publication checks; the dictionaries reload by themselves when their files change.
    pub fn checks(&self) -> &rongmei_checks::CheckerHandle {
        &self.inner.checks
    }

    pub fn media(&self) -> &rongmei_media::MediaStore {
        &self.inner.media
    }

    pub(crate) fn sign_ins(&self) -> &newsroom::auth::SignInLimiter {
        &self.inner.sign_ins
    }

    /// Names this node in audit lines written by its background work.
    pub fn node_name(&self) -> &str {
        &self.inner.node_name
    }

    /// Drops what this node cached about an article (after an edit here or on another node).
    pub fn invalidate(&self, article_id: i64) {
        self.inner.pages.invalidate(article_id);
        self.inner.site.invalidate();
    }
}

impl AppState {
    /// Keeps this node's caches and search index in step with the database: rebuilds the index
    /// when it is new, corrupt or behind, then applies the change feed every half second.
    async fn follow_changes(&self) {
        let store = &self.inner.store;
        let index = &self.inner.search;
        let mut last = loop {
            match store.last_change_seq().await {
                Ok(n) => break n,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the change feed failed; retrying");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        };
        match self.inner.applied.read().filter(|_| !index.needs_rebuild()) {
            Some(applied) => last = applied.min(last),
            None => {
                tracing::info!("building the search index from the database");
                let logged = Arc::new(|n: u64| {
                    if n.is_multiple_of(10_000) {
                        tracing::info!(articles = n, "indexing");
                    }
                });
                match search::rebuild(store, index, logged).await {
                    Ok(n) => {
                        tracing::info!(articles = n, "search index built");
                        self.inner.applied.write(last);
                    }
                    Err(e) => tracing::error!(error = %e, "building the search index failed"),
                }
            }
        }
        let mut cursor = feed::FeedCursor::new(last);
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let changes = match store.changes_since(cursor.position(), 5_000).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the change feed failed");
                    continue;
                }
            };
            let fresh = cursor.fresh(&changes);
            if fresh.is_empty() {
                cursor.applied([], std::time::Instant::now());
                continue;
            }
            let mut ids: Vec<i64> = fresh.iter().map(|c| c.article_id).collect();
            ids.sort_unstable();
            ids.dedup();
            for id in &ids {
                self.invalidate(*id);
            }
            match search::apply(store, index, &ids).await {
                Ok(()) => {
                    let seqs: Vec<i64> = fresh.iter().map(|c| c.seq).collect();
                    cursor.applied(seqs, std::time::Instant::now());
                    self.inner.applied.write(cursor.position());
                }
                Err(e) => {
                    tracing::warn!(error = %e, "updating the search index failed; will retry")
                }
            }
        }
    }
}

/// Rebuilds a search index from the database (the `reindex` command).
pub async fn rebuild_search(
    store: &Store,
    index: &Arc<SearchIndex>,
    data_dir: &Path,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> Result<u64, AppError> {
    let seq = store.last_change_seq().await?;
    let n = search::rebuild(store, index, progress).await?;
    search::AppliedSeq::new(data_dir).write(seq);
    Ok(n)
}

fn newsroom_routes() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    use newsroom::pages as p;
    // Uploads may be up to the media store's limit; every other body keeps axum's 2 MB default.
    let upload_limit = DefaultBodyLimit::max(24 * 1024 * 1024);
    Router::new()
        .route("/newsroom", get(p::dashboard))
        .route("/newsroom/login", get(p::login_form).post(p::login_submit))
        .route("/newsroom/logout", post(p::logout))
        .route("/newsroom/queue", get(p::queue))
        .route("/newsroom/audit", get(p::audit))
        .route("/newsroom/users", get(p::users).post(p::add_user_submit))
        .route("/newsroom/users/{id}", post(p::patch_user_submit))
        .route(
            "/newsroom/password",
            get(p::password_form).post(p::password_submit),
        )
        .route("/newsroom/editor.js", get(p::editor_js))
        .route("/newsroom/articles/new", get(p::new_form))
        .route("/newsroom/articles", post(p::create_submit))
        .route("/newsroom/articles/{id}", get(p::article_page))
        .route(
            "/newsroom/articles/{id}/edit",
            get(p::edit_form).post(p::edit_submit),
        )
        .route("/newsroom/articles/{id}/actions", post(p::action_submit))
        .route("/newsroom/articles/{id}/comments", post(p::comment_submit))
        .route(
            "/newsroom/articles/{id}/images",
            post(p::image_submit).layer(upload_limit),
        )
        .route("/newsroom/articles/{id}/preview", get(p::preview))
        .route("/newsroom/articles/{id}/history", get(p::history))
        .route(
            "/api/v1/media",
            post(newsroom::api::upload_media).layer(upload_limit),
        )
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/articles/{id}", get(pages::article))
        .route("/columns/{slug}", get(pages::column))
        .route("/search", get(search::page))
        .route("/admin/analytics", get(analytics::overview))
        .route("/admin/analytics/articles/{id}", get(analytics::article))
        .route("/admin/analytics/views.csv", get(analytics::csv))
        .route("/static/site.css", get(pages::stylesheet))
        .route("/media/{*path}", get(newsroom::media))
        .merge(newsroom_routes())
        .route("/healthz", get(|| async { "ok" }))
        // No icon yet: an empty answer stops browsers asking on every page without a 404.
        .route(
            "/favicon.ico",
            get(|| async {
                (
                    axum::http::StatusCode::NO_CONTENT,
                    [(axum::http::header::CACHE_CONTROL, "public, max-age=86400")],
                )
            }),
        )
        .nest("/api/v1", api::routes())
        .fallback(pages::not_found)
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(error::panic_response))
        .with_state(state)
}

/// How often counted views are written. A flush of a busy second's readers takes a few hundred
/// milliseconds on SQLite, so flushing four times a second keeps what a crash can lose under one
/// second of traffic.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// Runs the background work of a node: flushing counted views and following the change feed
/// so caches drop edited articles, whichever node made the edit.
pub fn spawn_background(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    let s = state.clone();
    tasks.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = s.counter().flush().await {
                tracing::warn!(error = %e, "flushing view counts failed; will retry");
            }
        }
    }));
    let s = state.clone();
    tasks.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            s.counter().refresh_known().await;
        }
    }));
    let s = state.clone();
    tasks.push(tokio::spawn(async move { s.follow_changes().await }));
    tasks.push(tokio::spawn(newsroom::run_scheduler(state.clone())));
    let s = state.clone();
    tasks.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            s.counter().sweep();
            s.inner.tokens.forget_idle_clients();
            s.inner.sign_ins.forget_idle_clients();
            if let Err(e) = s
                .store()
                .prune_hourly_stats(chrono::Utc::now().timestamp())
                .await
            {
                tracing::warn!(error = %e, "pruning hourly view statistics failed");
            }
            let window = counter::DEDUPE_WINDOW.as_secs() as i64;
            if let Err(e) = s
                .store()
                .prune_seen_visitors(chrono::Utc::now().timestamp() - window)
                .await
            {
                tracing::warn!(error = %e, "pruning counted readers failed");
            }
            let failures_before = chrono::Utc::now().timestamp_millis() - 24 * 3600 * 1000;
            if let Err(e) = s.store().prune_auth(failures_before).await {
                tracing::warn!(error = %e, "pruning sessions failed");
            }
        }
    }));
    tasks
}

/// Serves until `shutdown` resolves, then writes every counted view before returning.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tasks = spawn_background(&state);
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    for t in tasks {
        t.abort();
    }
    if let Err(e) = state.counter().flush().await {
        tracing::error!(error = %e, "final flush of view counts failed");
    }
    result
}

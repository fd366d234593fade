//! Keeping this node's search index in step with the database, and the search page and API.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone};
use rongmei_core::{Article, SHANGHAI};
use rongmei_search::{SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults, SortOrder};
use rongmei_store::Store;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, AppError, PageError};
use crate::http_cache::{API_CACHE_CONTROL, Cacheable, etag_of, respond};
use crate::site::SiteInfo;

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

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        if e.is_bad_request() {
            AppError::BadRequest(e.to_string())
        } else {
            AppError::Internal(e.to_string())
        }
    }
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
    .await
    .map_err(|e| AppError::Internal(format!("indexing task: {e}")))??;
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
    Ok(writer
        .await
        .map_err(|e| AppError::Internal(format!("indexing task: {e}")))??)
}

/// The change-feed position this node's index has applied, kept beside the index.
pub struct AppliedSeq(PathBuf);

impl AppliedSeq {
    pub fn new(data_dir: &Path) -> AppliedSeq {
        AppliedSeq(data_dir.join("search-applied-seq"))
    }

    pub fn read(&self) -> Option<i64> {
        std::fs::read_to_string(&self.0).ok()?.trim().parse().ok()
    }

    pub fn write(&self, seq: i64) {
        let tmp = self.0.with_extension("tmp");
        if std::fs::write(&tmp, seq.to_string())
            .and_then(|_| std::fs::rename(&tmp, &self.0))
            .is_err()
        {
            tracing::warn!(path = %self.0.display(), "cannot record the search index position");
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    q: Option<String>,
    column: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

fn parse_day(raw: Option<&str>, end_of_day: bool, name: &str) -> Result<Option<i64>, AppError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.timestamp()));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        AppError::BadRequest(format!("{name} must be a date like 2023-06-01, not {s:?}"))
    })?;
    let t = if end_of_day {
        day.and_hms_opt(23, 59, 59)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    Ok(t.and_then(|t| SHANGHAI.from_local_datetime(&t).single())
        .map(|t| t.timestamp()))
}

fn parse_count(
    raw: Option<&str>,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "{name} must be a whole number from 0 to {max}, not {s:?}"
                ))
            }),
    }
}

fn build_query(p: &SearchParams, limit: usize, offset: usize) -> Result<SearchQuery, AppError> {
    let sort = match p.sort.as_deref().map(str::trim) {
        None | Some("") | Some("relevance") => SortOrder::Relevance,
        Some("date") | Some("newest") => SortOrder::Newest,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "sort must be relevance or date, not {other:?}"
            )));
        }
    };
    Ok(SearchQuery {
        q: p.q.clone().unwrap_or_default(),
        column: p
            .column
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        from: parse_day(p.from.as_deref(), false, "from")?,
        to: parse_day(p.to.as_deref(), true, "to")?,
        sort,
        limit,
        offset,
    })
}

type SearchJob = Box<dyn FnOnce() + Send>;

/// Searches run on one thread per core, in arrival order. With `spawn_blocking`, 32
/// concurrent searches become 32 threads sharing two cores, so every search takes as
/// long as all of them together and a slow one holds the rest back; a short queue in
/// front of a few threads answers each in about its own time plus the wait.
fn search_pool() -> &'static std::sync::mpsc::SyncSender<SearchJob> {
    static POOL: std::sync::OnceLock<std::sync::mpsc::SyncSender<SearchJob>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<SearchJob>(1024);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
        for k in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("search-{k}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking the next job.
                        let job = match rx.lock() {
                            Ok(guard) => guard.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A panicking search must not take the thread with it; its
                            // caller sees the dropped reply as an error.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a search thread");
            }
        }
        tx
    })
}

async fn run(state: &AppState, q: SearchQuery) -> Result<SearchResults, AppError> {
    let index = state.inner.search.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: SearchJob = Box::new(move || {
        let _ = tx.send(index.search(&q));
    });
    // A full queue (or no search thread) falls back to the blocking pool rather than
    // refusing the search.
    if let Err(
        std::sync::mpsc::TrySendError::Full(job) | std::sync::mpsc::TrySendError::Disconnected(job),
    ) = search_pool().try_send(job)
    {
        tokio::task::spawn_blocking(job);
    }
    rx.await
        .map_err(|e| AppError::Internal(format!("search task: {e}")))?
        .map_err(AppError::from)
}

#[derive(Serialize)]
struct ApiHit {
    id: i64,
    title: String,
    title_html: String,
    snippet_html: String,
    score: f32,
    published_at: Option<String>,
    column: String,
    url: String,
}

#[derive(Serialize)]
struct ApiResults {
    total: usize,
    took_ms: f64,
    hits: Vec<ApiHit>,
}

fn rfc3339(secs: Option<i64>) -> Option<String> {
    secs.and_then(|s| SHANGHAI.timestamp_opt(s, 0).single())
        .map(|t| t.to_rfc3339())
}

/// Plain text of highlighted, escaped HTML.
fn unmark(html: &str) -> String {
    rongmei_core::body::unescape_html(&html.replace("<mark>", "").replace("</mark>", ""))
}

pub async fn api_search(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if p.q.as_deref().map(str::trim).unwrap_or("").is_empty() {
        return Err(AppError::BadRequest("q is required: the words to search for".into()).into());
    }
    let limit = parse_count(p.limit.as_deref(), "limit", 10, rongmei_search::MAX_LIMIT)?;
    let offset = parse_count(p.offset.as_deref(), "offset", 0, rongmei_search::MAX_OFFSET)?;
    let results = run(&state, build_query(&p, limit, offset)?).await?;
    let out = ApiResults {
        total: results.total,
        took_ms: results.took_ms,
        hits: results
            .hits
            .into_iter()
            .map(|h| ApiHit {
                id: h.id,
                title: unmark(&h.title_html),
                url: format!("/articles/{}", h.id),
                title_html: h.title_html,
                snippet_html: h.snippet_html,
                score: h.score,
                published_at: rfc3339(h.published_at),
                column: h.column,
            })
            .collect(),
    };
    let body = serde_json::to_vec(&out).map_err(|e| AppError::Internal(e.to_string()))?;
    let c = Cacheable {
        etag: etag_of(&[&body]),
        last_modified: None,
        cache_control: API_CACHE_CONTROL,
        content_type: "application/json",
    };
    Ok(respond(&headers, &c, body))
}

struct PageHit {
    id: i64,
    title_html: String,
    snippet_html: String,
    date: Option<String>,
    column_name: String,
    column_slug: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    site: &'a SiteInfo,
    q: String,
    column: String,
    from: String,
    to: String,
    by_date: bool,
    error: Option<String>,
    searched: bool,
    total: usize,
    took_ms: String,
    hits: Vec<PageHit>,
    page: usize,
    pages: usize,
    /// The query string without `page`, for pager links.
    base_query: String,
}

const PAGE_SIZE: usize = 10;

pub async fn page(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    let site = state
        .inner
        .site
        .get(&state.inner.store)
        .await
        .map_err(|e| PageError(e, state.inner.site.fallback()))?;
    let q = p.q.clone().unwrap_or_default();
    let mut view = SearchPage {
        site: &site,
        q: q.clone(),
        column: p.column.clone().unwrap_or_default(),
        from: p.from.clone().unwrap_or_default(),
        to: p.to.clone().unwrap_or_default(),
        by_date: matches!(p.sort.as_deref(), Some("date") | Some("newest")),
        error: None,
        searched: false,
        total: 0,
        took_ms: String::new(),
        hits: Vec::new(),
        page: 1,
        pages: 1,
        base_query: String::new(),
    };
    let mut status = axum::http::StatusCode::OK;
    if !q.trim().is_empty() {
        view.searched = true;
        let outcome = async {
            let page = crate::pages::parse_page(p.page.as_deref())? as usize;
            let offset = (page - 1).saturating_mul(PAGE_SIZE);
            if offset > rongmei_search::MAX_OFFSET {
                return Err(AppError::BadRequest(
                    "结果页数过大，请缩小搜索范围。".into(),
                ));
            }
            let results = run(&state, build_query(&p, PAGE_SIZE, offset)?).await?;
            Ok((page, results))
        }
        .await;
        match outcome {
            Ok((page, results)) => {
                let columns = &site.nav;
                view.page = page;
                view.total = results.total;
                view.pages = results.total.div_ceil(PAGE_SIZE).max(1);
                view.took_ms = format!("{:.1}", results.took_ms);
                view.hits = results
                    .hits
                    .into_iter()
                    .map(|h| PageHit {
                        id: h.id,
                        title_html: h.title_html,
                        snippet_html: h.snippet_html,
                        date: h
                            .published_at
                            .and_then(|s| SHANGHAI.timestamp_opt(s, 0).single())
                            .map(|t| t.format("%Y-%m-%d").to_string()),
                        column_name: columns
                            .iter()
                            .find(|c| c.slug == h.column)
                            .map(|c| c.name.clone())
                            .unwrap_or_else(|| h.column.clone()),
                        column_slug: h.column,
                    })
                    .collect();
            }
            Err(AppError::Internal(detail)) => {
                return Err(PageError(AppError::Internal(detail), (*site).clone()));
            }
            Err(e) => {
                status = e.status();
                view.error = Some(e.to_string());
            }
        }
        let mut pairs = vec![("q", q.as_str())];
        for (k, v) in [
            ("column", &view.column),
            ("from", &view.from),
            ("to", &view.to),
        ] {
            if !v.is_empty() {
                pairs.push((k, v.as_str()));
            }
        }
        if view.by_date {
            pairs.push(("sort", "date"));
        }
        view.base_query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    }
    let html = view
        .render()
        .map_err(|e| PageError(e.into(), (*site).clone()))?;
    Ok((
        status,
        [(axum::http::header::CACHE_CONTROL, "public, max-age=10")],
        axum::response::Html(html),
    )
        .into_response())
}

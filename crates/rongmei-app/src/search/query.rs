//! Search requests: reading their parameters, and running them on a few threads in arrival order.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone};
use rongmei_core::SHANGHAI;
use rongmei_search::{SearchQuery, SearchResults, SortOrder};
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;

/// What a search form or API call sends; every field is read and checked here.
#[derive(Deserialize, Default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub column: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// Facets: only articles that mention this person, organisation or place.
    pub person: Option<String>,
    pub organization: Option<String>,
    pub place: Option<String>,
}

impl SearchParams {
    /// The entity facets asked for.
    pub fn facets(&self) -> Vec<(rongmei_core::EntityKind, String)> {
        use rongmei_core::EntityKind as K;
        [
            (K::Person, &self.person),
            (K::Organization, &self.organization),
            (K::Place, &self.place),
        ]
        .into_iter()
        .filter_map(|(k, v)| {
            let v = v.as_deref()?.trim();
            (!v.is_empty()).then(|| (k, v.to_string()))
        })
        .collect()
    }
}

fn parse_day(raw: Option<&str>, end_of_day: bool, name: &str) -> Result<Option<i64>, AppError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.timestamp()));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        AppError::Malformed(format!("{name} must be a date like 2023-06-01, not {s:?}"))
    })?;
    let t = if end_of_day {
        day.and_hms_opt(23, 59, 59)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    Ok(t.and_then(|t| SHANGHAI.from_local_datetime(&t).single())
        .map(|t| t.timestamp()))
}

pub fn parse_count(
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
                AppError::Malformed(format!(
                    "{name} must be a whole number from 0 to {max}, not {s:?}"
                ))
            }),
    }
}

pub fn build_query(p: &SearchParams, limit: usize, offset: usize) -> Result<SearchQuery, AppError> {
    let sort = match p.sort.as_deref().map(str::trim) {
        None | Some("") | Some("relevance") => SortOrder::Relevance,
        Some("date") | Some("newest") => SortOrder::Newest,
        Some(other) => {
            return Err(AppError::Malformed(format!(
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
        only: None,
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

impl App {
    /// Runs the search a form or API call asks for, its entity facets included.
    pub async fn search_params(
        &self,
        p: &SearchParams,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResults, AppError> {
        let mut q = build_query(p, limit, offset)?;
        let facets = p.facets();
        if !facets.is_empty() {
            q.only = Some(self.articles_mentioning(&facets).await?.unwrap_or_default());
        }
        let results = self.search(q).await?;
        // Every caller is a reader's search (the site's page, the public API). Only a first page
        // counts: paging through results is the same search, not a new one.
        if offset == 0
            && let Some(raw) = p.q.as_deref()
        {
            self.search_log()
                .record(raw, results.total, results.full_total, self.now());
        }
        Ok(results)
    }

    /// Runs a search on this node's index, on the search threads.
    pub async fn search(&self, q: SearchQuery) -> Result<SearchResults, AppError> {
        if !self.readiness_of_search() {
            return Err(AppError::Unavailable(
                "搜索索引正在建立，请稍后再试 (the search index is being built; try again in a few seconds)".into(),
            ));
        }
        let index = self.search_index();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: SearchJob = Box::new(move || {
            let _ = tx.send(index.search(&q));
        });
        // A full queue (or no search thread) falls back to the blocking pool rather than
        // refusing the search.
        if let Err(
            std::sync::mpsc::TrySendError::Full(job)
            | std::sync::mpsc::TrySendError::Disconnected(job),
        ) = search_pool().try_send(job)
        {
            tokio::task::spawn_blocking(job);
        }
        rx.await
            .map_err(|e| AppError::Internal(format!("search task: {e}")))?
            .map_err(AppError::from)
    }
}

/// Reads a page number (`1` when absent).
pub fn parse_page(raw: Option<&str>) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => s.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            AppError::Malformed(format!("page: 页码应为从 1 起的整数，而不是 {s:?}"))
        }),
    }
}

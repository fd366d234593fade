//! RSS, Atom and JSON Feed for the whole site and for each column, written once and kept until
//! an article changes (the change events drop them on every node), with validators so polling
//! readers get 304s.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use rongmei_core::FeedFormat;

use super::cache::CachedFeed;
use crate::error::WebResult;
use crate::http_cache::{Cacheable, PAGE_CACHE_CONTROL, etag_of, respond};
use crate::state::AppState;

/// Written again after this long even without a change event: column names and the site's
/// name can change without one.
const FEED_TTL: Duration = Duration::from_secs(300);

async fn feed(
    state: &AppState,
    headers: &HeaderMap,
    format: FeedFormat,
    column: Option<&str>,
) -> WebResult<Response> {
    let cached = match state.pages().feed(format, column) {
        Some(hit) if hit.written_at.elapsed() < FEED_TTL => hit,
        _ => {
            let data = state.app().feed_data(column).await?;
            let body = Bytes::from(rongmei_render::feeds::render(format, state.links(), &data));
            let written = Arc::new(CachedFeed {
                etag: etag_of(&[&body]),
                body,
                written: SystemTime::now(),
                written_at: Instant::now(),
            });
            state.pages().keep_feed(format, column, written.clone());
            written
        }
    };
    let validators = Cacheable {
        etag: cached.etag.clone(),
        last_modified: Some(cached.written),
        cache_control: PAGE_CACHE_CONTROL,
        content_type: format.content_type(),
    };
    Ok(respond(headers, &validators, cached.body.clone()))
}

/// A special's feed: written on each request (a special's list changes without an article
/// changing, so nothing would tell a kept copy to go), answered with validators all the same.
async fn special_feed(
    state: &AppState,
    headers: &HeaderMap,
    format: FeedFormat,
    slug: &str,
) -> WebResult<Response> {
    let data = state.app().special_feed_data(slug).await?;
    let body = Bytes::from(rongmei_render::feeds::render(format, state.links(), &data));
    let validators = Cacheable {
        etag: etag_of(&[&body]),
        last_modified: None,
        cache_control: PAGE_CACHE_CONTROL,
        content_type: format.content_type(),
    };
    Ok(respond(headers, &validators, body))
}

pub async fn special_rss(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    special_feed(&state, &headers, FeedFormat::Rss, &slug).await
}

pub async fn special_atom(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    special_feed(&state, &headers, FeedFormat::Atom, &slug).await
}

pub async fn special_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    special_feed(&state, &headers, FeedFormat::Json, &slug).await
}

pub async fn rss(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    feed(&state, &headers, FeedFormat::Rss, None).await
}

pub async fn atom(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    feed(&state, &headers, FeedFormat::Atom, None).await
}

pub async fn json(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    feed(&state, &headers, FeedFormat::Json, None).await
}

pub async fn column_rss(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    feed(&state, &headers, FeedFormat::Rss, Some(&slug)).await
}

pub async fn column_atom(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    feed(&state, &headers, FeedFormat::Atom, Some(&slug)).await
}

pub async fn column_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    feed(&state, &headers, FeedFormat::Json, Some(&slug)).await
}

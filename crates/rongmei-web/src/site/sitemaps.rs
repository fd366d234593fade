//! `/sitemap.xml` (the sitemap, or the index of several), `/sitemaps/{n}.xml`,
//! `/sitemap-news.xml` and `/robots.txt`. The set is written at once and kept until an article
//! changes, like the feeds.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_render::sitemaps::{self, SitemapSet};

use crate::error::WebResult;
use crate::http_cache::{Cacheable, PAGE_CACHE_CONTROL, etag_of, respond};
use crate::state::AppState;

/// Written again after this long even without a change event: the news sitemap's 48 hours move
/// on by themselves.
const SITEMAP_TTL: Duration = Duration::from_secs(300);

const XML: &str = "application/xml; charset=utf-8";

async fn set(state: &AppState) -> WebResult<Arc<SitemapSet>> {
    if let Some((at, set)) = state.pages().sitemaps()
        && at.elapsed() < SITEMAP_TTL
    {
        return Ok(set);
    }
    let data = state.app().sitemap_data().await?;
    let set = Arc::new(sitemaps::build(state.links(), &data, chrono::Utc::now()));
    state.pages().keep_sitemaps(set.clone());
    Ok(set)
}

fn xml(headers: &HeaderMap, body: &str) -> Response {
    let validators = Cacheable {
        etag: etag_of(&[body.as_bytes()]),
        last_modified: None::<SystemTime>,
        cache_control: PAGE_CACHE_CONTROL,
        content_type: XML,
    };
    respond(headers, &validators, body.to_string())
}

pub async fn root(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    Ok(xml(&headers, &set(&state).await?.root))
}

pub async fn child(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let set = set(&state).await?;
    let n = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=set.children.len()).contains(n))
        .ok_or_else(|| AppError::NotFound(format!("没有这个站点地图：{file}")))?;
    Ok(xml(&headers, &set.children[n - 1]))
}

pub async fn news(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    Ok(xml(&headers, &set(&state).await?.news))
}

pub async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let body = sitemaps::robots(state.links());
    let validators = Cacheable {
        etag: etag_of(&[body.as_bytes()]),
        last_modified: None,
        cache_control: PAGE_CACHE_CONTROL,
        content_type: "text/plain; charset=utf-8",
    };
    respond(&headers, &validators, body)
}

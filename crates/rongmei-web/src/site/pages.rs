//! Home, column and article pages, with validators so browsers and proxies revalidate cheaply.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use rongmei_render::Mode;
use rongmei_render::assets::CSS;
use serde::Deserialize;

use super::cache::CachedArticle;
use super::views::{channel_of_page, count_page_view};
use crate::client::is_not_a_reader;
use crate::error::WebResult;
use crate::extract::{ArticleId, Client};
use crate::http_cache::{Cacheable, PAGE_CACHE_CONTROL, etag_of, respond};
use crate::state::AppState;

const HTML: &str = "text/html; charset=utf-8";
/// A safety net behind the change feed: even a missed change shows within this time.
const ARTICLE_TTL: Duration = Duration::from_secs(60);
const HOME_TTL: Duration = Duration::from_secs(2);

pub(crate) fn html(etag: String) -> Cacheable {
    Cacheable {
        etag,
        last_modified: None,
        cache_control: PAGE_CACHE_CONTROL,
        content_type: HTML,
    }
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    if let Some((at, body, etag)) = state.pages().home()
        && at.elapsed() < HOME_TTL
    {
        return Ok(respond(&headers, &html(etag), body));
    }
    let site = state.app().site_info().await?;
    let data = state.app().home_data(&site).await?;
    let body = Bytes::from(state.render().home(&site, &data)?);
    let etag = etag_of(&[&body]);
    state.pages().keep_home(body.clone(), etag.clone());
    Ok(respond(&headers, &html(etag), body))
}

/// The rendered page of a public article, from this node's cache when fresh.
async fn rendered(state: &AppState, id: i64) -> WebResult<Arc<CachedArticle>> {
    if let Some(hit) = state.pages().article(id)
        && hit.rendered_at.elapsed() < ARTICLE_TTL
    {
        return Ok(hit);
    }
    let site = state.app().site_info().await?;
    let data = state.app().public_article(id).await?;
    let token = state.app().view_tokens().token(id);
    let page = state
        .render()
        .article(&site, &data, Mode::Live { view_token: &token })?;
    let cached = Arc::new(CachedArticle {
        content_tag: etag_of(&[page.prefix.as_bytes(), page.suffix.as_bytes()]),
        prefix: Bytes::from(page.prefix),
        suffix: Bytes::from(page.suffix),
        db_views: data.article.views,
        rendered_at: Instant::now(),
    });
    state.pages().keep_article(id, cached.clone());
    Ok(cached)
}

pub async fn article(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    client: Client,
) -> WebResult<Response> {
    let page = rendered(&state, id).await?;
    let reader = !is_not_a_reader(&headers);
    let channel = channel_of_page(&headers, query.as_deref());
    let views = count_page_view(&state, id, page.db_views, reader, &client, channel);
    let views_text = views.to_string();
    let etag = etag_of(&[page.content_tag.as_bytes(), views_text.as_bytes()]);
    let mut body =
        BytesMut::with_capacity(page.prefix.len() + page.suffix.len() + views_text.len());
    body.extend_from_slice(&page.prefix);
    body.extend_from_slice(views_text.as_bytes());
    body.extend_from_slice(&page.suffix);
    Ok(respond(&headers, &html(etag), body.freeze()))
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

pub async fn column(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    // `?page=N` is how listings were paged before pages became paths; old links keep working.
    column_listing(&state, &slug, q.page.as_deref(), &headers).await
}

/// `/columns/{slug}/page/{n}`: a later page of a column's listing.
pub async fn column_page(
    State(state): State<AppState>,
    Path((slug, page)): Path<(String, String)>,
    headers: HeaderMap,
) -> WebResult<Response> {
    column_listing(&state, &slug, Some(&page), &headers).await
}

async fn column_listing(
    state: &AppState,
    slug: &str,
    page: Option<&str>,
    headers: &HeaderMap,
) -> WebResult<Response> {
    let site = state.app().site_info().await?;
    let page = rongmei_app::search::query::parse_page(page)?;
    let data = state.app().column_data(slug, page).await?;
    let body = state.render().column(&site, &data)?;
    Ok(respond(headers, &html(etag_of(&[body.as_bytes()])), body))
}

/// `/specials/{slug}`: a special's page, its published articles in its order.
pub async fn special(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let site = state.app().site_info().await?;
    let data = state.app().special_data(&slug).await?;
    let body = state.render().special(&site, &data)?;
    Ok(respond(&headers, &html(etag_of(&[body.as_bytes()])), body))
}

pub async fn stylesheet(headers: HeaderMap) -> Response {
    static_asset(&headers, CSS, "text/css; charset=utf-8")
}

/// A file built into the binary (the stylesheet, the suggestions' script): cached for a day,
/// its ETag answered with 304. Pages link it with `?v=` its hash, so a new build is fetched.
pub(crate) fn static_asset(
    headers: &HeaderMap,
    body: &'static str,
    content_type: &'static str,
) -> Response {
    let c = Cacheable {
        etag: etag_of(&[body.as_bytes()]),
        last_modified: None,
        cache_control: "public, max-age=86400",
        content_type,
    };
    respond(headers, &c, body)
}

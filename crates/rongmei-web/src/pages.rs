//! The public site: home, column pages, article pages and the 404 page, rendered on the server.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use rongmei_core::{Article, Column, format_display_time};
use rongmei_store::ArticleSummary;
use serde::Deserialize;

use crate::AppState;
use crate::client::{Peer, client_ip, is_not_a_reader, user_agent};
use crate::error::{AppError, PageError};
use crate::http_cache::{Cacheable, PAGE_CACHE_CONTROL, etag_of, respond};
use crate::site::SiteInfo;

pub const CSS: &str = include_str!("../static/site.css");
pub const CSS_VERSION: &str = env!("CARGO_PKG_VERSION");
const VIEWS_MARKER: &str = "<!--rongmei:views-->";
const PER_PAGE: i64 = 20;
/// A safety net behind the change feed: even a missed change shows within this time.
const ARTICLE_TTL: Duration = Duration::from_secs(60);
const HOME_TTL: Duration = Duration::from_secs(2);

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub site: &'a SiteInfo,
    pub heading: &'a str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage<'a> {
    site: &'a SiteInfo,
    a: &'a Article,
    body_html: String,
    views_marker: &'static str,
    view_token: String,
    newer: Option<ArticleSummary>,
    older: Option<ArticleSummary>,
    /// Off for newsroom previews: staff reading a preview are not readers.
    count_views: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    site: &'a SiteInfo,
    latest: Vec<ArticleSummary>,
    popular: Vec<ArticleSummary>,
    blocks: Vec<ColumnBlock>,
}

struct ColumnBlock {
    column: Column,
    articles: Vec<ArticleSummary>,
}

#[derive(Template)]
#[template(path = "column.html")]
struct ColumnPage<'a> {
    site: &'a SiteInfo,
    column: Column,
    parent: Option<Column>,
    children: Vec<Column>,
    items: Vec<ArticleSummary>,
    page: i64,
    pages: i64,
    total: i64,
}

/// An article page rendered once, with a hole where the live view count goes.
pub struct RenderedArticle {
    prefix: Bytes,
    suffix: Bytes,
    db_views: i64,
    /// Hash of the rendered page without its count: changes when anything shown changes.
    content_tag: String,
    rendered_at: Instant,
}

pub struct PageCache {
    articles: quick_cache::sync::Cache<i64, Arc<RenderedArticle>, ArticleWeight>,
    home: Mutex<Option<(Instant, Bytes, String)>>,
}

#[derive(Clone)]
struct ArticleWeight;

impl quick_cache::Weighter<i64, Arc<RenderedArticle>> for ArticleWeight {
    fn weight(&self, _: &i64, v: &Arc<RenderedArticle>) -> u64 {
        (v.prefix.len() + v.suffix.len() + 128) as u64
    }
}

/// Rendered article pages kept in memory; bounded so 100,000 articles do not mean 100,000 pages.
const ARTICLE_CACHE_BYTES: u64 = 48 * 1024 * 1024;

impl PageCache {
    pub fn new() -> PageCache {
        PageCache {
            articles: quick_cache::sync::Cache::with_weighter(
                4096,
                ARTICLE_CACHE_BYTES,
                ArticleWeight,
            ),
            home: Mutex::new(None),
        }
    }

    /// The database count of an article rendered recently, without asking the database.
    pub fn live_views(&self, article_id: i64) -> Option<i64> {
        self.articles.get(&article_id).map(|a| a.db_views)
    }

    pub fn invalidate(&self, article_id: i64) {
        self.articles.remove(&article_id);
        if let Ok(mut h) = self.home.lock() {
            *h = None;
        }
    }
}

impl Default for PageCache {
    fn default() -> Self {
        Self::new()
    }
}

async fn site(state: &AppState) -> Result<Arc<SiteInfo>, PageError> {
    state
        .inner
        .site
        .get(&state.inner.store)
        .await
        .map_err(|e| PageError(e, state.inner.site.fallback()))
}

fn page_err(site: &SiteInfo, e: impl Into<AppError>) -> PageError {
    PageError(e.into(), site.clone())
}

pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Ok(h) = state.inner.pages.home.lock()
        && let Some((at, body, etag)) = h.as_ref()
        && at.elapsed() < HOME_TTL
    {
        let c = Cacheable {
            etag: etag.clone(),
            last_modified: None,
            cache_control: PAGE_CACHE_CONTROL,
            content_type: HTML,
        };
        return Ok(respond(&headers, &c, body.clone()));
    }
    let site = site(&state).await?;
    let store = &state.inner.store;
    let latest = store
        .published(None, 1, 8)
        .await
        .map_err(|e| page_err(&site, e))?
        .items;
    let popular = store
        .most_viewed(10)
        .await
        .map_err(|e| page_err(&site, e))?;
    let mut blocks = Vec::new();
    for column in site.nav.iter().take(6) {
        let articles = store
            .published(Some(column.id), 1, 6)
            .await
            .map_err(|e| page_err(&site, e))?
            .items;
        blocks.push(ColumnBlock {
            column: column.clone(),
            articles,
        });
    }
    let html = HomePage {
        site: &site,
        latest,
        popular,
        blocks,
    }
    .render()
    .map_err(|e| page_err(&site, e))?;
    let body = Bytes::from(html);
    let etag = etag_of(&[&body]);
    if let Ok(mut h) = state.inner.pages.home.lock() {
        *h = Some((Instant::now(), body.clone(), etag.clone()));
    }
    let c = Cacheable {
        etag,
        last_modified: None,
        cache_control: PAGE_CACHE_CONTROL,
        content_type: HTML,
    };
    Ok(respond(&headers, &c, body))
}

const HTML: &str = "text/html; charset=utf-8";

/// The public article page for any article, whatever its state: the editor's preview uses the
/// very template readers get, so what is approved is what appears.
pub async fn render_preview(state: &AppState, article: &Article) -> Result<String, AppError> {
    let site = state.inner.site.get(&state.inner.store).await?;
    let (newer, older) = if article.is_public() {
        state.inner.store.neighbours(article).await?
    } else {
        (None, None)
    };
    let html = ArticlePage {
        site: &site,
        body_html: article.body.to_html(),
        a: article,
        views_marker: VIEWS_MARKER,
        view_token: state.inner.tokens.token(article.id),
        newer,
        older,
        count_views: false,
    }
    .render()?;
    Ok(html.replacen(VIEWS_MARKER, &article.views.to_string(), 1))
}

async fn render_article(
    state: &AppState,
    site: &SiteInfo,
    id: i64,
) -> Result<Option<Arc<RenderedArticle>>, AppError> {
    if let Some(hit) = state.inner.pages.articles.get(&id)
        && hit.rendered_at.elapsed() < ARTICLE_TTL
    {
        return Ok(Some(hit));
    }
    let store = &state.inner.store;
    let Some(article) = store.article(id).await?.filter(Article::is_public) else {
        return Ok(None);
    };
    let (newer, older) = store.neighbours(&article).await?;
    let html = ArticlePage {
        site,
        body_html: article.body.to_html(),
        a: &article,
        views_marker: VIEWS_MARKER,
        view_token: state.inner.tokens.token(id),
        newer,
        older,
        count_views: true,
    }
    .render()?;
    let (prefix, suffix) = html
        .split_once(VIEWS_MARKER)
        .ok_or_else(|| AppError::Internal("article template lost its view-count marker".into()))?;
    let rendered = Arc::new(RenderedArticle {
        prefix: Bytes::copy_from_slice(prefix.as_bytes()),
        suffix: Bytes::copy_from_slice(suffix.as_bytes()),
        db_views: article.views,
        content_tag: etag_of(&[prefix.as_bytes(), suffix.as_bytes()]),
        rendered_at: Instant::now(),
    });
    state.inner.pages.articles.insert(id, rendered.clone());
    Ok(Some(rendered))
}

pub async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Peer(peer): Peer,
) -> Result<Response, PageError> {
    let site = site(&state).await?;
    let not_found = || {
        page_err(
            &site,
            AppError::NotFound("找不到这篇文章，它可能已被删除或地址有误。".into()),
        )
    };
    let Some(id) = id.parse::<i64>().ok().filter(|id| *id > 0) else {
        return Err(not_found());
    };
    let Some(page) = render_article(&state, &site, id)
        .await
        .map_err(|e| page_err(&site, e))?
    else {
        // A retracted article answers 410 with a notice, so readers and crawlers learn it was
        // taken down on purpose rather than lost.
        if let Ok(Some(m)) = state.inner.store.article_meta(id).await
            && m.status == rongmei_core::ArticleStatus::Retracted
        {
            let reason = m
                .retracted_reason
                .filter(|r| !r.trim().is_empty())
                .map(|r| format!("撤稿说明：{r}"))
                .unwrap_or_default();
            return Err(page_err(
                &site,
                AppError::Gone(format!("本文已撤稿，不再提供阅读。{reason}")),
            ));
        }
        return Err(not_found());
    };
    let counter = &state.inner.counter;
    if is_not_a_reader(&headers) {
        counter.record_raw(id);
    } else {
        let channel = crate::views::channel_of_page(&headers, query.as_deref());
        let ip = client_ip(&headers, peer, state.inner.config.trust_proxy);
        counter.record(id, ip, user_agent(&headers), channel);
    }
    let views = counter.display(id, page.db_views);
    let views_text = views.to_string();
    let etag = etag_of(&[page.content_tag.as_bytes(), views_text.as_bytes()]);
    let c = Cacheable {
        etag,
        last_modified: None,
        cache_control: PAGE_CACHE_CONTROL,
        content_type: HTML,
    };
    let mut body =
        BytesMut::with_capacity(page.prefix.len() + page.suffix.len() + views_text.len());
    body.extend_from_slice(&page.prefix);
    body.extend_from_slice(views_text.as_bytes());
    body.extend_from_slice(&page.suffix);
    Ok(respond(&headers, &c, body.freeze()))
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

pub fn parse_page(raw: Option<&str>) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => s.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            AppError::BadRequest(format!("page must be a whole number from 1 up, not {s:?}"))
        }),
    }
}

pub async fn column(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let site = site(&state).await?;
    let store = &state.inner.store;
    let Some(column) = store
        .column_by_slug(&slug)
        .await
        .map_err(|e| page_err(&site, e))?
    else {
        return Err(page_err(
            &site,
            AppError::NotFound(format!("没有名为 {slug} 的栏目。")),
        ));
    };
    let page = parse_page(q.page.as_deref()).map_err(|e| page_err(&site, e))?;
    let listing = store
        .published(Some(column.id), page, PER_PAGE)
        .await
        .map_err(|e| page_err(&site, e))?;
    let pages = ((listing.total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page > pages {
        return Err(page_err(
            &site,
            AppError::NotFound(format!("{}只有 {pages} 页。", column.name)),
        ));
    }
    let columns = store.list_columns().await.map_err(|e| page_err(&site, e))?;
    let parent = column
        .parent_id
        .and_then(|p| columns.iter().find(|c| c.id == p).cloned());
    let children = columns
        .iter()
        .filter(|c| c.parent_id == Some(column.id))
        .cloned()
        .collect();
    let html = ColumnPage {
        site: &site,
        column,
        parent,
        children,
        items: listing.items,
        page,
        pages,
        total: listing.total,
    }
    .render()
    .map_err(|e| page_err(&site, e))?;
    let c = Cacheable {
        etag: etag_of(&[html.as_bytes()]),
        last_modified: None,
        cache_control: PAGE_CACHE_CONTROL,
        content_type: HTML,
    };
    Ok(respond(&headers, &c, html))
}

pub async fn stylesheet(headers: HeaderMap) -> Response {
    let c = Cacheable {
        etag: etag_of(&[CSS.as_bytes()]),
        last_modified: None,
        cache_control: "public, max-age=86400",
        content_type: "text/css; charset=utf-8",
    };
    respond(&headers, &c, CSS)
}

pub async fn not_found(State(state): State<AppState>, uri: Uri) -> Response {
    let err = AppError::NotFound(format!("没有这个页面：{}", uri.path()));
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(err).into_response();
    }
    let site = state
        .inner
        .site
        .get(&state.inner.store)
        .await
        .map(|s| (*s).clone())
        .unwrap_or_else(|_| state.inner.site.fallback());
    let mut resp = PageError(err, site).into_response();
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

/// `2023-06-01 22:05` for templates and the API.
pub fn display_time(a: &Article) -> Option<String> {
    a.published_at.as_ref().map(format_display_time)
}

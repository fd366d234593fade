//! The read side of the JSON API (`/api/v1`), shaped as the outside contract fixes it.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header::HOST};
use axum::response::Response;
use axum::routing::get;
use rongmei_core::Article;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::http_cache::{API_CACHE_CONTROL, Cacheable, etag_of, respond};
use crate::pages::{display_time, parse_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/articles",
            get(list_articles).post(crate::newsroom::api::create_article),
        )
        .route(
            "/articles/{id}",
            get(get_article).put(crate::newsroom::api::edit_article),
        )
        .route(
            "/articles/{id}/views",
            axum::routing::post(crate::views::count_view),
        )
        .route("/columns", get(list_columns))
        .route("/search", get(crate::search::api_search))
        .merge(crate::newsroom::api::routes())
}

#[derive(Serialize)]
pub struct ArticleJson {
    pub id: i64,
    pub title: String,
    pub label: Option<String>,
    pub column: String,
    pub column_name: String,
    pub tags: Vec<String>,
    pub bylines: Vec<rongmei_core::Byline>,
    /// RFC 3339 with the article's own offset.
    pub published_at: Option<String>,
    /// As the page prints it: `2023-06-01 22:05`.
    pub published_display: Option<String>,
    pub views: i64,
    pub summary: String,
    pub body_html: String,
    pub body_text: String,
    pub url: String,
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn article_json(state: &AppState, a: &Article, base: &str) -> ArticleJson {
    ArticleJson {
        id: a.id,
        title: a.title.clone(),
        label: a.label.clone(),
        column: a.column.slug.clone(),
        column_name: a.column.name.clone(),
        tags: a.tags.clone(),
        bylines: a.bylines.clone(),
        published_at: a.published_at.map(|t| t.to_rfc3339()),
        published_display: display_time(a),
        views: a.views + state.counter().unflushed(a.id),
        summary: a.summary.clone(),
        body_html: a.body.to_html(),
        body_text: a.body.to_text(),
        url: format!("{base}/articles/{}", a.id),
    }
}

fn json_response<T: Serialize>(headers: &HeaderMap, value: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| AppError::Internal(e.to_string()))?;
    let c = Cacheable {
        etag: etag_of(&[&body]),
        last_modified: None,
        cache_control: API_CACHE_CONTROL,
        content_type: "application/json",
    };
    Ok(respond(headers, &c, body))
}

async fn get_article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let not_found = || AppError::NotFound(format!("no published article with id {id:?}"));
    let n = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(not_found)?;
    let a = state
        .store()
        .article(n)
        .await?
        .filter(Article::is_public)
        .ok_or_else(not_found)?;
    json_response(&headers, &article_json(&state, &a, &base_url(&headers)))
}

#[derive(Deserialize)]
struct ListQuery {
    column: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

#[derive(Serialize)]
struct ListJson {
    total: i64,
    page: i64,
    per_page: i64,
    items: Vec<ArticleJson>,
}

async fn list_articles(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let page = parse_page(q.page.as_deref())?;
    let per_page = match q
        .per_page
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 20,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "per_page must be a whole number from 1 to 100, not {s:?}"
                ))
            })?,
    };
    let column_id = match q.column.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => Some(
            state
                .store()
                .find_column(c)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("no column {c:?}")))?
                .id,
        ),
    };
    let listing = state
        .store()
        .published_full(column_id, page, per_page)
        .await?;
    let base = base_url(&headers);
    let items = listing
        .items
        .iter()
        .map(|a| article_json(&state, a, &base))
        .collect();
    json_response(
        &headers,
        &ListJson {
            total: listing.total,
            page,
            per_page,
            items,
        },
    )
}

#[derive(Serialize)]
struct ColumnJson {
    slug: String,
    name: String,
    parent: Option<String>,
}

async fn list_columns(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let columns = state.store().list_columns().await?;
    let out: Vec<ColumnJson> = columns
        .iter()
        .map(|c| ColumnJson {
            slug: c.slug.clone(),
            name: c.name.clone(),
            parent: c
                .parent_id
                .and_then(|p| columns.iter().find(|x| x.id == p))
                .map(|p| p.slug.clone()),
        })
        .collect();
    json_response(&headers, &out)
}

//! Published articles and columns, revalidated on every use so counts show within seconds.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::search::query::parse_page;
use serde::{Deserialize, Serialize};

use crate::api::openapi::ErrorBody;
use crate::error::WebResult;
use crate::extract::ArticleId;
use crate::http_cache::{API_CACHE_CONTROL, Cacheable, etag_of, respond};
use crate::state::AppState;

pub(crate) fn json_response<T: Serialize>(headers: &HeaderMap, value: &T) -> WebResult<Response> {
    let body = serde_json::to_vec(value).map_err(|e| AppError::Internal(e.to_string()))?;
    let c = Cacheable {
        etag: etag_of(&[&body]),
        last_modified: None,
        cache_control: API_CACHE_CONTROL,
        content_type: "application/json",
    };
    Ok(respond(headers, &c, body))
}

#[utoipa::path(
    get, path = "/api/v1/articles/{id}", tag = "public",
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses(
        (status = 200, description = "A published article", body = rongmei_app::public::PublicArticle),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 404, description = "Not published (draft, scheduled or unknown)", body = ErrorBody),
        (status = 410, description = "Retracted; the message carries the notice", body = ErrorBody),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
pub async fn get_article(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    headers: HeaderMap,
) -> WebResult<Response> {
    let a = state.app().published(id).await?;
    json_response(&headers, &state.app().project(&a))
}

#[derive(Deserialize)]
pub struct ListQuery {
    column: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/articles", tag = "public",
    params(
        ("column" = Option<String>, Query, description = "A column's slug or name"),
        ("page" = Option<i64>, Query, minimum = 1, description = "From 1"),
        ("per_page" = Option<i64>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 20"),
    ),
    responses(
        (status = 200, description = "Published articles, newest first", body = rongmei_app::public::PublicListing),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "No such column", body = ErrorBody),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
pub async fn list_articles(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
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
                AppError::Malformed(format!(
                    "per_page must be a whole number from 1 to 100, not {s:?}"
                ))
            })?,
    };
    let listing = state
        .app()
        .published_listing(q.column.as_deref(), page, per_page)
        .await?;
    json_response(&headers, &listing)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ColumnJson {
    slug: String,
    name: String,
    parent: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/columns", tag = "public",
    responses(
        (status = 200, description = "Every column", body = Vec<ColumnJson>),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
pub async fn list_columns(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let columns = state.app().columns().await?;
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

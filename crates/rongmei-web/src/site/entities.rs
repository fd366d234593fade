//! Knowledge on the public site and the API: `/people/{name}`, `/organizations/{name}`,
//! `/places/{name}` and their indexes; `GET /api/v1/articles/{id}/entities` and the entity
//! list and detail endpoints.

use axum::extract::{MatchedPath, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use rongmei_app::AppError;
use rongmei_app::knowledge::pages::{ArticleEntities, EntityLookup, EntityPage};
use rongmei_app::search::query::parse_page;
use rongmei_core::EntityKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::openapi::ErrorBody;
use crate::api::public::json_response;
use crate::error::WebResult;
use crate::extract::ArticleId;
use crate::http_cache::{etag_of, respond};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    q: Option<String>,
}

fn html(headers: &HeaderMap, body: String) -> Response {
    respond(
        headers,
        &super::pages::html(etag_of(&[body.as_bytes()])),
        body,
    )
}

async fn entity_html(
    state: &AppState,
    kind: EntityKind,
    name: &str,
    q: &PageQuery,
    headers: &HeaderMap,
) -> WebResult<Response> {
    let page = parse_page(q.page.as_deref())?;
    match state.app().entity_page(kind, name, page).await? {
        EntityLookup::Moved(to) => {
            Ok(Redirect::permanent(&state.links().entity_page(kind, &to, page)).into_response())
        }
        EntityLookup::Found(p) => {
            let site = state.app().site_info().await?;
            Ok(html(headers, state.render().entity(&site, &p)?))
        }
    }
}

async fn index_html(
    state: &AppState,
    kind: EntityKind,
    q: &PageQuery,
    headers: &HeaderMap,
) -> WebResult<Response> {
    let page = parse_page(q.page.as_deref())?;
    let x = state
        .app()
        .entity_index(kind, q.q.as_deref().unwrap_or(""), page)
        .await?;
    let site = state.app().site_info().await?;
    Ok(html(headers, state.render().entity_index(&site, &x)?))
}

/// The kind a public route serves, from its first segment (`/people/…` → person).
fn kind_of_route(path: &MatchedPath) -> Result<EntityKind, AppError> {
    let segment = path.as_str().trim_start_matches('/').split('/').next();
    EntityKind::ALL
        .into_iter()
        .find(|k| Some(k.segment()) == segment)
        .ok_or_else(|| AppError::Internal(format!("no entity kind for {}", path.as_str())))
}

/// `/people/{name}`, `/organizations/{name}`, `/places/{name}`.
pub async fn entity(
    State(state): State<AppState>,
    route: MatchedPath,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    entity_html(&state, kind_of_route(&route)?, &name, &q, &headers).await
}

/// `/people`, `/organizations`, `/places`.
pub async fn index(
    State(state): State<AppState>,
    route: MatchedPath,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    index_html(&state, kind_of_route(&route)?, &q, &headers).await
}

#[utoipa::path(
    get, path = "/api/v1/articles/{id}/entities", tag = "public",
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses(
        (status = 200, description = "The people (with roles), organisations, places and dates a published article mentions, as extracted and corrected by editors", body = ArticleEntities),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 404, description = "Not published (draft, scheduled or unknown)", body = ErrorBody),
        (status = 410, description = "Retracted", body = ErrorBody),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
pub async fn api_article_entities(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    headers: HeaderMap,
) -> WebResult<Response> {
    json_response(&headers, &state.app().public_article_entities(id).await?)
}

/// An entity in a list.
#[derive(Serialize, ToSchema)]
pub struct ApiEntity {
    kind: EntityKind,
    name: String,
    /// Published articles that mention it.
    articles: i64,
    /// Its public page.
    url: String,
}

impl ApiEntity {
    fn of(links: &rongmei_core::Links, e: rongmei_store::EntityCount) -> ApiEntity {
        ApiEntity {
            url: links.absolute(&links.entity(e.kind, &e.name)),
            kind: e.kind,
            name: e.name,
            articles: e.articles,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiEntityList {
    items: Vec<ApiEntity>,
    page: i64,
    has_more: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

fn kind_param(s: Option<&str>) -> Result<EntityKind, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(EntityKind::Person),
        Some(s) => EntityKind::parse(s).ok_or_else(|| {
            AppError::Malformed(format!(
                "kind must be person, organization or place, not {s:?}"
            ))
        }),
    }
}

#[utoipa::path(
    get, path = "/api/v1/entities", tag = "public",
    params(
        ("kind" = Option<EntityKind>, Query, description = "`person` (default), `organization` or `place`"),
        ("q" = Option<String>, Query, description = "Only names containing this"),
        ("page" = Option<i64>, Query, minimum = 1, description = "From 1; 100 a page"),
    ),
    responses(
        (status = 200, description = "Entities that published articles mention, most mentioned first", body = ApiEntityList),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
pub async fn api_list_entities(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let kind = kind_param(q.kind.as_deref())?;
    let page = parse_page(q.page.as_deref())?;
    let x = state
        .app()
        .entity_index(kind, q.q.as_deref().unwrap_or(""), page)
        .await?;
    let links = state.links();
    let out = ApiEntityList {
        items: x
            .items
            .into_iter()
            .map(|e| ApiEntity::of(links, e))
            .collect(),
        page: x.page,
        has_more: x.has_more,
    };
    json_response(&headers, &out)
}

#[derive(Serialize, ToSchema)]
pub struct ApiArticleRef {
    id: i64,
    title: String,
    url: String,
    /// RFC 3339, when dated.
    published_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiRole {
    role: String,
    /// The first and last article that gives it (RFC 3339).
    first: Option<String>,
    last: Option<String>,
    articles: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ApiEvent {
    /// `YYYY-MM-DD`.
    date: String,
    text: String,
    evidence: String,
    article_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ApiEntityDetail {
    kind: EntityKind,
    name: String,
    /// Every written form that leads to it.
    aliases: Vec<String>,
    url: String,
    total: i64,
    page: i64,
    pages: i64,
    /// Published articles that mention it, newest first, 20 a page.
    articles: Vec<ApiArticleRef>,
    roles: Vec<ApiRole>,
    related: Vec<ApiEntity>,
    timeline: Vec<ApiEvent>,
}

fn detail(state: &AppState, p: EntityPage) -> ApiEntityDetail {
    let links = state.links();
    ApiEntityDetail {
        url: links.absolute(&links.entity(p.entity.kind, &p.entity.name)),
        kind: p.entity.kind,
        name: p.entity.name,
        aliases: p.entity.aliases,
        total: p.total,
        page: p.page,
        pages: p.pages,
        articles: p
            .items
            .into_iter()
            .map(|a| ApiArticleRef {
                url: links.article_url(a.id),
                id: a.id,
                title: a.title,
                published_at: a.published_at.map(|t| t.to_rfc3339()),
            })
            .collect(),
        roles: p
            .roles
            .into_iter()
            .map(|r| ApiRole {
                role: r.role,
                first: r.first.map(|t| t.to_rfc3339()),
                last: r.last.map(|t| t.to_rfc3339()),
                articles: r.articles,
            })
            .collect(),
        related: p
            .related
            .into_iter()
            .map(|e| ApiEntity::of(links, e))
            .collect(),
        timeline: p
            .timeline
            .into_iter()
            .map(|t| ApiEvent {
                date: t.date,
                text: t.written,
                evidence: t.evidence,
                article_id: t.article_id,
            })
            .collect(),
    }
}

#[utoipa::path(
    get, path = "/api/v1/entities/{kind}/{name}", tag = "public",
    params(
        ("kind" = EntityKind, Path, description = "`person`, `organization` or `place`"),
        ("name" = String, Path, description = "Its name or any written form of it (西安交大 leads to 西安交通大学)"),
        ("page" = Option<i64>, Query, minimum = 1, description = "Page of its articles, from 1"),
    ),
    responses(
        (status = 200, description = "The entity: its articles, roles over time, related entities and dated events", body = ApiEntityDetail),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 404, description = "No published article mentions it", body = ErrorBody),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
pub async fn api_entity(
    State(state): State<AppState>,
    Path((kind, name)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let kind = kind_param(Some(&kind))?;
    let page = parse_page(q.page.as_deref())?;
    let found = match state.app().entity_page(kind, &name, page).await? {
        EntityLookup::Found(p) => p,
        EntityLookup::Moved(to) => match state.app().entity_page(kind, &to, page).await? {
            EntityLookup::Found(p) => p,
            EntityLookup::Moved(_) => {
                return Err(AppError::NotFound(format!("没有关于“{name}”的页面")).into());
            }
        },
    };
    json_response(&headers, &detail(&state, *found))
}

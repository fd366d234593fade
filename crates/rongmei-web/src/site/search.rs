//! The search page and the search API.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::TimeZone;
use rongmei_app::AppError;
use rongmei_app::search::query::{SearchParams, parse_count, parse_page};
use rongmei_core::SHANGHAI;
use rongmei_render::{SearchHit, SearchView};
use serde::Serialize;

use crate::api::openapi::ErrorBody;
use crate::error::{WebResult, status_of};
use crate::http_cache::{API_CACHE_CONTROL, Cacheable, etag_of, respond};
use crate::state::AppState;

/// How hits are ordered (schema only).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum SortOrder {
    Relevance,
    Date,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiHit {
    id: i64,
    title: String,
    title_html: String,
    snippet_html: String,
    score: f32,
    published_at: Option<String>,
    column: String,
    url: String,
    /// `full` (every word that matters and every quoted phrase) or `partial` (most of the
    /// words); every full match comes before every partial one.
    #[serde(rename = "match")]
    #[schema(rename = "match")]
    tier: MatchTier,
    /// For a partial match, the query's words it holds; for a pinyin match, the Chinese it
    /// matched.
    matched: Vec<String>,
    /// Found by reading the query as pinyin (`xiqian jingshen` → 西迁精神); such hits are
    /// `partial` and come after the others.
    pinyin: bool,
}

/// Which tier a hit is in (schema only).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchTier {
    Full,
    Partial,
}

impl From<rongmei_search::MatchTier> for MatchTier {
    fn from(t: rongmei_search::MatchTier) -> Self {
        match t {
            rongmei_search::MatchTier::Full => MatchTier::Full,
            rongmei_search::MatchTier::Partial => MatchTier::Partial,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiResults {
    total: usize,
    /// How many of them are `full` matches.
    full_total: usize,
    took_ms: f64,
    hits: Vec<ApiHit>,
    /// With no full match: what the reader probably meant (the Chinese of a pinyin query, or
    /// the words that sound like a mistyped one).
    did_you_mean: Option<String>,
}

fn rfc3339(secs: Option<i64>) -> Option<String> {
    secs.and_then(|s| SHANGHAI.timestamp_opt(s, 0).single())
        .map(|t| t.to_rfc3339())
}

/// Plain text of highlighted, escaped HTML.
fn unmark(html: &str) -> String {
    rongmei_core::body::unescape_html(&html.replace("<mark>", "").replace("</mark>", ""))
}

#[utoipa::path(
    get, path = "/api/v1/search", tag = "public",
    params(
        ("q" = String, Query, min_length = 1, description = "Words, `\"phrases\"`, `-exclusions`"),
        ("column" = Option<String>, Query, description = "A column's slug or name"),
        ("from" = Option<chrono::NaiveDate>, Query, description = "A day (`2023-06-01`); an RFC 3339 time is taken too"),
        ("to" = Option<chrono::NaiveDate>, Query, description = "A day (`2023-06-30`, inclusive); an RFC 3339 time is taken too"),
        ("sort" = Option<SortOrder>, Query, description = "`relevance` (default) or `date`"),
        ("limit" = Option<i64>, Query, minimum = 0, maximum = 100),
        ("offset" = Option<i64>, Query, minimum = 0, maximum = 10000),
        ("person" = Option<String>, Query, description = "Only articles that mention this person (any written form of the entity)"),
        ("organization" = Option<String>, Query, description = "Only articles that mention this organisation"),
        ("place" = Option<String>, Query, description = "Only articles that mention this place"),
    ),
    responses(
        (status = 200, description = "Hits, best first", body = ApiResults),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 400, description = "Empty `q` or a malformed parameter", body = ErrorBody),
        (status = 404, description = "No such column", body = ErrorBody),
        (status = 503, description = "The index is being built (`Retry-After`) or the database is unreachable", body = ErrorBody),
    )
)]
pub async fn api_search(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
    headers: HeaderMap,
) -> WebResult<Response> {
    if p.q.as_deref().map(str::trim).unwrap_or("").is_empty() {
        return Err(AppError::Malformed("q: 请输入要搜索的词".into()).into());
    }
    let limit = parse_count(p.limit.as_deref(), "limit", 10, rongmei_search::MAX_LIMIT)?;
    let offset = parse_count(p.offset.as_deref(), "offset", 0, rongmei_search::MAX_OFFSET)?;
    let results = state.app().search_params(&p, limit, offset).await?;
    let links = state.links();
    let out = ApiResults {
        total: results.total,
        full_total: results.full_total,
        did_you_mean: results.did_you_mean,
        took_ms: results.took_ms,
        hits: results
            .hits
            .into_iter()
            .map(|h| ApiHit {
                id: h.id,
                title: unmark(&h.title_html),
                url: links.article(h.id),
                title_html: h.title_html,
                snippet_html: h.snippet_html,
                score: h.score,
                published_at: rfc3339(h.published_at),
                column: h.column,
                tier: h.tier.into(),
                matched: h.matched,
                pinyin: h.pinyin,
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

/// A suggestion (`GET /api/v1/search/suggest`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiSuggestion {
    text: String,
    kind: SuggestKind,
    /// Where choosing it leads (an article, a person's page); absent: search for `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// What a suggestion is (schema only).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum SuggestKind {
    /// A query readers ran that found something.
    Query,
    Person,
    Tag,
    /// An article's title.
    Title,
}

#[derive(serde::Deserialize)]
pub struct SuggestParams {
    q: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/search/suggest", tag = "public",
    params(
        ("q" = Option<String>, Query, description = "What has been typed so far: Chinese, pinyin (`xiqian`) or initials (`xqjs`)"),
    ),
    responses(
        (status = 200, description = "At most ten suggestions, best first; none for an empty `q`", body = [ApiSuggestion]),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 500, description = "The answer could not be written", body = ErrorBody),
    )
)]
pub async fn api_suggest(
    State(state): State<AppState>,
    Query(p): Query<SuggestParams>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let found: Vec<ApiSuggestion> = state
        .app()
        .suggest(p.q.as_deref().unwrap_or(""))
        .into_iter()
        .map(|s| ApiSuggestion {
            text: s.text,
            kind: match s.kind {
                rongmei_search::SuggestKind::Query => SuggestKind::Query,
                rongmei_search::SuggestKind::Person => SuggestKind::Person,
                rongmei_search::SuggestKind::Tag => SuggestKind::Tag,
                rongmei_search::SuggestKind::Title => SuggestKind::Title,
            },
            url: s.url,
        })
        .collect();
    let body = serde_json::to_vec(&found).map_err(|e| AppError::Internal(e.to_string()))?;
    let c = Cacheable {
        etag: etag_of(&[&body]),
        last_modified: None,
        cache_control: API_CACHE_CONTROL,
        content_type: "application/json",
    };
    Ok(respond(&headers, &c, body))
}

/// The suggestions' script.
pub async fn suggest_js(headers: HeaderMap) -> Response {
    super::pages::static_asset(
        &headers,
        rongmei_render::assets::SUGGEST_JS,
        "text/javascript; charset=utf-8",
    )
}

const PAGE_SIZE: usize = 10;

pub async fn page(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
) -> WebResult<Response> {
    let site = state.app().site_info().await?;
    let q = p.q.clone().unwrap_or_default();
    let mut view = SearchView {
        q: q.clone(),
        column: p.column.clone().unwrap_or_default(),
        from: p.from.clone().unwrap_or_default(),
        to: p.to.clone().unwrap_or_default(),
        by_date: matches!(p.sort.as_deref(), Some("date") | Some("newest")),
        page: 1,
        pages: 1,
        ..SearchView::default()
    };
    let mut status = axum::http::StatusCode::OK;
    if !q.trim().is_empty() {
        view.searched = true;
        let outcome = async {
            let page = parse_page(p.page.as_deref())? as usize;
            let offset = (page - 1).saturating_mul(PAGE_SIZE);
            if offset > rongmei_search::MAX_OFFSET {
                return Err(AppError::Malformed("结果页数过大，请缩小搜索范围。".into()));
            }
            let results = state.app().search_params(&p, PAGE_SIZE, offset).await?;
            Ok((page, results))
        }
        .await;
        match outcome {
            Ok((page, results)) => {
                view.page = page;
                view.total = results.total;
                view.pages = results.total.div_ceil(PAGE_SIZE).max(1);
                view.took_ms = results.took_ms;
                view.hits = results
                    .hits
                    .into_iter()
                    .map(|h| SearchHit {
                        id: h.id,
                        title_html: h.title_html,
                        snippet_html: h.snippet_html,
                        date: h
                            .published_at
                            .and_then(|s| SHANGHAI.timestamp_opt(s, 0).single())
                            .map(|t| t.format("%Y-%m-%d").to_string()),
                        column_name: site
                            .nav
                            .iter()
                            .find(|c| c.slug == h.column)
                            .map(|c| c.name.clone())
                            .unwrap_or_else(|| h.column.clone()),
                        column_slug: h.column,
                        partial: (h.tier == rongmei_search::MatchTier::Partial)
                            .then(|| h.matched.join("、")),
                        pinyin: h.pinyin,
                    })
                    .collect();
                view.did_you_mean = results.did_you_mean.map(|meant| {
                    let query =
                        serde_urlencoded::to_string([("q", meant.as_str())]).unwrap_or_default();
                    (meant, query)
                });
            }
            Err(e @ AppError::Internal(_)) => return Err(e.into()),
            Err(e) => {
                status = status_of(&e);
                view.error = Some(e.public_message());
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
        let facets = p.facets();
        for (kind, name) in &facets {
            pairs.push((kind.as_str(), name.as_str()));
        }
        if view.by_date {
            pairs.push(("sort", "date"));
        }
        view.base_query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    }
    let html = state.render().search(&site, &view)?;
    Ok((
        status,
        [(header::CACHE_CONTROL, "public, max-age=10")],
        Html(html),
    )
        .into_response())
}

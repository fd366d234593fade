//! Counting views: on a page request, and through the call that pages served from a cache or a
//! static export make (`POST /api/v1/articles/{id}/views` with the signed token the page
//! carries).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::{HOST, REFERER};
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;
use rongmei_core::Channel;
use serde::{Deserialize, Serialize};

use crate::api::openapi::ErrorBody;
use crate::client::{is_not_a_reader, user_agent};
use crate::error::WebResult;
use crate::extract::{ArticleId, Client};
use crate::state::AppState;

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ViewCall {
    token: Option<String>,
    referrer: Option<String>,
    utm_source: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Views {
    views: i64,
}

/// Pages of a static export live on another host (a CDN, the department's nginx) and count
/// their views here: any origin may call, without credentials, and the browser may keep the
/// preflight answer for a day.
pub fn cross_origin() -> tower_http::cors::CorsLayer {
    use axum::http::{Method, header::CONTENT_TYPE};
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::POST])
        .allow_headers([CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(86_400))
}

fn query_field(query: Option<&str>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The channel of a page request: its Referer and the page URL's `utm_source`.
pub fn channel_of_page(headers: &HeaderMap, query: Option<&str>) -> Channel {
    let utm = query_field(query, "utm_source");
    let referrer = headers.get(REFERER).and_then(|v| v.to_str().ok());
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    Channel::classify(referrer, utm.as_deref(), user_agent(headers), host)
}

/// Counts one request on an article (a reader once per window; anything else as raw) and
/// answers the count to show.
pub fn count_page_view(
    state: &AppState,
    id: i64,
    db_views: i64,
    reader: bool,
    client: &Client,
    channel: Channel,
) -> i64 {
    let counter = state.app().counter();
    if reader {
        counter.record(id, client.ip, &client.user_agent, channel);
    } else {
        counter.record_raw(id);
    }
    counter.display(id, db_views)
}

#[utoipa::path(
    post, path = "/api/v1/articles/{id}/views", tag = "public",
    params(("id" = i64, Path, minimum = 1, description = "编号"), ("token" = Option<String>, Query, description = "The page's signed view token, when not in the body")),
    request_body(content = Option<ViewCall>, description = "The token the article page carries, and where the reader came from"),
    responses(
        (status = 200, description = "Counted (once per reader per 30 minutes); the count to show", body = Views),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "No valid view token for this article", body = ErrorBody),
        (status = 404, description = "Not published", body = ErrorBody),
        (status = 410, description = "Retracted", body = ErrorBody),
        (status = 429, description = "Too many calls from this address", body = ErrorBody),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
pub async fn count_view(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    client: Client,
    body: Bytes,
) -> WebResult<Response> {
    let tokens = state.app().view_tokens();
    if !tokens.allow(client.ip) {
        return Err(AppError::RateLimited(
            "本地址的浏览计数请求过于频繁，请一分钟后再试".into(),
            60,
        )
        .into());
    }
    let mut call: ViewCall = if body.iter().all(u8::is_ascii_whitespace) {
        ViewCall::default()
    } else {
        serde_json::from_slice::<Option<ViewCall>>(&body)
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                AppError::Malformed(format!(
                    "body must be JSON {{token, referrer?, utm_source?}}: {e}"
                ))
            })?
    };
    if call.token.is_none() {
        call.token = query_field(query.as_deref(), "token");
    }
    if !call.token.as_deref().is_some_and(|t| tokens.verify(id, t)) {
        return Err(AppError::Forbidden("缺少本文有效的浏览计数令牌".into()).into());
    }
    let db_views = match state.pages().live_views(id) {
        Some(v) => v,
        None => state.app().published(id).await?.views,
    };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let channel = Channel::classify(
        call.referrer.as_deref(),
        call.utm_source.as_deref(),
        user_agent(&headers),
        host,
    );
    let views = count_page_view(
        &state,
        id,
        db_views,
        !is_not_a_reader(&headers),
        &client,
        channel,
    );
    Ok(([("cache-control", "no-store")], Json(Views { views })).into_response())
}

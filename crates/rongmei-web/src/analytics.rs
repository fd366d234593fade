//! Analytics for the newsroom: views per day as server-drawn SVG charts, top articles, columns,
//! channels, and a CSV export. Until accounts exist the pages need the configured admin token.

use axum::extract::{Query, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use rongmei_app::accounts::passwords::constant_time_eq;
use serde::Deserialize;

use crate::error::WebResult;
use crate::extract::{ArticleId, bearer, session_cookie};
use crate::state::AppState;

const COOKIE_NAME: &str = "rongmei_admin";

#[derive(Deserialize, Default)]
pub struct AdminQuery {
    token: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

enum Access {
    Granted,
    /// The token came in the URL: set the cookie and send the browser to the clean URL.
    FromUrl,
    Denied(Response),
}

/// Analytics open to every signed-in newsroom member, and to the configured admin token (for
/// scripts and for sites that run without accounts).
async fn check(state: &AppState, headers: &HeaderMap, q: &AdminQuery) -> Access {
    if let Some(token) = bearer(headers).or_else(|| session_cookie(headers)) {
        match state.app().authenticate(token).await {
            Ok(Some(_)) => return Access::Granted,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "session lookup for analytics failed"),
        }
    }
    let Some(want) = state.admin_token().filter(|t| !t.is_empty()) else {
        let links = state.links();
        return Access::Denied(
            axum::response::Redirect::to(&links.newsroom_login(Some(&links.newsroom())))
                .into_response(),
        );
    };
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == COOKIE_NAME).then_some(v)
        });
    if bearer
        .or(cookie)
        .is_some_and(|t| constant_time_eq(t.as_bytes(), want.as_bytes()))
    {
        return Access::Granted;
    }
    if q.token
        .as_deref()
        .is_some_and(|t| constant_time_eq(t.as_bytes(), want.as_bytes()))
    {
        return Access::FromUrl;
    }
    let msg = "analytics need a newsroom sign-in (/newsroom/login) or the admin token: open /admin/analytics?token=… once, or send Authorization: Bearer …";
    Access::Denied(
        (
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", "Bearer")],
            msg,
        )
            .into_response(),
    )
}

/// `None` when the analytics pages may be shown; else the answer to give instead.
async fn page_access(state: &AppState, headers: &HeaderMap, q: &AdminQuery) -> Option<Response> {
    match check(state, headers, q).await {
        Access::Granted => None,
        Access::FromUrl => Some(remember_and_redirect(state, &state.links().analytics())),
        Access::Denied(r) => Some(r),
    }
}

fn remember_and_redirect(state: &AppState, path: &str) -> Response {
    let token = state.admin_token().unwrap_or_default();
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/admin; HttpOnly; SameSite=Strict"
    )) {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    if let Ok(v) = HeaderValue::from_str(path) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

fn private(html: String) -> Response {
    ([(CACHE_CONTROL, "private, no-store")], Html(html)).into_response()
}

pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> WebResult<Response> {
    if let Some(turned_away) = page_access(&state, &headers, &q).await {
        return Ok(turned_away);
    }
    let site = state.app().site_info().await?;
    let overview = state.app().analytics_overview().await?;
    Ok(private(
        state.render().analytics_overview(&site, &overview)?,
    ))
}

pub async fn article(
    State(state): State<AppState>,
    ArticleId(n): ArticleId,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> WebResult<Response> {
    if let Some(turned_away) = page_access(&state, &headers, &q).await {
        return Ok(turned_away);
    }
    let site = state.app().site_info().await?;
    let stats = state.app().analytics_article(n).await?;
    Ok(private(state.render().analytics_article(&site, &stats)?))
}

pub async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> WebResult<Response> {
    match check(&state, &headers, &q).await {
        Access::Granted | Access::FromUrl => {}
        Access::Denied(r) => return Ok(r),
    }
    let out = state
        .app()
        .analytics_csv(q.from.as_deref(), q.to.as_deref())
        .await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"rongmei-views.csv\"",
            ),
            (CACHE_CONTROL, "private, no-store"),
        ],
        out,
    )
        .into_response())
}

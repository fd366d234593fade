//! Analytics for the newsroom: views per day as server-drawn SVG charts, top articles, columns,
//! channels, and a CSV export. Until accounts exist the pages need the configured admin token.

use std::fmt::Write as _;

use axum::extract::{Query, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{TimeZone, Utc};
use rongmei_app::AppError;
use rongmei_app::accounts::passwords::constant_time_eq;
use rongmei_core::channel::{day_bucket, hour_bucket};
use rongmei_core::{Channel, SHANGHAI};
use rongmei_render::analytics::{ArticleStats, ChannelRow, Overview};
use rongmei_store::{ChannelViews, TopArticle};
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::extract::{ArticleId, bearer, session_cookie};
use crate::state::AppState;

const COOKIE_NAME: &str = "rongmei_admin";
const DAY: i64 = 86_400;

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

/// One bar per bucket from `first` to `last` (steps of `step` seconds), empty buckets at zero,
/// labelled in Shanghai time with `label`.
fn bucket_points(
    series: &[(i64, i64)],
    first: i64,
    last: i64,
    step: i64,
    label: &str,
) -> Vec<(String, i64)> {
    (0..)
        .map(|i| first + i * step)
        .take_while(|b| *b <= last)
        .map(|b| {
            let v = series
                .iter()
                .filter(|(x, _)| *x == b)
                .map(|(_, n)| *n)
                .sum();
            let text = SHANGHAI
                .timestamp_opt(b, 0)
                .single()
                .map(|t| t.format(label).to_string())
                .unwrap_or_default();
            (text, v)
        })
        .collect()
}

fn channel_rows(v: &[ChannelViews]) -> Vec<ChannelRow> {
    v.iter()
        .map(|c| ChannelRow {
            label: Channel::parse(&c.channel)
                .map(Channel::label)
                .unwrap_or("其他"),
            views: c.views,
        })
        .collect()
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
    let store = state.app().store();
    let now = Utc::now();
    let today = day_bucket(now);
    let from_30 = today - 29 * DAY;
    let series = store.views_series("day", from_30, None).await?;
    let top = vec![
        (
            "24 小时",
            store
                .top_articles_since("hour", hour_bucket(now) - 23 * 3600, 10)
                .await?,
        ),
        (
            "7 天",
            store.top_articles_since("day", today - 6 * DAY, 10).await?,
        ),
        ("30 天", store.top_articles_since("day", from_30, 10).await?),
        (
            "全部",
            store
                .most_viewed(10)
                .await?
                .into_iter()
                .map(|a| TopArticle {
                    id: a.id,
                    title: a.title,
                    views: a.views,
                })
                .collect(),
        ),
    ];
    let overview = Overview {
        days: bucket_points(&series, from_30, today, DAY, "%m-%d"),
        top,
        columns: store.column_totals().await?,
        channels: channel_rows(&store.channel_totals("day", from_30, None).await?),
    };
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
    let store = state.app().store();
    let article = store
        .article(n)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("没有编号为 {n} 的文章。")))?;
    let (views, raw) = store.view_counts(n).await?.unwrap_or((article.views, 0));
    let now = Utc::now();
    let today = day_bucket(now);
    let from_90 = today - 89 * DAY;
    let daily = store.views_series("day", from_90, Some(n)).await?;
    let this_hour = hour_bucket(now);
    let hourly = store
        .views_series("hour", this_hour - 47 * 3600, Some(n))
        .await?;
    let stats = ArticleStats {
        id: n,
        title: article.title,
        views: views + state.app().counter().unflushed(n),
        raw,
        days: bucket_points(&daily, from_90, today, DAY, "%m-%d"),
        hours: bucket_points(&hourly, this_hour - 47 * 3600, this_hour, 3600, "%H时"),
        channels: channel_rows(&store.channel_totals("day", 0, Some(n)).await?),
    };
    Ok(private(state.render().analytics_article(&site, &stats)?))
}

fn parse_day(raw: Option<&str>, default: i64) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| SHANGHAI.from_local_datetime(&t).single())
            .map(|t| t.timestamp())
            .ok_or_else(|| AppError::Malformed(format!("dates look like 2024-05-01, not {s:?}"))),
    }
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> Response {
    match check(&state, &headers, &q).await {
        Access::Granted | Access::FromUrl => {}
        Access::Denied(r) => return r,
    }
    let today = day_bucket(Utc::now());
    let range = parse_day(q.from.as_deref(), today - 29 * DAY)
        .and_then(|f| Ok((f, parse_day(q.to.as_deref(), today)?)));
    let (from, to) = match range {
        Ok(r) => r,
        Err(e) => return WebError(e).into_response(),
    };
    let rows = match state.app().store().daily_rows(from, to).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "analytics export failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "export failed").into_response();
        }
    };
    // A byte-order mark so spreadsheet programs read the Chinese titles as UTF-8.
    let mut out = String::from("\u{feff}date,article_id,title,channel,views\r\n");
    for r in rows {
        let date = SHANGHAI
            .timestamp_opt(r.bucket, 0)
            .single()
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let _ = write!(
            out,
            "{date},{},{},{},{}\r\n",
            r.article_id,
            csv_field(&r.title),
            r.channel,
            r.views
        );
    }
    (
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
        .into_response()
}

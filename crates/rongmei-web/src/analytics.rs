//! Analytics for the newsroom: views per day as server-drawn SVG charts, top articles, columns,
//! channels, and a CSV export. Until accounts exist the pages need the configured admin token.

use std::fmt::Write as _;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{TimeZone, Utc};
use rongmei_core::body::escape_html;
use rongmei_core::channel::{day_bucket, hour_bucket};
use rongmei_core::{Channel, SHANGHAI};
use rongmei_store::{ChannelViews, ColumnViews, TopArticle};
use serde::Deserialize;

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::newsroom::auth::constant_time_eq;
use crate::site::SiteInfo;

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
    match crate::newsroom::auth::authenticate(state, headers).await {
        Ok(Some(_)) => return Access::Granted,
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "session lookup for analytics failed"),
    }
    let Some(want) = state
        .inner
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Access::Denied(
            axum::response::Redirect::to("/newsroom/login?next=/newsroom").into_response(),
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

fn remember_and_redirect(state: &AppState, path: &str) -> Response {
    let token = state.inner.config.admin_token.clone().unwrap_or_default();
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

/// A bar chart as inline SVG: readable without JavaScript, printable, and small.
pub fn bar_chart(points: &[(String, i64)], title: &str) -> String {
    const W: f64 = 720.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 28.0;
    let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let n = points.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape_html(title),
        escape_html(title)
    );
    for frac in [0.0, 0.5, 1.0] {
        let y = (H - BOTTOM) * (1.0 - frac) + 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{W}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e7eb"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#6b7280">{}</text>"##,
            LEFT - 6.0,
            y + 4.0,
            (max * frac).round() as i64
        );
    }
    let label_every = (points.len() / 8).max(1);
    for (i, (label, v)) in points.iter().enumerate() {
        let h = (H - BOTTOM - 4.0) * (*v as f64) / max;
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let y = H - BOTTOM - h;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="#9b1c1c"><title>{}：{v}</title></rect>"##,
            slot * 0.7,
            escape_html(label)
        );
        if i % label_every == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#6b7280">{}</text>"##,
                x + slot * 0.35,
                H - 10.0,
                escape_html(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
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

struct ChannelRow {
    label: &'static str,
    views: i64,
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

#[derive(Template)]
#[template(path = "analytics.html")]
struct OverviewPage<'a> {
    site: &'a SiteInfo,
    chart: String,
    total_30d: i64,
    top: Vec<(&'static str, Vec<TopArticle>)>,
    columns: Vec<ColumnViews>,
    channels: Vec<ChannelRow>,
}

#[derive(Template)]
#[template(path = "analytics_article.html")]
struct ArticleStatsPage<'a> {
    site: &'a SiteInfo,
    id: i64,
    title: String,
    views: i64,
    raw: i64,
    daily_chart: String,
    hourly_chart: String,
    channels: Vec<ChannelRow>,
}

fn private(html: String) -> Response {
    ([(CACHE_CONTROL, "private, no-store")], Html(html)).into_response()
}

pub async fn overview(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> Result<Response, PageError> {
    match check(&state, &headers, &q).await {
        Access::Granted => {}
        Access::FromUrl => return Ok(remember_and_redirect(&state, "/admin/analytics")),
        Access::Denied(r) => return Ok(r),
    }
    let site = state
        .inner
        .site
        .get(state.store())
        .await
        .map_err(|e| PageError(e, state.inner.site.fallback()))?;
    let fail = |e: rongmei_store::StoreError| PageError(e.into(), (*site).clone());
    let store = state.store();
    let now = Utc::now();
    let today = day_bucket(now);
    let from_30 = today - 29 * DAY;
    let series = store
        .views_series("day", from_30, None)
        .await
        .map_err(fail)?;
    let points = bucket_points(&series, from_30, today, DAY, "%m-%d");
    let total_30d = points.iter().map(|(_, v)| v).sum();
    let top = vec![
        (
            "24 小时",
            store
                .top_articles_since("hour", hour_bucket(now) - 23 * 3600, 10)
                .await
                .map_err(fail)?,
        ),
        (
            "7 天",
            store
                .top_articles_since("day", today - 6 * DAY, 10)
                .await
                .map_err(fail)?,
        ),
        (
            "30 天",
            store
                .top_articles_since("day", from_30, 10)
                .await
                .map_err(fail)?,
        ),
        (
            "全部",
            store
                .most_viewed(10)
                .await
                .map_err(fail)?
                .into_iter()
                .map(|a| TopArticle {
                    id: a.id,
                    title: a.title,
                    views: a.views,
                })
                .collect(),
        ),
    ];
    let columns = store.column_totals().await.map_err(fail)?;
    let channels = channel_rows(
        &store
            .channel_totals("day", from_30, None)
            .await
            .map_err(fail)?,
    );
    let html = OverviewPage {
        site: &site,
        chart: bar_chart(&points, "近 30 天全站浏览量"),
        total_30d,
        top,
        columns,
        channels,
    }
    .render()
    .map_err(|e| PageError(e.into(), (*site).clone()))?;
    Ok(private(html))
}

pub async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> Result<Response, PageError> {
    match check(&state, &headers, &q).await {
        Access::Granted => {}
        Access::FromUrl => return Ok(remember_and_redirect(&state, "/admin/analytics")),
        Access::Denied(r) => return Ok(r),
    }
    let site = state
        .inner
        .site
        .get(state.store())
        .await
        .map_err(|e| PageError(e, state.inner.site.fallback()))?;
    let fail = |e: rongmei_store::StoreError| PageError(e.into(), (*site).clone());
    let store = state.store();
    let not_found = || {
        PageError(
            AppError::NotFound(format!("没有编号为 {id} 的文章。")),
            (*site).clone(),
        )
    };
    let n = id.parse::<i64>().map_err(|_| not_found())?;
    let article = store
        .article(n)
        .await
        .map_err(fail)?
        .ok_or_else(not_found)?;
    let (views, raw) = store
        .view_counts(n)
        .await
        .map_err(fail)?
        .unwrap_or((article.views, 0));
    let now = Utc::now();
    let today = day_bucket(now);
    let from_90 = today - 89 * DAY;
    let daily = store
        .views_series("day", from_90, Some(n))
        .await
        .map_err(fail)?;
    let this_hour = hour_bucket(now);
    let hourly = store
        .views_series("hour", this_hour - 47 * 3600, Some(n))
        .await
        .map_err(fail)?;
    let channels = channel_rows(
        &store
            .channel_totals("day", 0, Some(n))
            .await
            .map_err(fail)?,
    );
    let html = ArticleStatsPage {
        site: &site,
        id: n,
        title: article.title,
        views: views + state.counter().unflushed(n),
        raw,
        daily_chart: bar_chart(
            &bucket_points(&daily, from_90, today, DAY, "%m-%d"),
            "近 90 天每日浏览量",
        ),
        hourly_chart: bar_chart(
            &bucket_points(&hourly, this_hour - 47 * 3600, this_hour, 3600, "%H时"),
            "近 48 小时每小时浏览量",
        ),
        channels,
    }
    .render()
    .map_err(|e| PageError(e.into(), (*site).clone()))?;
    Ok(private(html))
}

fn parse_day(raw: Option<&str>, default: i64) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| SHANGHAI.from_local_datetime(&t).single())
            .map(|t| t.timestamp())
            .ok_or_else(|| AppError::BadRequest(format!("dates look like 2024-05-01, not {s:?}"))),
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
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    let rows = match state.store().daily_rows(from, to).await {
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

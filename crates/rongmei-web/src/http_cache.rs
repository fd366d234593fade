//! Validators and freshness for responses, so browsers revalidate cheaply and a reverse proxy or
//! CDN in front of Rongmei can cache pages for a short while.

use std::time::SystemTime;

use axum::body::Body;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

/// Pages may be kept by a shared cache for half a minute; the view count on a cached copy is
/// refreshed by the page's own counter call.
pub const PAGE_CACHE_CONTROL: &str = "public, max-age=30, stale-while-revalidate=60";
/// API answers are revalidated on every use: counts must show within seconds.
pub const API_CACHE_CONTROL: &str = "public, no-cache";

pub struct Cacheable {
    pub etag: String,
    pub last_modified: Option<SystemTime>,
    pub cache_control: &'static str,
    pub content_type: &'static str,
}

pub fn etag_of(parts: &[&[u8]]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p);
    }
    format!("\"{}\"", &h.finalize().to_hex()[..20])
}

fn not_modified(req: &HeaderMap, c: &Cacheable) -> bool {
    if let Some(inm) = req.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == c.etag
        });
    }
    match (
        req.get(IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()),
        c.last_modified,
    ) {
        (Some(ims), Some(lm)) => httpdate::parse_http_date(ims)
            .map(|since| {
                let lm_secs = lm
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                let since_secs = since
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                lm_secs <= since_secs
            })
            .unwrap_or(false),
        _ => false,
    }
}

/// A 200 with validators, or a 304 when the client's copy is current.
pub fn respond(req: &HeaderMap, c: &Cacheable, body: impl Into<Body>) -> Response {
    let mut resp = if not_modified(req, c) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(body.into());
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(c.content_type));
        r
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&c.etag) {
        h.insert(ETAG, v);
    }
    if let Some(lm) = c.last_modified
        && let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(lm))
    {
        h.insert(LAST_MODIFIED, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static(c.cache_control));
    h.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    resp
}

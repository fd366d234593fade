//! The view-count call that pages served from a cache or a static export make:
//! `POST /api/v1/articles/{id}/views` with the signed token the page carries.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{HOST, REFERER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rongmei_core::Channel;
use rongmei_store::Store;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::client::{Peer, client_ip, is_not_a_reader, user_agent};
use crate::error::{ApiError, AppError};

const KEY_SETTING: &str = "view_token_key";
/// Calls per client address and minute: a reader opening many pages stays well under it, a
/// script hammering the endpoint does not.
const CALLS_PER_MINUTE: u32 = 60;

/// Signs and checks view tokens with a key every node shares through the database.
pub struct ViewTokens {
    key: [u8; 32],
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl ViewTokens {
    pub async fn load(store: &Store) -> Result<ViewTokens, AppError> {
        let hex = store
            .setting_or_init(KEY_SETTING, || {
                let mut key = [0u8; 32];
                if let Err(e) = getrandom::fill(&mut key) {
                    tracing::error!(error = %e, "no system randomness; view tokens use a time-derived key");
                    key = *blake3::hash(format!("{:?}{}", std::time::SystemTime::now(), std::process::id()).as_bytes()).as_bytes();
                }
                key.iter().map(|b| format!("{b:02x}")).collect()
            })
            .await?;
        let mut key = [0u8; 32];
        if hex.len() != 64 {
            return Err(AppError::Internal(
                "stored view token key has the wrong length".into(),
            ));
        }
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| AppError::Internal("stored view token key is not hex".into()))?;
        }
        let per_minute = NonZeroU32::new(CALLS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Ok(ViewTokens {
            key,
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        })
    }

    /// The token for one article: a keyed BLAKE3 MAC of its id.
    pub fn token(&self, article_id: i64) -> String {
        let mac = blake3::keyed_hash(&self.key, format!("rongmei-view:{article_id}").as_bytes());
        mac.to_hex()[..32].to_string()
    }

    /// The key of the reader hash every node computes alike (derived, so it never equals the
    /// token key).
    pub fn visitor_hash_key(&self) -> [u8; 32] {
        blake3::derive_key("rongmei 2026 visitor hash", &self.key)
    }

    fn verify(&self, article_id: i64, token: &str) -> bool {
        let want = self.token(article_id);
        // Constant time: compare every byte whatever the first difference.
        want.len() == token.len()
            && want
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    pub fn forget_idle_clients(&self) {
        self.limiter.retain_recent();
    }
}

#[derive(Deserialize, Default)]
struct ViewCall {
    token: Option<String>,
    referrer: Option<String>,
    utm_source: Option<String>,
}

pub async fn count_view(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Peer(peer): Peer,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ip = client_ip(&headers, peer, state.inner.config.trust_proxy);
    let tokens = &state.inner.tokens;
    if tokens.limiter.check_key(&ip).is_err() {
        let body = json!({ "error": { "code": "rate_limited", "message": "too many view calls from this address; try again in a minute" } });
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "60")],
            Json(body),
        )
            .into_response());
    }
    let mut call: ViewCall = if body.iter().all(u8::is_ascii_whitespace) {
        ViewCall::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            AppError::BadRequest(format!(
                "body must be JSON {{token, referrer?, utm_source?}}: {e}"
            ))
        })?
    };
    if call.token.is_none()
        && let Some(q) = query.as_deref()
    {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        call.token = pairs
            .into_iter()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v);
    }
    let not_found = || AppError::NotFound(format!("no published article with id {id:?}"));
    let article_id = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(not_found)?;
    if !call
        .token
        .as_deref()
        .is_some_and(|t| tokens.verify(article_id, t))
    {
        let body = json!({ "error": { "code": "forbidden", "message": "a valid view token for this article is required" } });
        return Ok((StatusCode::FORBIDDEN, Json(body)).into_response());
    }
    let db_views = match state.inner.pages.live_views(article_id) {
        Some(v) => v,
        None => state
            .store()
            .article(article_id)
            .await?
            .filter(|a| a.is_public())
            .map(|a| a.views)
            .ok_or_else(not_found)?,
    };
    let counter = state.counter();
    if is_not_a_reader(&headers) {
        counter.record_raw(article_id);
    } else {
        let host = headers.get(HOST).and_then(|h| h.to_str().ok());
        let channel = Channel::classify(
            call.referrer.as_deref(),
            call.utm_source.as_deref(),
            user_agent(&headers),
            host,
        );
        counter.record(article_id, ip, user_agent(&headers), channel);
    }
    let views = counter.display(article_id, db_views);
    Ok((
        StatusCode::OK,
        [("cache-control", "no-store")],
        Json(json!({ "views": views })),
    )
        .into_response())
}

/// The channel of a page request: its Referer and the page URL's `utm_source`.
pub fn channel_of_page(headers: &HeaderMap, query: Option<&str>) -> Channel {
    let utm = query.and_then(|q| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
        pairs
            .into_iter()
            .find(|(k, _)| k == "utm_source")
            .map(|(_, v)| v)
    });
    let referrer = headers.get(REFERER).and_then(|v| v.to_str().ok());
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    Channel::classify(referrer, utm.as_deref(), user_agent(headers), host)
}

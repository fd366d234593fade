//! Layers over the whole route table: CSRF and origin checks for every cookie-authenticated
//! write, and error pages in HTML for every path outside the JSON API.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;
use rongmei_app::accounts::passwords::constant_time_eq;

use crate::error::{Shown, WebError, heading_of};
use crate::extract::{Resolved, bearer, session_cookie};
use crate::newsroom::frame::{Frame, message_page};
use crate::state::AppState;

/// Sign-in forms and calls carry no session yet: only their origin is checked.
const SIGN_IN_PATHS: &[&str] = &["/newsroom/login", "/api/v1/session"];
/// Larger form bodies are refused before they are read (the body limit is 2 MB anyway).
const FORM_LIMIT: usize = 4 * 1024 * 1024;

/// Refuses requests a browser marks as cross-site, or whose Origin names another host.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), AppError> {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
    {
        return Err(AppError::Forbidden("cross-site request refused".into()));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != "null"
    {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if !origin_host.eq_ignore_ascii_case(host) {
            return Err(AppError::Forbidden(
                "request from another origin refused".into(),
            ));
        }
    }
    Ok(())
}

fn csrf_refused() -> Response {
    WebError(AppError::Forbidden(
        "missing or wrong CSRF token: reload the page and try again".into(),
    ))
    .into_response()
}

fn field(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A write made with the session cookie must come from this site and carry the session's CSRF
/// token: the `X-CSRF-Token` header, the form field `csrf`, or `?csrf=` (multipart forms).
/// Bearer calls carry their credential explicitly, so a forged cross-site request cannot make
/// one; they pass.
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method().is_safe() || bearer(req.headers()).is_some() {
        return next.run(req).await;
    }
    let sign_in = SIGN_IN_PATHS.contains(&req.uri().path());
    let cookie = session_cookie(req.headers()).map(str::to_string);
    if !sign_in && cookie.is_none() {
        return next.run(req).await;
    }
    if let Err(e) = check_same_origin(req.headers()) {
        return WebError(e).into_response();
    }
    let Some(cookie) = cookie.filter(|_| !sign_in) else {
        return next.run(req).await;
    };
    let session = match state.app().authenticate(&cookie).await {
        Ok(s) => s,
        Err(e) => return WebError(e).into_response(),
    };
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(Resolved(session.clone()));
    let Some(session) = session else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let mut given = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.query().and_then(|q| field(q, "csrf")));
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let body = if given.is_none() && is_form {
        let bytes = match to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return WebError(AppError::TooLarge("form: larger than 4 MB".into()))
                    .into_response();
            }
        };
        given = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|q| field(q, "csrf"));
        Body::from(bytes)
    } else {
        body
    };
    match given {
        Some(t)
            if !t.is_empty() && constant_time_eq(t.as_bytes(), session.csrf_token.as_bytes()) =>
        {
            next.run(Request::from_parts(parts, body)).await
        }
        _ => csrf_refused(),
    }
}

/// Turns error responses into pages: the newsroom's for its paths, the site's elsewhere. JSON
/// errors under `/api/` go out as they are.
pub async fn error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") {
        return next.run(req).await;
    }
    let newsroom = path.starts_with("/newsroom");
    // Only a newsroom error page shows who is signed in; nothing is copied for other requests.
    let token = newsroom
        .then(|| bearer(req.headers()).or_else(|| session_cookie(req.headers())))
        .flatten()
        .map(str::to_string);
    let mut resp = next.run(req).await;
    let Some(Shown(message)) = resp.extensions_mut().remove::<Shown>() else {
        return resp;
    };
    let status = resp.status();
    let heading = heading_of(status);
    let html = if newsroom {
        let session = match token {
            Some(t) => state.app().authenticate(&t).await.ok().flatten(),
            None => None,
        };
        let frame = session.map(|s| Frame::of(&s));
        message_page(&state, frame.as_ref(), heading, &message)
    } else {
        let site = match state.app().site_info().await {
            Ok(s) => s,
            Err(_) => state.app().site_fallback(),
        };
        state.render().error(&site, heading, &message)
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    if newsroom {
        parts.headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_writes_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("news.example.edu"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(check_same_origin(&h).is_err());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://news.example.edu"),
        );
        assert!(check_same_origin(&h).is_ok());
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(check_same_origin(&h).is_err());
    }
}

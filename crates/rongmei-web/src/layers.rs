//! Layers over the whole route table: CSRF and origin checks for every cookie-authenticated
//! write, and error pages in HTML for every path outside the JSON API.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;
use rongmei_app::accounts::passwords::constant_time_eq;

use crate::error::{Shown, WebError, heading_of};
use crate::extract::{Resolved, bearer, session_cookie};
use crate::newsroom::frame::{Frame, message_page};
use crate::state::AppState;

/// Sign-in forms and calls (POST) carry no session yet: only their origin is checked.
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
        return Err(AppError::Forbidden(
            "拒绝来自其他网站的请求（请从本站页面提交）".into(),
        ));
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
                "拒绝来自其他网站的请求（请从本站页面提交）".into(),
            ));
        }
    }
    Ok(())
}

fn csrf_refused() -> Response {
    WebError(AppError::Forbidden(
        "页面已过期或缺少安全令牌（CSRF），请刷新页面后重试".into(),
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
    // Signing in (POST) has no session yet; signing out (DELETE) has one and needs the token.
    let sign_in =
        req.method() == axum::http::Method::POST && SIGN_IN_PATHS.contains(&req.uri().path());
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
                return WebError(AppError::TooLarge("form: 表单内容超过 4 MB".into()))
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

/// The Chinese message for an error response that no handler wrote: axum's own refusals of a
/// path, query or form it cannot read (plain English text otherwise), an unknown path, a method
/// the route does not take.
fn framework_error(status: StatusCode) -> Option<AppError> {
    let m = |s: &str| s.to_string();
    Some(match status {
        StatusCode::BAD_REQUEST => AppError::Malformed(m(
            "请求无法识别：地址、查询参数或表单中有无效的内容（例如不完整的编码或缺少的字段）",
        )),
        StatusCode::NOT_FOUND => AppError::NotFound(m("没有这个页面或文件")),
        StatusCode::METHOD_NOT_ALLOWED => AppError::Malformed(m("这个地址不接受这种请求方式")),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::Malformed(m(
            "请求的内容类型不正确：表单须为 application/x-www-form-urlencoded 或 multipart/form-data，接口须为 JSON",
        )),
        StatusCode::UNPROCESSABLE_ENTITY => {
            AppError::invalid("表单或请求内容缺少字段，或字段的格式不对")
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(m("提交的内容过大")),
        _ => return None,
    })
}

/// Turns error responses into pages: the newsroom's for its paths, the site's elsewhere. JSON
/// errors under `/api/` go out as they are; the framework's plain-text refusals become the same
/// JSON error shape, with a Chinese message, there.
pub async fn error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/");
    let newsroom = path.starts_with("/newsroom");
    // Only a newsroom error page shows who is signed in; nothing is copied for other requests.
    let token = newsroom
        .then(|| bearer(req.headers()).or_else(|| session_cookie(req.headers())))
        .flatten()
        .map(str::to_string);
    let mut resp = next.run(req).await;
    let shown = resp.extensions_mut().remove::<Shown>();
    let status = resp.status();
    let message = match shown {
        Some(Shown(message)) if !api => message,
        Some(_) => return resp,
        None => {
            let plain = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|v| v.starts_with("text/plain"));
            match framework_error(status).filter(|_| plain && status.is_client_error()) {
                Some(e) if api => {
                    // The framework's status stands (405 with its `Allow`, 415, …); only the
                    // body becomes the API's JSON error.
                    let mut json = WebError(e).into_response();
                    *json.status_mut() = status;
                    if let Some(allow) = resp.headers().get(header::ALLOW) {
                        json.headers_mut().insert(header::ALLOW, allow.clone());
                    }
                    return json;
                }
                Some(e) => e.public_message(),
                None => return resp,
            }
        }
    };
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

/// The newsroom and the analytics pages may not be framed (clickjacking a reviewer's "publish")
/// and run only their own scripts; every response says not to guess content types.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let private = path.starts_with("/newsroom") || path.starts_with("/admin");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if private {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NEWSROOM_CSP),
        );
    }
    resp
}

/// Scripts only from this site; inline styles stay allowed because the rich editor's pasted
/// and formatted content carries them while it is edited (the sanitiser drops them on save).
const NEWSROOM_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

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

//! The one error response. A handler returns the application's error; here it becomes a status
//! and a JSON body `{error: {code, message, details?}}`, and the `pages` layer turns it into the
//! site's or the newsroom's HTML page for every path outside `/api/`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;
use serde::Serialize;

/// What a handler fails with.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl<E: Into<AppError>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError(e.into())
    }
}

pub type WebResult<T> = Result<T, WebError>;

/// The status that fits an application error.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Malformed(_) => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Invalid(..) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::RateLimited(..) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Gone(_) => StatusCode::GONE,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn code_of(e: &AppError) -> &'static str {
    match e {
        AppError::NotFound(_) => "not_found",
        AppError::Malformed(_) => "bad_request",
        AppError::Unauthenticated(_) => "unauthorized",
        AppError::Forbidden(_) => "forbidden",
        AppError::Conflict(_) => "conflict",
        AppError::Invalid(..) => "unprocessable",
        AppError::TooLarge(_) => "payload_too_large",
        AppError::RateLimited(..) => "too_many_requests",
        AppError::Gone(_) => "gone",
        AppError::Unavailable(_) => "unavailable",
        AppError::Internal(_) => "internal",
    }
}

/// The heading of an error page.
pub fn heading_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "页面不存在 (404)",
        StatusCode::BAD_REQUEST => "请求有误 (400)",
        StatusCode::UNAUTHORIZED => "请先登录 (401)",
        StatusCode::FORBIDDEN => "没有权限 (403)",
        StatusCode::CONFLICT => "状态冲突 (409)",
        StatusCode::UNPROCESSABLE_ENTITY => "无法处理 (422)",
        StatusCode::TOO_MANY_REQUESTS => "请求过于频繁 (429)",
        StatusCode::GONE => "文章已撤下 (410)",
        StatusCode::PAYLOAD_TOO_LARGE => "内容过大 (413)",
        StatusCode::SERVICE_UNAVAILABLE => "暂时无法提供服务 (503)",
        _ => "服务器出错了 (500)",
    }
}

/// What a page shows of an error. A field error reads `role: 至少选择一个角色` for API clients;
/// the person at a form knows which field they filled in, and the code name is English they
/// cannot read.
pub fn page_message(e: &AppError) -> String {
    let message = e.public_message();
    let field = match e {
        AppError::Invalid(_, Some(details)) => details["field"].as_str(),
        _ => None,
    };
    match field.and_then(|f| message.strip_prefix(&format!("{f}: "))) {
        Some(rest) => rest.to_string(),
        None => message,
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a serde_json::Value>,
}

/// Left on an error response for the `pages` layer: the message a page may show.
#[derive(Debug, Clone)]
pub struct Shown(pub String);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = status_of(&self.0);
        let message = self.0.public_message();
        let details = match &self.0 {
            AppError::Invalid(_, d) => d.as_ref(),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code_of(&self.0),
                message,
                details,
            },
        };
        let mut resp = (status, Json(body)).into_response();
        // The exact wait when the refusal knows it (a back-off of 2 s, a lockout of 15 minutes).
        let retry_after = match &self.0 {
            AppError::RateLimited(_, secs) => Some((*secs).max(1)),
            _ if status == StatusCode::SERVICE_UNAVAILABLE => Some(5),
            _ => None,
        };
        if let Some(secs) = retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp.extensions_mut().insert(Shown(page_message(&self.0)));
        resp
    }
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    WebError(AppError::Internal("a request handler panicked".into())).into_response()
}

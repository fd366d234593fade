use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

/// An error answered to a client: a JSON body `{error: {code, message}}` on the API, a friendly
/// page on the site. Internal details go to the log, never to the client.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Not signed in, or bad credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// The state does not allow it (409).
    #[error("{0}")]
    Conflict(String),
    /// Well-formed but refused: a missing reason, a blocked publication (422). The value, when
    /// present, goes to the client as `error.details` (publication-check hits, field errors).
    #[error("{0}")]
    Unprocessable(String, Option<serde_json::Value>),
    #[error("{0}")]
    TooManyRequests(String),
    /// A page that existed and was taken down on purpose (410).
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(..) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::Unprocessable(..) => "unprocessable",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Gone(_) => "gone",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Internal(_) => "internal",
        }
    }

    fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "服务器内部错误，请稍后再试 (internal error)".to_string(),
            other => other.to_string(),
        }
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "request failed");
        }
    }
}

impl From<rongmei_store::StoreError> for AppError {
    fn from(e: rongmei_store::StoreError) -> Self {
        use rongmei_store::StoreError as S;
        match e {
            S::Conflict(m) => AppError::Conflict(m),
            S::NotFound(m) => AppError::NotFound(format!("{m} not found")),
            S::Invalid(m) => AppError::Unprocessable(m, None),
            e => AppError::Internal(e.to_string()),
        }
    }
}

impl From<rongmei_core::WorkflowError> for AppError {
    fn from(e: rongmei_core::WorkflowError) -> Self {
        use rongmei_core::WorkflowError as W;
        match e {
            W::Forbidden(m) => AppError::Forbidden(m),
            W::Conflict(m) => AppError::Conflict(m),
            W::Invalid(m) => AppError::Unprocessable(m, None),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// The JSON flavour, for `/api/*`.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut body =
            json!({ "error": { "code": self.0.code(), "message": self.0.public_message() } });
        if let AppError::Unprocessable(_, Some(details)) = &self.0 {
            body["error"]["details"] = details.clone();
        }
        (self.0.status(), Json(body)).into_response()
    }
}

/// The HTML flavour, for pages.
pub struct PageError(pub AppError, pub crate::site::SiteInfo);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let heading = match &self.0 {
            AppError::NotFound(_) => "页面不存在 (404)",
            AppError::BadRequest(_) => "请求有误 (400)",
            AppError::Unauthorized(_) => "请先登录 (401)",
            AppError::Forbidden(_) => "没有权限 (403)",
            AppError::Conflict(_) => "状态冲突 (409)",
            AppError::Unprocessable(..) => "无法处理 (422)",
            AppError::TooManyRequests(_) => "请求过于频繁 (429)",
            AppError::Gone(_) => "文章已撤下 (410)",
            AppError::PayloadTooLarge(_) => "内容过大 (413)",
            AppError::Internal(_) => "服务器出错了 (500)",
        };
        let page = crate::pages::ErrorPage {
            site: &self.1,
            heading,
            message: self.0.public_message(),
        };
        let html = askama::Template::render(&page).unwrap_or_else(|_| {
            format!("<!doctype html><title>{heading}</title><h1>{heading}</h1>")
        });
        (self.0.status(), Html(html)).into_response()
    }
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = json!({ "error": { "code": "internal", "message": "internal error" } });
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

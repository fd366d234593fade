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
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
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
        AppError::Internal(e.to_string())
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
        let body =
            json!({ "error": { "code": self.0.code(), "message": self.0.public_message() } });
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

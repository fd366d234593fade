//! The API's OpenAPI 3.1 description. Paths come from the `#[utoipa::path]` annotation on each
//! handler, collected as the route table registers them (`utoipa_axum::routes!`), so an
//! endpoint cannot be added without being described; the committed snapshot
//! (`tests/snapshots/openapi__description.snap`) makes every change a reviewed diff.

use std::sync::Arc;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::WebError;
use crate::extract::SESSION_COOKIE;

/// Every error the API answers: a stable English `code`, a Chinese `message`, and for a refused
/// field or a blocked publication, `details` (`{"field": …}` or `{"hits": […]}`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `unprocessable`,
    /// `payload_too_large`, `too_many_requests`, `gone`, `unavailable` or `internal`.
    code: String,
    message: String,
    details: Option<serde_json::Value>,
}

/// The security schemes: a bearer token from `POST /api/v1/session`, or the newsroom's session
/// cookie (writes with the cookie also need the `X-CSRF-Token` header).
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("POST /api/v1/session 返回的 token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rongmei API",
        description = "融媒 newsroom and site API. Public reads need no sign-in; newsroom \
                       endpoints take a bearer token from `POST /api/v1/session` (or the \
                       newsroom's session cookie with `X-CSRF-Token` on writes). Errors are \
                       `{\"error\": {\"code\", \"message\", \"details\"?}}` with Chinese messages.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&Security),
    components(schemas(ErrorBody, crate::site::search::SortOrder)),
    tags(
        (name = "public", description = "Published articles, columns, search and view counting"),
        (name = "sessions", description = "Signing in and out, one's own password"),
        (name = "articles", description = "Writing and the review workflow (采编审发)"),
        (name = "tools", description = "Paste clean-up, publication checks, dictionaries, media"),
        (name = "accounts", description = "Newsroom accounts (admins)"),
        (name = "audit", description = "The audit log"),
        (name = "webhooks", description = "Signed webhooks with a delivery log (admins)"),
        (name = "channels", description = "An article as a WeChat draft and a Weibo post (past 终审)"),
    )
)]
pub struct ApiDoc;

/// Responses every newsroom endpoint may give besides its own.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum MemberErrors {
    /// The request cannot be read (not JSON, a malformed parameter).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// Nobody is signed in, or the session ended.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Signed in, but this role or person may not.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Too many requests; `Retry-After` says when to try again.
    #[response(status = 429)]
    TooMany(ErrorBody),
    /// The database is unreachable for a moment.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The errors of reading what is addressed by a path or validated from a body.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum InputErrors {
    #[response(status = 404, description = "No such thing")]
    NotFound(ErrorBody),
    #[response(
        status = 409,
        description = "The state does not allow it, or someone acted first"
    )]
    Conflict(ErrorBody),
    #[response(status = 413, description = "The body is too large")]
    TooLarge(ErrorBody),
    #[response(
        status = 422,
        description = "Refused input; `details.field` names the field"
    )]
    Unprocessable(ErrorBody),
}

/// `GET /api/openapi.json`.
pub async fn serve(doc: Arc<utoipa::openapi::OpenApi>) -> Response {
    match doc.to_pretty_json() {
        Ok(json) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            json,
        )
            .into_response(),
        Err(e) => WebError(AppError::Internal(format!("openapi: {e}"))).into_response(),
    }
}

/// The description as served at `/api/openapi.json`.
pub fn document(paths: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(paths);
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

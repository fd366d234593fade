//! Tools the editor calls while writing: paste clean-up and live publication checks.

use axum::Json;
use axum::extract::State;
use rongmei_app::articles::reads::{CheckReport, ChecksInput};
use serde::{Deserialize, Serialize};

use crate::api::openapi::{InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{JsonBody, Member};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SanitizeInput {
    html: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Sanitized {
    html: String,
}

/// What the editor inserts when something is pasted.
#[utoipa::path(
    post, path = "/api/v1/sanitize", tag = "tools", security(("bearer" = []), ("session_cookie" = [])),
    request_body = SanitizeInput,
    responses((status = 200, description = "The HTML as the editor inserts it", body = Sanitized), MemberErrors, InputErrors)
)]
pub async fn sanitize(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<SanitizeInput>,
) -> WebResult<Json<Sanitized>> {
    Ok(Json(Sanitized {
        html: state.app().clean_paste(&m.actor, &input.html)?,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/checks", tag = "tools", security(("bearer" = []), ("session_cookie" = [])),
    request_body = rongmei_app::articles::reads::ChecksInput,
    responses((status = 200, description = "Sensitive-word and 规范表述 findings", body = rongmei_app::articles::reads::CheckReport), MemberErrors, InputErrors)
)]
pub async fn run_checks(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<ChecksInput>,
) -> WebResult<Json<CheckReport>> {
    Ok(Json(state.app().check_text(&m.actor, &input)?))
}

//! Tools the editor calls while writing: paste clean-up and live publication checks.

use axum::Json;
use axum::extract::State;
use rongmei_app::articles::reads::{CheckReport, ChecksInput};
use serde::{Deserialize, Serialize};

use crate::error::WebResult;
use crate::extract::{JsonBody, Member};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SanitizeInput {
    html: String,
}

#[derive(Serialize)]
pub struct Sanitized {
    html: String,
}

/// What the editor inserts when something is pasted.
pub async fn sanitize(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<SanitizeInput>,
) -> WebResult<Json<Sanitized>> {
    Ok(Json(Sanitized {
        html: state.app().clean_paste(&m.actor, &input.html)?,
    }))
}

pub async fn run_checks(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<ChecksInput>,
) -> WebResult<Json<CheckReport>> {
    Ok(Json(state.app().check_text(&m.actor, &input)?))
}

//! The JSON API of sessions and accounts.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rongmei_app::accounts::sessions::SESSION_TTL_MS;
use rongmei_app::accounts::users::{UserInput, UserPatch};
use rongmei_core::User;
use rongmei_store::UserRecord;
use serde::{Deserialize, Serialize};

use super::signin::{clear_cookie, is_https, set_cookie};
use crate::error::WebResult;
use crate::extract::{Client, JsonBody, Member, UserId};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Credentials {
    login: String,
    password: String,
}

#[derive(Serialize)]
pub struct SessionCreated {
    token: String,
    csrf_token: String,
    user: User,
    expires_in: i64,
}

#[derive(Serialize)]
pub struct SessionInfo {
    user: User,
    csrf_token: String,
}

pub async fn create_session(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    JsonBody(c): JsonBody<Credentials>,
) -> WebResult<Response> {
    let s = state
        .app()
        .sign_in(
            &c.login,
            &c.password,
            &client.ip.to_string(),
            &client.user_agent,
        )
        .await?;
    let cookie = set_cookie(&s.token, is_https(&state, &headers));
    let body = SessionCreated {
        token: s.token,
        csrf_token: s.csrf_token,
        user: s.user,
        expires_in: SESSION_TTL_MS / 1000,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

pub async fn get_session(m: Member) -> Json<SessionInfo> {
    Json(SessionInfo {
        user: m.session.user,
        csrf_token: m.session.csrf_token,
    })
}

pub async fn delete_session(State(state): State<AppState>, m: Member) -> WebResult<Response> {
    state.app().sign_out(&m.session, &m.actor).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie())],
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct PasswordChange {
    current: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    m: Member,
    JsonBody(p): JsonBody<PasswordChange>,
) -> WebResult<StatusCode> {
    state
        .app()
        .change_own_password(&m.session, &m.actor, &p.current, &p.new)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_users(
    State(state): State<AppState>,
    m: Member,
) -> WebResult<Json<Vec<UserRecord>>> {
    Ok(Json(state.app().list_users(&m.actor).await?))
}

pub async fn create_user(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<UserInput>,
) -> WebResult<Response> {
    let user = state.app().add_user(&m.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

pub async fn update_user(
    State(state): State<AppState>,
    UserId(id): UserId,
    m: Member,
    JsonBody(patch): JsonBody<UserPatch>,
) -> WebResult<Json<User>> {
    Ok(Json(state.app().patch_user(&m.actor, id, &patch).await?))
}

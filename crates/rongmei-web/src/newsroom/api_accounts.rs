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
use crate::api::openapi::{ErrorBody, InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{Client, JsonBody, Member, UserId};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    login: String,
    password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionCreated {
    token: String,
    csrf_token: String,
    user: User,
    expires_in: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    user: User,
    csrf_token: String,
}

#[utoipa::path(
    post, path = "/api/v1/session", tag = "sessions",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; also sets the session cookie", body = SessionCreated),
        (status = 400, description = "Not JSON", body = ErrorBody),
        (status = 401, description = "Wrong login or password", body = ErrorBody),
        (status = 403, description = "The account is disabled", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "A field is too long or holds control characters", body = ErrorBody),
        (status = 429, description = "Too many failures; `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "The database is unreachable for a moment", body = ErrorBody),
    )
)]
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

#[utoipa::path(
    get, path = "/api/v1/session", tag = "sessions", security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Who is signed in", body = SessionInfo), MemberErrors)
)]
pub async fn get_session(m: Member) -> Json<SessionInfo> {
    Json(SessionInfo {
        user: m.session.user,
        csrf_token: m.session.csrf_token,
    })
}

#[utoipa::path(
    delete, path = "/api/v1/session", tag = "sessions", security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 204, description = "Signed out"), MemberErrors)
)]
pub async fn delete_session(State(state): State<AppState>, m: Member) -> WebResult<Response> {
    state.app().sign_out(&m.session, &m.actor).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie())],
    )
        .into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    current: String,
    #[schema(min_length = 8, max_length = 256)]
    new: String,
}

#[utoipa::path(
    post, path = "/api/v1/me/password", tag = "sessions", security(("bearer" = []), ("session_cookie" = [])),
    request_body = PasswordChange,
    responses((status = 204, description = "Changed; every other session of the account ends"), MemberErrors, InputErrors)
)]
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

#[utoipa::path(
    get, path = "/api/v1/users", tag = "accounts", security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Every account (admins)", body = Vec<rongmei_store::UserRecord>), MemberErrors)
)]
pub async fn list_users(
    State(state): State<AppState>,
    m: Member,
) -> WebResult<Json<Vec<UserRecord>>> {
    Ok(Json(state.app().list_users(&m.actor).await?))
}

#[utoipa::path(
    post, path = "/api/v1/users", tag = "accounts", security(("bearer" = []), ("session_cookie" = [])),
    request_body = rongmei_app::accounts::users::UserInput,
    responses((status = 201, description = "Added (admins)", body = rongmei_core::User), MemberErrors, InputErrors)
)]
pub async fn create_user(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<UserInput>,
) -> WebResult<Response> {
    let user = state.app().add_user(&m.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "accounts", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    request_body = rongmei_app::accounts::users::UserPatch,
    responses((status = 200, description = "Changed (admins)", body = rongmei_core::User), MemberErrors, InputErrors)
)]
pub async fn update_user(
    State(state): State<AppState>,
    UserId(id): UserId,
    m: Member,
    JsonBody(patch): JsonBody<UserPatch>,
) -> WebResult<Json<User>> {
    Ok(Json(state.app().patch_user(&m.actor, id, &patch).await?))
}

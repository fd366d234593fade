//! The newsroom's JSON API: sessions, writing, the review workflow, revisions, audit, accounts,
//! media and checks. Every write made with a session cookie needs the CSRF token; bearer calls
//! do not.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rongmei_core::{Action, Role, User};
use rongmei_store::AuditFilter;
use serde::Deserialize;
use serde_json::json;

use super::auth::{self, ApiAuth};
use super::ops::{self, ArticleInput};
use crate::AppState;
use crate::client::{Peer, client_ip, user_agent};
use crate::error::{ApiError, AppError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/session",
            post(create_session).get(get_session).delete(delete_session),
        )
        .route("/me/password", post(change_password))
        .route("/articles/{id}/actions", post(article_action))
        .route("/articles/{id}/comments", post(add_comment))
        .route("/articles/{id}/revisions", get(revisions))
        .route("/newsroom/articles", get(newsroom_list))
        .route("/newsroom/articles/{id}", get(newsroom_article))
        .route("/audit", get(audit))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", axum::routing::patch(update_user))
        .route("/sanitize", post(sanitize))
        .route("/checks", post(run_checks))
}

/// JSON bodies whose errors come back as the API's JSON errors, not axum's plain text.
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError(AppError::Unprocessable(
                format!("invalid request body: {}", e.body_text()),
                None,
            ))),
            Err(JsonRejection::BytesRejection(e)) => Err(ApiError(AppError::PayloadTooLarge(
                format!("request body: {}", e.body_text()),
            ))),
            Err(e) => Err(ApiError(AppError::BadRequest(format!(
                "expected a JSON body (Content-Type: application/json): {}",
                e.body_text()
            )))),
        }
    }
}

pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::NotFound(format!("no article with id {raw:?}")))
}

fn ip_of(state: &AppState, headers: &HeaderMap, peer: std::net::SocketAddr) -> String {
    client_ip(headers, peer, state.config().trust_proxy).to_string()
}

#[derive(Deserialize)]
struct Credentials {
    login: String,
    password: String,
}

async fn create_session(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    JsonBody(c): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    auth::check_same_origin(&headers)?;
    let ip = ip_of(&state, &headers, peer);
    let s = auth::sign_in(&state, &c.login, &c.password, &ip, user_agent(&headers)).await?;
    let cookie = auth::set_cookie(
        &s.token,
        auth::is_https(&headers, state.config().trust_proxy),
    );
    let body = json!({
        "token": s.token,
        "csrf_token": s.csrf_token,
        "user": s.user,
        "expires_in": auth::SESSION_TTL_MS / 1000,
    });
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

async fn get_session(ApiAuth(a): ApiAuth) -> Json<serde_json::Value> {
    Json(json!({"user": a.user, "csrf_token": a.csrf_token}))
}

async fn delete_session(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
) -> Result<Response, ApiError> {
    a.check_csrf(&headers, None)?;
    state.store().delete_session(&a.token_hash).await?;
    let ip = ip_of(&state, &headers, peer);
    state
        .store()
        .audit_account(Some(&a.user), &a.user.login, "logout", &ip, json!({}))
        .await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::clear_cookie())],
    )
        .into_response())
}

#[derive(Deserialize)]
struct PasswordChange {
    current: String,
    new: String,
}

/// Changes one's own password; every other session of the account ends.
pub async fn change_own_password(
    state: &AppState,
    a: &auth::Authed,
    current: &str,
    new: &str,
    ip: &str,
) -> Result<(), AppError> {
    rongmei_core::user::validate_password(new)
        .map_err(|e| AppError::Unprocessable(format!("new: {e}"), None))?;
    let hash = state
        .store()
        .password_hash(a.user.id)
        .await?
        .unwrap_or_default();
    if !auth::verify_password(current.to_string(), hash).await? {
        return Err(AppError::Forbidden("the current password is wrong".into()));
    }
    let new_hash = auth::hash_password(new.to_string()).await?;
    state
        .store()
        .set_password_hash(a.user.id, &new_hash, Some(&a.token_hash))
        .await?;
    state
        .store()
        .audit_account(Some(&a.user), &a.user.login, "password", ip, json!({}))
        .await?;
    Ok(())
}

async fn change_password(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(p): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    a.check_csrf(&headers, None)?;
    let ip = ip_of(&state, &headers, peer);
    change_own_password(&state, &a, &p.current, &p.new, &ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn create_article(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(input): JsonBody<ArticleInput>,
) -> Result<Response, ApiError> {
    a.check_csrf(&headers, None)?;
    let ip = ip_of(&state, &headers, peer);
    let (id, hits) = ops::create(&state, &a.user, &input, &ip).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/newsroom/articles/{id}"))],
        Json(json!({"id": id, "status": "draft", "revision": 1, "checks": hits})),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct EditInput {
    #[serde(flatten)]
    article: ArticleInput,
    /// The revision the edit was based on; a newer stored one makes the edit a 409.
    #[serde(default)]
    revision: Option<i64>,
}

pub async fn edit_article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(input): JsonBody<EditInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    a.check_csrf(&headers, None)?;
    let id = parse_id(&id)?;
    let ip = ip_of(&state, &headers, peer);
    let (revision, hits) =
        ops::edit(&state, &a.user, id, &input.article, input.revision, &ip).await?;
    let m = ops::meta(&state, id).await?;
    state.invalidate(id);
    Ok(Json(
        json!({"id": id, "status": m.status, "revision": revision, "checks": hits}),
    ))
}

#[derive(Deserialize)]
struct ActionInput {
    action: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    at: Option<String>,
}

async fn article_action(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(input): JsonBody<ActionInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    a.check_csrf(&headers, None)?;
    let id = parse_id(&id)?;
    let action = Action::parse(&input.action).ok_or_else(|| {
        AppError::Unprocessable(
            format!(
                "action: {:?} is not one of submit, approve, reject, publish, schedule, retract",
                input.action
            ),
            None,
        )
    })?;
    let ip = ip_of(&state, &headers, peer);
    let status = ops::act(
        &state,
        &a.user,
        id,
        action,
        input.comment.as_deref(),
        input.at.as_deref(),
        &ip,
    )
    .await?;
    Ok(Json(json!({"id": id, "status": status})))
}

#[derive(Deserialize)]
struct CommentInput {
    comment: String,
}

async fn add_comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(input): JsonBody<CommentInput>,
) -> Result<StatusCode, ApiError> {
    a.check_csrf(&headers, None)?;
    let id = parse_id(&id)?;
    let ip = ip_of(&state, &headers, peer);
    ops::comment(&state, &a.user, id, &input.comment, &ip).await?;
    Ok(StatusCode::CREATED)
}

async fn revisions(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiAuth(_): ApiAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = parse_id(&id)?;
    ops::meta(&state, id).await?;
    let revs = state.store().revisions(id).await?;
    let items: Vec<_> = revs
        .iter()
        .map(|r| {
            json!({
                "number": r.number,
                "who": r.editor_login,
                "when": r.created_at.to_rfc3339(),
                "what": format!("revision {}", r.number),
                "title": r.title,
                "column_id": r.column_id,
                "tags": r.tags,
                "bylines": r.bylines,
                "summary": r.summary,
                "body_html": r.body.to_html(),
                "body_text": r.body_text,
            })
        })
        .collect();
    Ok(Json(json!(items)))
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    mine: Option<String>,
    limit: Option<i64>,
}

async fn newsroom_list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    ApiAuth(a): ApiAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let statuses: Vec<rongmei_core::ArticleStatus> = match q.status.as_deref() {
        None | Some("") => rongmei_core::ArticleStatus::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|s| {
                rongmei_core::ArticleStatus::parse(s.trim()).ok_or_else(|| {
                    AppError::Unprocessable(format!("status: unknown state {s:?}"), None)
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let mine = matches!(q.mine.as_deref(), Some("1" | "true"));
    let items = state
        .store()
        .newsroom_items(
            &statuses,
            mine.then_some(a.user.id),
            q.limit.unwrap_or(50).clamp(1, 500),
        )
        .await?;
    Ok(Json(json!({ "items": items })))
}

async fn newsroom_article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiAuth(a): ApiAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = parse_id(&id)?;
    let m = ops::meta(&state, id).await?;
    let art = ops::article(&state, id).await?;
    let passed = state.store().stages_passed_by(id, a.user.id).await?;
    let actions = rongmei_core::workflow::available_actions(
        &a.user,
        m.author_id,
        m.status,
        &passed,
        chrono::Utc::now(),
    );
    let hits = ops::check_article_hits(&state, &art);
    Ok(Json(json!({
        "id": id,
        "title": art.title,
        "column": art.column.slug,
        "tags": art.tags,
        "bylines": art.bylines,
        "summary": art.summary,
        "body_html": art.body.to_html(),
        "body_text": art.body.to_text(),
        "status": m.status,
        "revision": m.revision,
        "author_id": m.author_id,
        "scheduled_at": m.scheduled_at.map(|t| t.to_rfc3339()),
        "retracted_reason": m.retracted_reason,
        "published_at": art.published_at.map(|t| t.to_rfc3339()),
        "actions": actions,
        "may_edit": rongmei_core::workflow::may_edit(&a.user, m.author_id, m.status).is_ok(),
        "checks": hits,
    })))
}

#[derive(Deserialize)]
struct AuditQuery {
    article: Option<String>,
    user: Option<String>,
    limit: Option<i64>,
}

/// Who may read which part of the audit log: an article's history is open to the newsroom, a
/// person's or the whole log to admins and chiefs.
pub async fn audit_filter(
    state: &AppState,
    user: &User,
    article: Option<&str>,
    login: Option<&str>,
) -> Result<AuditFilter, AppError> {
    let article_id = match article.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_id(s)?),
        None => None,
    };
    let actor_id = match login.map(str::trim).filter(|s| !s.is_empty()) {
        Some(l) => Some(
            state
                .store()
                .user_for_login(l)
                .await?
                .map(|(u, _)| u.id)
                .ok_or_else(|| AppError::NotFound(format!("no user {l:?}")))?,
        ),
        None => None,
    };
    let privileged = user.has(Role::Admin) || user.has(Role::Chief);
    let own = actor_id == Some(user.id);
    if article_id.is_none() && !privileged && !own {
        return Err(AppError::Forbidden(
            "the whole audit log and other people's are for admins and chiefs; ask for one article with ?article=ID".into(),
        ));
    }
    if article_id.is_some() && actor_id.is_some() && !privileged && !own {
        return Err(AppError::Forbidden(
            "other people's audit lines are for admins and chiefs".into(),
        ));
    }
    Ok(AuditFilter {
        article_id,
        actor_id,
    })
}

async fn audit(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
    ApiAuth(a): ApiAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filter = audit_filter(&state, &a.user, q.article.as_deref(), q.user.as_deref()).await?;
    let entries = state
        .store()
        .audit_log(filter, q.limit.unwrap_or(500).clamp(1, 5000))
        .await?;
    let items: Vec<_> = entries
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "who": e.actor_login,
                "when": e.at.to_rfc3339(),
                "what": e.action,
                "article_id": e.article_id,
                "from": e.from_state,
                "to": e.to_state,
                "comment": e.comment,
                "ip": e.ip,
                "detail": e.detail,
            })
        })
        .collect();
    Ok(Json(json!(items)))
}

async fn list_users(
    State(state): State<AppState>,
    ApiAuth(a): ApiAuth,
) -> Result<Json<serde_json::Value>, ApiError> {
    a.require_any(&[Role::Admin])?;
    Ok(Json(json!(state.store().list_users().await?)))
}

#[derive(Deserialize)]
pub struct UserInput {
    pub login: String,
    #[serde(default)]
    pub name: Option<String>,
    /// One role or a comma-separated list.
    pub role: String,
    pub password: String,
}

/// Adds an account from the admin page or API, with the admin named in the audit line.
pub async fn add_user(
    state: &AppState,
    admin: &User,
    input: &UserInput,
    ip: &str,
) -> Result<User, AppError> {
    super::create_account_as(
        state.store(),
        Some(admin),
        ip,
        &input.login,
        &input.role,
        input.name.as_deref(),
        &input.password,
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<Response, ApiError> {
    a.check_csrf(&headers, None)?;
    a.require_any(&[Role::Admin])?;
    let ip = ip_of(&state, &headers, peer);
    let user = add_user(&state, &a.user, &input, &ip).await?;
    Ok((StatusCode::CREATED, Json(json!(user))).into_response())
}

#[derive(Deserialize, Default)]
pub struct UserPatch {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub password: Option<String>,
}

/// Changes an account's roles, enabled state or password (admins only).
pub async fn patch_user(
    state: &AppState,
    admin: &User,
    id: i64,
    patch: &UserPatch,
    ip: &str,
) -> Result<User, AppError> {
    let store = state.store();
    let target = store
        .user(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no user with id {id}")))?;
    if let Some(r) = &patch.role {
        let roles =
            Role::parse_list(r).map_err(|e| AppError::Unprocessable(format!("role: {e}"), None))?;
        if target.id == admin.id && !roles.contains(&Role::Admin) {
            return Err(AppError::Conflict(
                "you cannot take the admin role from yourself".into(),
            ));
        }
        store.set_user_roles(id, &roles).await?;
    }
    if let Some(d) = patch.disabled {
        if target.id == admin.id && d {
            return Err(AppError::Conflict("you cannot disable yourself".into()));
        }
        store.set_user_disabled(id, d).await?;
    }
    if let Some(p) = &patch.password {
        rongmei_core::user::validate_password(p)
            .map_err(|e| AppError::Unprocessable(format!("password: {e}"), None))?;
        let hash = auth::hash_password(p.clone()).await?;
        store.set_password_hash(id, &hash, None).await?;
    }
    store
        .audit_account(
            Some(admin),
            &admin.login,
            "user_change",
            ip,
            json!({"login": target.login, "role": patch.role, "disabled": patch.disabled, "password_reset": patch.password.is_some()}),
        )
        .await?;
    store
        .user(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no user with id {id}")))
}

async fn update_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(patch): JsonBody<UserPatch>,
) -> Result<Json<User>, ApiError> {
    a.check_csrf(&headers, None)?;
    a.require_any(&[Role::Admin])?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("no user with id {id:?}")))?;
    let ip = ip_of(&state, &headers, peer);
    Ok(Json(patch_user(&state, &a.user, id, &patch, &ip).await?))
}

#[derive(Deserialize)]
struct SanitizeInput {
    html: String,
}

/// What the editor inserts when something is pasted: the one sanitiser, run on the server, so a
/// paste from Word or WeChat looks in the editor as it will when saved.
async fn sanitize(
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    JsonBody(input): JsonBody<SanitizeInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    a.check_csrf(&headers, None)?;
    if input.html.len() > ops::MAX_BODY_BYTES {
        return Err(ApiError(AppError::PayloadTooLarge(
            "pasted content is larger than 2 MB".into(),
        )));
    }
    let body = rongmei_html::body_from_html(&input.html);
    Ok(Json(json!({"html": body.to_html()})))
}

#[derive(Deserialize)]
struct ChecksInput {
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: Option<ops::TagsInput>,
    #[serde(default)]
    bylines: Option<Vec<ops::BylineInput>>,
}

async fn run_checks(
    State(state): State<AppState>,
    ApiAuth(_): ApiAuth,
    JsonBody(input): JsonBody<ChecksInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = rongmei_html::body_from_html(&input.body);
    let tags = ops::parse_tags(input.tags.as_ref());
    let bylines = ops::parse_bylines(input.bylines.as_deref());
    let checker = state.checks().current();
    let hits = checker.check_article(
        &rongmei_html::sanitize_text_field(&input.title),
        &body,
        &tags,
        &bylines,
    );
    Ok(Json(json!({
        "blocks": rongmei_checks::blocks(&hits),
        "hits": hits,
        "dictionary_error": state.checks().last_error(),
    })))
}

/// Stores one uploaded image (multipart field `file`) and answers its URLs.
pub async fn store_upload(
    state: &AppState,
    mut multipart: Multipart,
) -> Result<(rongmei_media::StoredImage, Vec<(String, String)>), AppError> {
    let mut stored = None;
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("upload: {}", e.body_text())))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" && stored.is_none() {
            let file_name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::PayloadTooLarge(format!("upload: {}", e.body_text())))?;
            if bytes.is_empty() {
                return Err(AppError::Unprocessable(
                    "file: choose an image to upload".into(),
                    None,
                ));
            }
            let media = state.media().clone();
            let result = tokio::task::spawn_blocking(move || media.store(&bytes, &file_name))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            stored = Some(result.map_err(media_error)?);
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.push((name, text));
        }
    }
    let stored =
        stored.ok_or_else(|| AppError::Unprocessable("file: no file uploaded".into(), None))?;
    Ok((stored, fields))
}

pub fn media_error(e: rongmei_media::MediaError) -> AppError {
    use rongmei_media::MediaError as M;
    match e {
        M::Unsupported => AppError::Unprocessable(
            "file: only JPEG, PNG, GIF and WebP images are accepted".into(),
            None,
        ),
        M::TooLarge => AppError::PayloadTooLarge("file: the image is too large".into()),
        M::Corrupt(m) => AppError::Unprocessable(format!("file: not a readable image ({m})"), None),
        other => AppError::Internal(other.to_string()),
    }
}

pub async fn upload_media(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiAuth(a): ApiAuth,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    a.check_csrf(&headers, None)?;
    let (stored, _) = store_upload(&state, multipart).await?;
    Ok((StatusCode::CREATED, Json(json!(stored))).into_response())
}

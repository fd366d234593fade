//! The newsroom (采编审发): accounts and sessions, the review workflow, revisions, the audit log,
//! publication checks and the editor pages.

pub mod api;
pub mod auth;
pub mod ops;
pub mod pages;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Uploaded images, by their content-addressed names: they never change, so caches keep them.
pub async fn media(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    let Some(file) = state.media().resolve(&format!("/media/{path}")) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(rongmei_media::content_type_of(&file)),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            (headers, bytes).into_response()
        }
        Err(_) => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// Publishes scheduled articles when their time comes; every node runs it, the store makes sure
/// each article goes out once.
pub async fn run_scheduler(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match state.store().publish_due(state.node_name()).await {
            Ok(ids) => {
                for id in ids {
                    tracing::info!(article = id, "scheduled article published");
                    state.invalidate(id);
                }
            }
            Err(e) => tracing::warn!(error = %e, "publishing scheduled articles failed"),
        }
    }
}

/// Creates an account from the command line (`rongmei user add`), with the audit line naming
/// the command line as actor.
pub async fn create_account(
    store: &rongmei_store::Store,
    login: &str,
    roles: &str,
    name: Option<&str>,
    password: &str,
) -> Result<rongmei_core::User, crate::AppError> {
    create_account_as(store, None, "local", login, roles, name, password).await
}

/// The one way accounts are made: validated login, roles and password, an argon2id hash, and an
/// audit line naming the admin (or the command line).
pub async fn create_account_as(
    store: &rongmei_store::Store,
    actor: Option<&rongmei_core::User>,
    ip: &str,
    login: &str,
    roles: &str,
    name: Option<&str>,
    password: &str,
) -> Result<rongmei_core::User, crate::AppError> {
    use crate::AppError;
    let login = login.trim();
    rongmei_core::user::validate_login(login)
        .map_err(|e| AppError::Unprocessable(format!("login: {e}"), None))?;
    let roles = rongmei_core::Role::parse_list(roles)
        .map_err(|e| AppError::Unprocessable(format!("role: {e}"), None))?;
    rongmei_core::user::validate_password(password)
        .map_err(|e| AppError::Unprocessable(format!("password: {e}"), None))?;
    let name = name
        .map(rongmei_html::sanitize_text_field)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| login.to_string());
    let hash = auth::hash_password(password.to_string()).await?;
    let user = store
        .create_user(&rongmei_store::NewUser {
            login: login.to_string(),
            name,
            roles,
            password_hash: hash,
        })
        .await?;
    store
        .audit_account(
            actor,
            actor.map_or("cli", |a| a.login.as_str()),
            "user_add",
            ip,
            serde_json::json!({"login": user.login, "roles": user.roles}),
        )
        .await?;
    Ok(user)
}

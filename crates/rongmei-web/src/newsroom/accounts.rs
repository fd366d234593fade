//! Account pages: the admin's user list with its forms, and changing one's own password.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::accounts::users::{UserInput, UserPatch};
use rongmei_core::{Links, Role, User};
use rongmei_store::UserRecord;
use serde::Deserialize;

use super::frame::{Frame, form_error, page};
use crate::error::WebResult;
use crate::extract::{Member, PageMember, UserId};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "newsroom/users.html")]
struct UsersPage<'a> {
    links: &'a Links,
    frame: Frame,
    users: Vec<UserRecord>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    notice: Option<String>,
}

impl UsersPage<'_> {
    fn roles_of(&self, u: &User) -> String {
        Role::join(&u.roles)
    }
}

async fn users_page(
    state: &AppState,
    m: &Member,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> WebResult<Response> {
    let users = state.app().list_users(&m.actor).await?;
    page(
        status,
        &UsersPage {
            links: state.links(),
            users,
            roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
            error,
            notice,
            frame: Frame::of(&m.session),
        },
    )
}

/// The users page after an account change: the notice on success, the error with its status.
async fn users_outcome(
    state: &AppState,
    m: &Member,
    result: Result<User, AppError>,
    done: &str,
) -> WebResult<Response> {
    match result {
        Ok(u) => {
            let notice = format!("{done} {}。", u.login);
            users_page(state, m, StatusCode::OK, None, Some(notice)).await
        }
        // Someone who may not manage accounts sees the refusal, not the list.
        Err(e @ AppError::Forbidden(_)) => Err(e.into()),
        Err(e) => {
            let (status, message) = form_error(&e);
            users_page(state, m, status, Some(message), None).await
        }
    }
}

pub async fn users(
    State(state): State<AppState>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    users_page(&state, &m, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct AddUserForm {
    login: String,
    name: Option<String>,
    role: String,
    password: String,
}

pub async fn add_user_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    Form(f): Form<AddUserForm>,
) -> WebResult<Response> {
    let input = UserInput {
        login: f.login,
        name: f.name,
        role: f.role,
        password: f.password,
    };
    let result = state.app().add_user(&m.actor, &input).await;
    users_outcome(&state, &m, result, "已添加用户").await
}

#[derive(Deserialize)]
pub struct PatchUserForm {
    role: Option<String>,
    disabled: Option<String>,
    password: Option<String>,
}

pub async fn patch_user_submit(
    State(state): State<AppState>,
    UserId(id): UserId,
    PageMember(m): PageMember,
    Form(f): Form<PatchUserForm>,
) -> WebResult<Response> {
    let patch = UserPatch {
        role: f.role.filter(|r| !r.trim().is_empty()),
        disabled: f.disabled.as_deref().map(|d| d == "1"),
        password: f.password.filter(|p| !p.is_empty()),
    };
    let result = state.app().patch_user(&m.actor, id, &patch).await;
    users_outcome(&state, &m, result, "已更新用户").await
}

#[derive(Template)]
#[template(path = "newsroom/password.html")]
struct PasswordPage<'a> {
    links: &'a Links,
    frame: Frame,
    error: Option<String>,
    notice: Option<String>,
}

pub async fn password_form(
    State(state): State<AppState>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    page(
        StatusCode::OK,
        &PasswordPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            error: None,
            notice: None,
        },
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    let result = if f.new != f.confirm {
        Err(AppError::invalid("两次输入的新密码不一致。"))
    } else {
        state
            .app()
            .change_own_password(&m.session, &m.actor, &f.current, &f.new)
            .await
    };
    let (status, error, notice) = match result {
        Ok(()) => (
            StatusCode::OK,
            None,
            Some("密码已修改，其他设备上的登录已退出。".to_string()),
        ),
        Err(e) => {
            let (status, message) = form_error(&e);
            (status, Some(message), None)
        }
    };
    page(
        status,
        &PasswordPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            error,
            notice,
        },
    )
}

//! Account pages: the admin's user list with its forms, and changing one's own password.

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::accounts::users::{UserInput, UserPatch};
use rongmei_core::{Links, Role, User};
use rongmei_store::{AttackedLogin, UserRecord};
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
    /// Logins under attack in the last 15 minutes.
    attacked: Vec<AttackedLogin>,
    /// Every role, one checkbox each, in the order the workflow uses them.
    roles: &'static [Role],
    error: Option<String>,
    notice: Option<String>,
}

impl UsersPage<'_> {
    fn has_role(&self, u: &User, role: &Role) -> bool {
        u.has(*role)
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
    let attacked = state.app().attacked_logins(&m.actor).await?;
    page(
        status,
        &UsersPage {
            links: state.links(),
            users,
            attacked,
            roles: &Role::ALL,
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

/// A users-page form as sent. A plain `Form<…>` struct cannot take the role checkboxes: every
/// ticked box sends its own `role=…`, and a struct field refuses repeats.
struct UserFields(Vec<(String, String)>);

impl UserFields {
    fn parse(body: &[u8]) -> Result<UserFields, AppError> {
        serde_urlencoded::from_bytes(body)
            .map(UserFields)
            .map_err(|_| AppError::Malformed("表单内容无法读取，请刷新页面后重试。".into()))
    }

    fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The ticked roles as the app takes them, `reporter,reviewer1`; none ticked is an empty
    /// string, which the app refuses with its own message.
    fn roles(&self) -> String {
        self.0
            .iter()
            .filter(|(k, v)| k == "role" && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect::<Vec<_>>()
            .join(",")
    }
}

pub async fn users(
    State(state): State<AppState>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    users_page(&state, &m, StatusCode::OK, None, None).await
}

pub async fn add_user_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    body: Bytes,
) -> WebResult<Response> {
    let result = match UserFields::parse(&body) {
        Ok(f) => {
            let input = UserInput {
                login: f.one("login").unwrap_or_default().to_string(),
                name: f.one("name").map(str::to_string),
                role: f.roles(),
                password: f.one("password").unwrap_or_default().to_string(),
            };
            state.app().add_user(&m.actor, &input).await
        }
        Err(e) => Err(e),
    };
    users_outcome(&state, &m, result, "已添加用户").await
}

pub async fn patch_user_submit(
    State(state): State<AppState>,
    UserId(id): UserId,
    PageMember(m): PageMember,
    body: Bytes,
) -> WebResult<Response> {
    let result = match UserFields::parse(&body) {
        Ok(f) => {
            // The form always shows every role's box, so nothing ticked means "no roles", which
            // the app refuses, rather than "leave the roles alone".
            let patch = UserPatch {
                role: Some(f.roles()),
                disabled: f.one("disabled").map(|d| d == "1"),
                password: f
                    .one("password")
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
            };
            state.app().patch_user(&m.actor, id, &patch).await
        }
        Err(e) => Err(e),
    };
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

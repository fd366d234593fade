//! Adding and changing accounts: admins (or the command line) only, each change in the audit log.

use rongmei_core::{Role, User};
use rongmei_store::{AttackedLogin, Store, UserRecord};
use serde::Deserialize;
use serde_json::json;

use rongmei_core::user::{MAX_LOGIN_CHARS, MAX_PASSWORD_CHARS, normalize_login, validate_name};

use super::passwords::{hash_password, verify_password};
use crate::articles::input::check_chars;

/// A role list names at most five roles; anything longer is not one.
const MAX_ROLE_CHARS: usize = 100;
use super::sessions::Session;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// A new account.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UserInput {
    pub login: String,
    #[serde(default)]
    pub name: Option<String>,
    /// One role or a comma-separated list.
    #[schema(
        pattern = r"^ *(reporter|reviewer1|reviewer2|chief|admin)( *, *(reporter|reviewer1|reviewer2|chief|admin))* *$"
    )]
    pub role: String,
    pub password: String,
}

/// A change to an account; fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct UserPatch {
    #[serde(default)]
    #[schema(
        pattern = r"^ *(reporter|reviewer1|reviewer2|chief|admin)( *, *(reporter|reviewer1|reviewer2|chief|admin))* *$"
    )]
    pub role: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub password: Option<String>,
}

impl App {
    /// Every account (admins only).
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<UserRecord>, AppError> {
        actor.require_any(&[Role::Admin])?;
        Ok(self.store().list_users().await?)
    }

    /// Logins that failed to sign in at least [`super::limiter::ATTACK_FAILURES`] times in the
    /// last window, most failures first (admins only): who is being attacked, from how many
    /// addresses. Such a login is slowed down for those addresses, never shut out.
    pub async fn attacked_logins(&self, actor: &Actor) -> Result<Vec<AttackedLogin>, AppError> {
        actor.require_any(&[Role::Admin])?;
        let since = chrono::Utc::now().timestamp_millis() - super::limiter::WINDOW_MS;
        Ok(self
            .store()
            .attacked_logins(since, super::limiter::ATTACK_FAILURES)
            .await?)
    }

    /// Adds an account (admins only); see [`add_user`].
    pub async fn add_user(&self, actor: &Actor, input: &UserInput) -> Result<User, AppError> {
        add_user(self.store(), actor, input).await
    }

    /// Changes an account's roles, enabled state or password (admins only).
    pub async fn patch_user(
        &self,
        actor: &Actor,
        id: i64,
        patch: &UserPatch,
    ) -> Result<User, AppError> {
        actor.require_any(&[Role::Admin])?;
        let store = self.store();
        let target = store
            .user(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("没有编号为 {id} 的用户")))?;
        let is_self = actor.as_user().is_some_and(|u| u.id == target.id);
        if let Some(r) = &patch.role {
            check_chars("role", "角色", r, MAX_ROLE_CHARS)?;
            let roles = Role::parse_list(r).map_err(|e| AppError::field("role", e))?;
            if is_self && !roles.contains(&Role::Admin) {
                return Err(AppError::Conflict("不能取消自己的管理员角色".into()));
            }
            store.set_user_roles(id, &roles).await?;
        }
        if let Some(d) = patch.disabled {
            if is_self && d {
                return Err(AppError::Conflict("不能停用自己的账号".into()));
            }
            store.set_user_disabled(id, d).await?;
        }
        if let Some(p) = &patch.password {
            rongmei_core::user::validate_password(p).map_err(|e| AppError::field("password", e))?;
            let hash = hash_password(p.clone()).await?;
            store.set_password_hash(id, &hash, None).await?;
        }
        store
            .audit_account(
                actor.as_user(),
                actor.login(),
                "user_change",
                &actor.ip,
                json!({"login": target.login, "role": patch.role, "disabled": patch.disabled, "password_reset": patch.password.is_some()}),
            )
            .await?;
        store
            .user(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("没有编号为 {id} 的用户")))
    }

    /// Changes one's own password; every other session of the account ends.
    pub async fn change_own_password(
        &self,
        session: &Session,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        check_chars("current", "当前密码", current, MAX_PASSWORD_CHARS)?;
        rongmei_core::user::validate_password(new).map_err(|e| AppError::field("new", e))?;
        let user = &session.user;
        let hash = self
            .store()
            .password_hash(user.id)
            .await?
            .unwrap_or_default();
        if !verify_password(current.to_string(), hash).await? {
            return Err(AppError::Forbidden("当前密码不正确".into()));
        }
        let new_hash = hash_password(new.to_string()).await?;
        self.store()
            .set_password_hash(user.id, &new_hash, Some(&session.token_hash))
            .await?;
        self.store()
            .audit_account(Some(user), &user.login, "password", &actor.ip, json!({}))
            .await?;
        Ok(())
    }
}

/// The one way accounts are made: validated login, roles and password, an argon2id hash, and an
/// audit line naming the admin (or the command line). It needs no search index, so the command
/// line can add accounts while a server runs.
pub async fn add_user(store: &Store, actor: &Actor, input: &UserInput) -> Result<User, AppError> {
    actor.require_any(&[Role::Admin])?;
    check_chars("login", "登录名", input.login.trim(), MAX_LOGIN_CHARS)?;
    let login = &normalize_login(&input.login);
    rongmei_core::user::validate_login(login).map_err(|e| AppError::field("login", e))?;
    check_chars("role", "角色", &input.role, MAX_ROLE_CHARS)?;
    let roles = Role::parse_list(&input.role).map_err(|e| AppError::field("role", e))?;
    rongmei_core::user::validate_password(&input.password)
        .map_err(|e| AppError::field("password", e))?;
    let name = input
        .name
        .as_deref()
        .map(rongmei_html::sanitize_text_field)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| login.to_string());
    validate_name(&name).map_err(|e| AppError::field("name", e))?;
    let hash = hash_password(input.password.clone()).await?;
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
            actor.as_user(),
            actor.login(),
            "user_add",
            &actor.ip,
            json!({"login": user.login, "roles": user.roles}),
        )
        .await?;
    Ok(user)
}

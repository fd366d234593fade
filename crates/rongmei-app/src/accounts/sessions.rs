//! Signing in and out: database sessions (a cookie for browsers, the same token as a bearer for
//! the API) and lockouts that hold on every node because failures are counted in the database.

use rongmei_core::User;

use super::passwords::{DUMMY_HASH, random_token, token_hash, verify_password};
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// Sessions last a working week; signing out or changing the password ends them sooner.
pub const SESSION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
pub const LOCKOUT_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_FAILURES: i64 = 10;

/// A signed-in member, as a request's token resolves.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// The stored hash of the token, to end this session.
    pub token_hash: String,
    pub csrf_token: String,
}

/// A successful sign-in: the token is shown once, only its hash is kept.
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub csrf_token: String,
}

impl App {
    /// Checks credentials with a database-held lockout: after [`MAX_FAILURES`] failures for a
    /// login within [`LOCKOUT_WINDOW_MS`], every attempt is refused without checking the
    /// password, so the lockout does not become an oracle.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<SignedIn, AppError> {
        if !self.sign_ins().allow(ip) {
            return Err(AppError::RateLimited(
                "too many sign-in attempts from this address; try again in a minute".into(),
            ));
        }
        let store = self.store();
        let login = login.trim();
        let now = chrono::Utc::now().timestamp_millis();
        if store
            .login_failures_since(login, now - LOCKOUT_WINDOW_MS)
            .await?
            >= MAX_FAILURES
        {
            return Err(AppError::RateLimited(
                "too many failed sign-ins for this login; try again in 15 minutes".into(),
            ));
        }
        let found = store.user_for_login(login).await?;
        let hash = match &found {
            Some((_, h)) => h.clone(),
            None => DUMMY_HASH.clone(),
        };
        let ok = verify_password(password.to_string(), hash).await?;
        let user = match found {
            Some((user, _)) if ok && !user.disabled => user,
            _ => {
                store.record_login_failure(login, ip).await?;
                return Err(AppError::Unauthenticated("wrong login or password".into()));
            }
        };
        store.clear_login_failures(login).await?;
        let token = random_token()?;
        let csrf_token = random_token()?;
        store
            .create_session(
                user.id,
                &token_hash(&token),
                &csrf_token,
                SESSION_TTL_MS,
                ip,
                user_agent,
            )
            .await?;
        store
            .audit_account(Some(&user), &user.login, "login", ip, serde_json::json!({}))
            .await?;
        Ok(SignedIn {
            user,
            token,
            csrf_token,
        })
    }

    /// The session a token opens, if any.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Session>, AppError> {
        // Tokens are 64 hex digits; anything else is not worth a database query.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = token_hash(token);
        Ok(self.store().session(&hash).await?.map(|s| Session {
            user: s.user,
            token_hash: hash,
            csrf_token: s.csrf_token,
        }))
    }

    /// Ends this session.
    pub async fn sign_out(&self, session: &Session, actor: &Actor) -> Result<(), AppError> {
        self.store().delete_session(&session.token_hash).await?;
        self.store()
            .audit_account(
                Some(&session.user),
                &session.user.login,
                "logout",
                &actor.ip,
                serde_json::json!({}),
            )
            .await?;
        Ok(())
    }
}

//! Signing in and out: database sessions (a cookie for browsers, the same token as a bearer for
//! the API) and lockouts that hold on every node because failures are counted in the database.

use rongmei_core::User;

use rongmei_core::user::{MAX_LOGIN_CHARS, MAX_PASSWORD_CHARS, normalize_login};

use super::limiter::{self, Verdict};
use super::passwords::{DUMMY_HASH, random_token, token_hash, verify_password};
use crate::actor::Actor;
use crate::app::App;
use crate::articles::input::{check_chars, check_key};
use crate::error::AppError;

/// Sessions last a working week; signing out or changing the password ends them sooner.
pub const SESSION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

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
    /// Checks credentials, throttled fairly (see [`super::limiter`]): a refusal comes before
    /// the password is checked, so it tells an attacker nothing about the password.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<SignedIn, AppError> {
        // Longer input names no account; refused before it reaches the database or the hash.
        check_key("login", "登录名", login.trim(), MAX_LOGIN_CHARS)?;
        check_chars("password", "密码", password, MAX_PASSWORD_CHARS)?;
        if !self.sign_ins().allow(ip) {
            return Err(AppError::RateLimited(
                "本地址登录尝试过于频繁，请一分钟后再试".into(),
                60,
            ));
        }
        let store = self.store();
        let login = &normalize_login(login);
        let now = chrono::Utc::now().timestamp_millis();
        let failures = store
            .sign_in_failures(login, ip, now - limiter::WINDOW_MS)
            .await?;
        if let Verdict::Refuse {
            reason,
            retry_after_ms,
        } = limiter::judge(&failures, now)
        {
            metrics::counter!("rongmei_sign_ins_refused_total").increment(1);
            return Err(AppError::RateLimited(
                reason.message(retry_after_ms),
                limiter::whole_seconds(retry_after_ms),
            ));
        }
        if failures.login >= limiter::ATTACK_FAILURES
            && failures.pair > 0
            && !self.sign_ins().allow_suspect(login)
        {
            metrics::counter!("rongmei_sign_ins_refused_total").increment(1);
            return Err(AppError::RateLimited(
                limiter::Refusal::Backoff.message(1000),
                1,
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
                return Err(AppError::Unauthenticated("登录名或密码错误".into()));
            }
        };
        store.clear_login_failures(login, ip).await?;
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

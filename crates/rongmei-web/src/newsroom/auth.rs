//! Signing in: argon2id passwords, database sessions (a cookie for browsers, the same token as a
//! bearer for the API), CSRF tokens for cookie-authenticated writes, and lockouts that hold on
//! every node because failures are counted in the database.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use rongmei_core::{Role, User};

use crate::AppState;
use crate::error::{ApiError, AppError};

pub const SESSION_COOKIE: &str = "rm_session";
/// Sessions last a working week; signing out or changing the password ends them sooner.
pub const SESSION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
pub const LOCKOUT_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_FAILURES: i64 = 10;
/// Sign-in attempts one client address may make per minute on one node, whatever the logins:
/// the per-login lockout alone would let one address try a password against every login.
pub const SIGN_INS_PER_MINUTE: u32 = 30;

pub struct SignInLimiter(governor::DefaultKeyedRateLimiter<String>);

impl SignInLimiter {
    pub fn new() -> SignInLimiter {
        let per_minute =
            std::num::NonZeroU32::new(SIGN_INS_PER_MINUTE).unwrap_or(std::num::NonZeroU32::MIN);
        SignInLimiter(governor::RateLimiter::keyed(governor::Quota::per_minute(
            per_minute,
        )))
    }

    pub fn forget_idle_clients(&self) {
        self.0.retain_recent();
    }
}

impl Default for SignInLimiter {
    fn default() -> Self {
        Self::new()
    }
}

/// Verifying against this when a login does not exist keeps the answer's timing from telling
/// which logins exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password_blocking("not a real password, only for timing").unwrap_or_default()
});

pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("no randomness for a token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Only this hash of a session token is stored.
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

fn hash_password_blocking(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes); CPU-heavy, so off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// A signed-in request.
#[derive(Debug, Clone)]
pub struct Authed {
    pub user: User,
    pub token_hash: String,
    pub csrf_token: String,
    /// Bearer calls carry their credential explicitly, so a forged cross-site request cannot
    /// make one; only cookie sessions need the CSRF token.
    pub via_bearer: bool,
}

impl Authed {
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.iter().any(|r| self.user.has(*r)) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs one of the roles: {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }

    /// Checks a write made with the session cookie: the token from the form field or the
    /// `X-CSRF-Token` header must match the session's, and the request must not come from
    /// another site.
    pub fn check_csrf(
        &self,
        headers: &HeaderMap,
        form_token: Option<&str>,
    ) -> Result<(), AppError> {
        if self.via_bearer {
            return Ok(());
        }
        check_same_origin(headers)?;
        let given = form_token
            .filter(|t| !t.is_empty())
            .or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))
            .unwrap_or("");
        if !given.is_empty() && constant_time_eq(given.as_bytes(), self.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "missing or wrong CSRF token: reload the page and try again".into(),
            ))
        }
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses requests a browser marks as cross-site, or whose Origin names another host.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), AppError> {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
    {
        return Err(AppError::Forbidden("cross-site request refused".into()));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && origin != "null"
    {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if !origin_host.eq_ignore_ascii_case(host) {
            return Err(AppError::Forbidden(
                "request from another origin refused".into(),
            ));
        }
    }
    Ok(())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Resolves the session of a request, if any.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Authed>, AppError> {
    let (token, via_bearer) = match bearer(headers) {
        Some(t) => (t, true),
        None => match session_cookie(headers) {
            Some(t) => (t, false),
            None => return Ok(None),
        },
    };
    // Tokens are 64 hex digits; anything else is not worth a database query.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = token_hash(token);
    Ok(state.store().session(&hash).await?.map(|s| Authed {
        user: s.user,
        token_hash: hash,
        csrf_token: s.csrf_token,
        via_bearer,
    }))
}

/// API extractor: a JSON 401 without a valid session.
pub struct ApiAuth(pub Authed);

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match authenticate(state, &parts.headers).await? {
            Some(a) => Ok(ApiAuth(a)),
            None => Err(ApiError(AppError::Unauthorized(
                "sign in first: POST /api/v1/session, then send Authorization: Bearer TOKEN".into(),
            ))),
        }
    }
}

/// Page extractor: without a session, a redirect to the sign-in page that comes back here.
pub struct PageAuth(pub Authed);

pub enum LoginRedirect {
    To(String),
    Failed,
}

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        match self {
            LoginRedirect::Failed => {
                ApiError(AppError::Internal("session lookup failed".into())).into_response()
            }
            LoginRedirect::To(next) => Redirect::to(&format!(
                "/newsroom/login?{}",
                serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default()
            ))
            .into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PageAuth {
    type Rejection = LoginRedirect;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, LoginRedirect> {
        match authenticate(state, &parts.headers).await {
            Ok(Some(a)) => Ok(PageAuth(a)),
            Ok(None) => {
                let next = if parts.method == Method::GET {
                    parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_else(|| "/newsroom".into())
                } else {
                    "/newsroom".into()
                };
                Err(LoginRedirect::To(next))
            }
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                Err(LoginRedirect::Failed)
            }
        }
    }
}

/// A successful sign-in.
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub csrf_token: String,
}

/// Checks credentials with a database-held lockout: after [`MAX_FAILURES`] failures for a login
/// within [`LOCKOUT_WINDOW_MS`], every attempt is refused with 429 without checking the password,
/// so the lockout does not become an oracle.
pub async fn sign_in(
    state: &AppState,
    login: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> Result<SignedIn, AppError> {
    if state.sign_ins().0.check_key(&ip.to_string()).is_err() {
        return Err(AppError::TooManyRequests(
            "too many sign-in attempts from this address; try again in a minute".into(),
        ));
    }
    let store = state.store();
    let login = login.trim();
    let now = chrono::Utc::now().timestamp_millis();
    if store
        .login_failures_since(login, now - LOCKOUT_WINDOW_MS)
        .await?
        >= MAX_FAILURES
    {
        return Err(AppError::TooManyRequests(
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
            return Err(AppError::Unauthorized("wrong login or password".into()));
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

pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_TTL_MS / 1000
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("rm_session=; Path=/"))
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("rm_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Whether the browser reached us over HTTPS (directly or through a trusted proxy), so the
/// cookie can be marked Secure.
pub fn is_https(headers: &HeaderMap, trust_proxy: bool) -> bool {
    trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password_blocking("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        let parsed = PasswordHash::new(&h).expect("parse");
        assert!(
            argon2::Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(
            argon2::Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err()
        );
    }

    #[test]
    fn cross_site_writes_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("news.example.edu"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(check_same_origin(&h).is_err());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://news.example.edu"),
        );
        assert!(check_same_origin(&h).is_ok());
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(check_same_origin(&h).is_err());
    }

    #[test]
    fn cookies_are_read_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; rm_session=abc; b=2"),
        );
        assert_eq!(session_cookie(&h), Some("abc"));
    }
}

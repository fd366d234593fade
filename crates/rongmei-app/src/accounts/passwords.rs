//! Argon2id password hashes and random tokens.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;

/// Verifying against this when a login does not exist keeps the answer's timing from telling
/// which logins exist.
pub(crate) static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password_blocking("not a real password, only for timing").unwrap_or_default()
});

/// 32 random bytes as 64 hex digits: session and CSRF tokens.
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

/// Compares every byte whatever the first difference, so timing tells nothing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("password hashing closed: {e}")))?;
    tokio::task::spawn_blocking(move || hash_password_blocking(&password)).await?
}

/// Hashes running at once: one per core. Each takes 19 MiB and a core for tens of
/// milliseconds; a flood of sign-ins would otherwise start hundreds on the blocking pool and
/// run the machine out of memory. Beyond this they queue, in arrival order.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores)
});

pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("password hashing closed: {e}")))?;
    Ok(tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await?)
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
    fn tokens_are_long_random_hex() {
        let a = random_token().expect("token");
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token().expect("token"));
        assert!(constant_time_eq(a.as_bytes(), a.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), b"short"));
    }
}

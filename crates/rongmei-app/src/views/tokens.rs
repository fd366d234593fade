//! The signed token an article page carries, so a copy served from a cache or a static export
//! can still count its view (`POST /api/v1/articles/{id}/views`).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rongmei_store::Store;

use crate::accounts::passwords::constant_time_eq;
use crate::error::AppError;

const KEY_SETTING: &str = "view_token_key";
/// Calls per client address and minute: a reader opening many pages stays well under it, a
/// script hammering the endpoint does not.
const CALLS_PER_MINUTE: u32 = 60;

/// Signs and checks view tokens with a key every node shares through the database.
pub struct ViewTokens {
    key: [u8; 32],
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl ViewTokens {
    pub async fn load(store: &Store) -> Result<ViewTokens, AppError> {
        let hex = store
            .setting_or_init(KEY_SETTING, || {
                let mut key = [0u8; 32];
                if let Err(e) = getrandom::fill(&mut key) {
                    tracing::error!(error = %e, "no system randomness; view tokens use a time-derived key");
                    key = *blake3::hash(format!("{:?}{}", std::time::SystemTime::now(), std::process::id()).as_bytes()).as_bytes();
                }
                key.iter().map(|b| format!("{b:02x}")).collect()
            })
            .await?;
        let mut key = [0u8; 32];
        if hex.len() != 64 {
            return Err(AppError::Internal(
                "stored view token key has the wrong length".into(),
            ));
        }
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| AppError::Internal("stored view token key is not hex".into()))?;
        }
        let per_minute = NonZeroU32::new(CALLS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Ok(ViewTokens {
            key,
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        })
    }

    /// The token for one article: a keyed BLAKE3 MAC of its id.
    pub fn token(&self, article_id: i64) -> String {
        let mac = blake3::keyed_hash(&self.key, format!("rongmei-view:{article_id}").as_bytes());
        mac.to_hex()[..32].to_string()
    }

    /// The key of the reader hash every node computes alike (derived, so it never equals the
    /// token key).
    pub fn visitor_hash_key(&self) -> [u8; 32] {
        blake3::derive_key("rongmei 2026 visitor hash", &self.key)
    }

    pub fn verify(&self, article_id: i64, token: &str) -> bool {
        constant_time_eq(self.token(article_id).as_bytes(), token.as_bytes())
    }

    /// Whether this address may make one more count call now.
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.limiter.check_key(&ip).is_ok()
    }

    pub fn forget_idle_clients(&self) {
        self.limiter.retain_recent();
    }
}

//! How many sign-in attempts one client address may make on one node.

use std::num::NonZeroU32;

/// Sign-in attempts one client address may make per minute on one node, whatever the logins:
/// the per-login lockout alone would let one address try a password against every login.
pub const SIGN_INS_PER_MINUTE: u32 = 30;

pub struct SignInLimiter(governor::DefaultKeyedRateLimiter<String>);

impl SignInLimiter {
    pub fn new() -> SignInLimiter {
        let per_minute = NonZeroU32::new(SIGN_INS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        SignInLimiter(governor::RateLimiter::keyed(governor::Quota::per_minute(
            per_minute,
        )))
    }

    /// Whether one more attempt from `ip` is allowed now.
    pub fn allow(&self, ip: &str) -> bool {
        self.0.check_key(&ip.to_string()).is_ok()
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

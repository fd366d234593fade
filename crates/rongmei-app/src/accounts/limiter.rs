//! How sign-in attempts are throttled: fairly, so that an attacker cannot lock a member out.
//!
//! Failures are kept in the database (every node sees them) and judged per attempt:
//! - ten failures for one login **from one address** within 15 minutes refuse that address
//!   for that login (the contract's lockout, which no longer reaches other addresses);
//! - an address with [`ADDRESS_MAX_FAILURES`] failures in the window, whatever the logins,
//!   is refused (one address guessing across accounts);
//! - a login failing from many addresses is *under attack*: an address that has already failed
//!   for it waits longer before each new try (1 s, 2 s, 4 s … up to a minute), while an address
//!   with no recent failure for it is always let through to the password check — so the real
//!   member signs in from their own machine while the attack goes on, and admins see it.
//!
//! On top of that each node lets one address try [`SIGN_INS_PER_MINUTE`] times a minute, in
//! memory, before anything reaches the database.

use std::num::NonZeroU32;

use rongmei_store::SignInFailures;

/// The window failures are counted in.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures for one login from one address that refuse that pair for the window.
pub const PAIR_MAX_FAILURES: i64 = 10;
/// Failures from one address, any logins, that refuse the address for the window. Campus
/// networks put many people behind one address, so this is well above one person's typos.
pub const ADDRESS_MAX_FAILURES: i64 = 100;
/// Failures for one login, from anywhere, that mark it as under attack.
pub const ATTACK_FAILURES: i64 = 10;
/// The longest wait between tries of an address that failed for a login under attack.
pub const MAX_BACKOFF_MS: i64 = 60 * 1000;

/// What to do with one sign-in attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password.
    Check,
    /// Refuse without checking the password (so the refusal is no oracle), for this long.
    Refuse {
        reason: Refusal,
        retry_after_ms: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures for this login from this address.
    Pair,
    /// Too many failures from this address.
    Address,
    /// The login is under attack and this address failed for it a moment ago.
    Backoff,
}

impl Refusal {
    pub fn message(self, retry_after_ms: i64) -> String {
        let wait = wait_text(retry_after_ms);
        match self {
            Refusal::Pair => format!("该账号在本地址连续登录失败次数过多，请{wait}后再试"),
            Refusal::Address => format!("本地址登录失败次数过多，请{wait}后再试"),
            Refusal::Backoff => format!("该账号正受到异常登录尝试，已放慢验证，请{wait}后再试"),
        }
    }
}

/// A wait in milliseconds as the whole seconds a `Retry-After` names, rounded up.
pub fn whole_seconds(ms: i64) -> u64 {
    u64::try_from((ms + 999) / 1000).unwrap_or(0).max(1)
}

fn wait_text(ms: i64) -> String {
    let secs = whole_seconds(ms);
    if secs >= 60 {
        format!(" {} 分钟", secs.div_ceil(60))
    } else {
        format!(" {secs} 秒")
    }
}

/// The back-off an address waits after its `n`th failure for a login under attack.
pub fn backoff_ms(n: i64) -> i64 {
    let exp = (n - 1).clamp(0, 16) as u32;
    (1000_i64 << exp).min(MAX_BACKOFF_MS)
}

/// Judges one attempt from the failures around it.
pub fn judge(f: &SignInFailures, now_ms: i64) -> Verdict {
    if f.pair >= PAIR_MAX_FAILURES {
        return Verdict::Refuse {
            reason: Refusal::Pair,
            retry_after_ms: WINDOW_MS,
        };
    }
    if f.address >= ADDRESS_MAX_FAILURES {
        return Verdict::Refuse {
            reason: Refusal::Address,
            retry_after_ms: WINDOW_MS,
        };
    }
    if f.login >= ATTACK_FAILURES
        && f.pair > 0
        && let Some(last) = f.pair_last_ms
    {
        let due = last + backoff_ms(f.pair);
        if now_ms < due {
            return Verdict::Refuse {
                reason: Refusal::Backoff,
                retry_after_ms: due - now_ms,
            };
        }
    }
    Verdict::Check
}

/// Sign-in attempts one client address may make per minute on one node, whatever the logins:
/// the per-login lockout alone would let one address try a password against every login.
pub const SIGN_INS_PER_MINUTE: u32 = 30;

/// Password checks per second, per node, for a login under attack from addresses that already
/// failed for it. Their back-off alone still lets a thousand addresses through every few
/// seconds, and each check costs a 19 MiB Argon2 hash; past this budget they wait, so the CPU
/// stays free for first tries — among them the member's own.
pub const SUSPECT_CHECKS_PER_SECOND: u32 = 2;

pub struct SignInLimiter {
    addresses: governor::DefaultKeyedRateLimiter<String>,
    suspects: governor::DefaultKeyedRateLimiter<String>,
}

impl SignInLimiter {
    pub fn new() -> SignInLimiter {
        let per_minute = NonZeroU32::new(SIGN_INS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        let per_second = NonZeroU32::new(SUSPECT_CHECKS_PER_SECOND).unwrap_or(NonZeroU32::MIN);
        SignInLimiter {
            addresses: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
            suspects: governor::RateLimiter::keyed(governor::Quota::per_second(per_second)),
        }
    }

    /// Whether one more attempt from `ip` is allowed now.
    pub fn allow(&self, ip: &str) -> bool {
        self.addresses.check_key(&ip.to_string()).is_ok()
    }

    /// Whether one more password check for `login`, under attack, from an address that failed
    /// for it, fits this second's budget.
    pub fn allow_suspect(&self, login: &str) -> bool {
        self.suspects.check_key(&login.to_string()).is_ok()
    }

    pub fn forget_idle_clients(&self) {
        self.addresses.retain_recent();
        self.suspects.retain_recent();
    }
}

impl Default for SignInLimiter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pair: i64, pair_last_ms: Option<i64>, address: i64, login: i64) -> SignInFailures {
        SignInFailures {
            pair,
            pair_last_ms,
            address,
            login,
        }
    }

    #[test]
    fn ten_failures_from_one_address_lock_that_address_only() {
        assert!(matches!(
            judge(&f(10, Some(0), 10, 10), 1),
            Verdict::Refuse {
                reason: Refusal::Pair,
                ..
            }
        ));
        // The same login from an address that never failed: checked.
        assert_eq!(judge(&f(0, None, 0, 10_000), 1), Verdict::Check);
    }

    #[test]
    fn a_login_under_attack_slows_down_addresses_that_failed() {
        let now = 100_000;
        // Failed a moment ago while the login is under attack: wait.
        assert!(matches!(
            judge(&f(3, Some(now - 1000), 3, 500), now),
            Verdict::Refuse {
                reason: Refusal::Backoff,
                retry_after_ms: 3000
            }
        ));
        // Waited long enough: checked again.
        assert_eq!(judge(&f(3, Some(now - 4000), 3, 500), now), Verdict::Check);
        // Typos while nobody attacks: no back-off.
        assert_eq!(judge(&f(3, Some(now), 3, 3), now), Verdict::Check);
    }

    #[test]
    fn one_address_failing_across_logins_is_refused() {
        assert!(matches!(
            judge(&f(0, None, ADDRESS_MAX_FAILURES, 0), 1),
            Verdict::Refuse {
                reason: Refusal::Address,
                ..
            }
        ));
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        assert_eq!(backoff_ms(1), 1000);
        assert_eq!(backoff_ms(2), 2000);
        assert_eq!(backoff_ms(4), 8000);
        assert_eq!(backoff_ms(9), MAX_BACKOFF_MS);
        assert!(Refusal::Pair.message(WINDOW_MS).contains("15 分钟"));
    }
}

//! This node's sender of webhook requests, the bell that wakes its dispatcher, and the retry
//! schedule. The app holds it; it knows nothing of the app.

use std::time::Duration;

use rongmei_outbound::{TargetPolicy, WebhookSender};
use tokio::sync::Notify;

use crate::error::AppError;

/// The wait after each failed attempt of a round: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
/// 20 h, 20 h — ten attempts over about three days (71.6 h), as the Standard Webhooks
/// guidance suggests, so a receiver down for a long weekend still gets everything.
pub const RETRY_SCHEDULE: [Duration; 9] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(14 * 3600),
    Duration::from_secs(20 * 3600),
    Duration::from_secs(20 * 3600),
];
/// This node's webhook sender and the bell that wakes its dispatcher.
pub struct Webhooks {
    sender: WebhookSender,
    bell: Notify,
    retry_scale: f64,
}

impl Webhooks {
    pub fn new(allow_private: bool, retry_scale: f64) -> Result<Webhooks, AppError> {
        Ok(Webhooks {
            sender: WebhookSender::new(TargetPolicy::system(allow_private))
                .map_err(|e| AppError::Internal(e.to_string()))?,
            bell: Notify::new(),
            retry_scale,
        })
    }

    pub fn sender(&self) -> &WebhookSender {
        &self.sender
    }

    /// Resolves when [`Webhooks::nudge`] was called.
    pub async fn rung(&self) {
        self.bell.notified().await
    }

    pub fn policy(&self) -> &TargetPolicy {
        self.sender.policy()
    }

    /// Something was queued or replayed here: look at the queue now.
    pub fn nudge(&self) {
        self.bell.notify_one();
    }

    /// When the next attempt is due after `failed_in_round` failures of this round, or `None`
    /// when the round is over. ±20 % jitter spreads retries of many deliveries failed together.
    pub fn next_attempt(&self, failed_in_round: usize, now_ms: i64) -> Option<i64> {
        let wait = RETRY_SCHEDULE.get(failed_in_round.checked_sub(1)?)?;
        let mut r = [0u8; 2];
        let jitter = match getrandom::fill(&mut r) {
            Ok(()) => 0.8 + 0.4 * f64::from(u16::from_le_bytes(r)) / f64::from(u16::MAX),
            Err(_) => 1.0,
        };
        Some(now_ms + (wait.as_millis() as f64 * self.retry_scale * jitter) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_last_about_three_days_with_jitter() {
        let total: Duration = RETRY_SCHEDULE.iter().sum();
        let hours = total.as_secs_f64() / 3600.0;
        assert!((66.0..78.0).contains(&hours), "{hours} h");
        let w = Webhooks::new(false, 1.0).expect("webhooks");
        assert_eq!(w.next_attempt(0, 0), None, "no failure, nothing to retry");
        let first = w.next_attempt(1, 0).expect("first retry");
        assert!((4_000..=6_000).contains(&first), "5 s ± 20 %: {first}");
        assert!(w.next_attempt(RETRY_SCHEDULE.len(), 0).is_some());
        assert_eq!(
            w.next_attempt(RETRY_SCHEDULE.len() + 1, 0),
            None,
            "given up"
        );
        let fast = Webhooks::new(false, 0.001).expect("webhooks");
        assert!(fast.next_attempt(1, 0).expect("retry") <= 6);
    }
}

//! One webhook request, signed as the Standard Webhooks specification says: `webhook-id` (the
//! same on every retry), `webhook-timestamp` (this attempt, unix seconds) and
//! `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret in
//! force, space-separated, so a receiver keeps verifying across a secret rotation).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use url::{Host, Url};

use crate::error::OutboundError;
use crate::guard::{GuardedDns, TargetPolicy};

/// A receiver has this long to answer; a slow one is retried later, not waited on.
pub const TIMEOUT: Duration = Duration::from_secs(15);
const SECRET_PREFIX: &str = "whsec_";
/// The specification asks for 24 to 64 bytes of key.
const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// A fresh secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> Result<String, OutboundError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| OutboundError::Client(format!("random: {e}")))?;
    Ok(format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    ))
}

/// Checks a secret an admin supplied.
pub fn validate_secret(secret: &str) -> Result<(), OutboundError> {
    let Some(b64) = secret.strip_prefix(SECRET_PREFIX) else {
        return Err(OutboundError::BadSecret(format!(
            "密钥须以 {SECRET_PREFIX} 开头，后接 base64"
        )));
    };
    let key = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| OutboundError::BadSecret(format!("{SECRET_PREFIX} 之后不是 base64")))?;
    if !SECRET_BYTES.contains(&key.len()) {
        return Err(OutboundError::BadSecret(format!(
            "密钥须为 24 到 64 字节，这个是 {} 字节",
            key.len()
        )));
    }
    Ok(())
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The receiver's status; `None` when it did not answer.
    pub status: Option<u16>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    pub duration: Duration,
}

impl Sent {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Sends webhook requests through one pooled client that follows no redirects (a 3xx is an
/// answer, not a new target to reach) and resolves names through the target policy.
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    policy: TargetPolicy,
}

impl WebhookSender {
    pub fn new(policy: TargetPolicy) -> Result<WebhookSender, OutboundError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            // A proxy would resolve the name itself, out of the policy's reach.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedDns(policy.clone())))
            .user_agent(concat!("Rongmei-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OutboundError::Client(e.to_string()))?;
        Ok(WebhookSender { client, policy })
    }

    pub fn policy(&self) -> &TargetPolicy {
        &self.policy
    }

    /// Signs `payload` with every secret and posts it once.
    pub async fn send(&self, url: &str, msg_id: &str, payload: &str, secrets: &[&str]) -> Sent {
        let started = Instant::now();
        let failed = |error: String| Sent {
            status: None,
            error: Some(error),
            duration: started.elapsed(),
        };
        let target = match Url::parse(url) {
            Ok(u) => u,
            Err(e) => return failed(format!("地址无效：{e}")),
        };
        // Names are checked as they resolve; an address typed in the URL is never resolved.
        if matches!(target.host(), Some(Host::Ipv4(_) | Host::Ipv6(_)))
            && let Err(e) = self.policy.check(&target).await
        {
            return failed(e.to_string());
        }
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let mut signatures = Vec::with_capacity(secrets.len());
        for secret in secrets {
            let signed = standardwebhooks::Webhook::new(secret)
                .and_then(|w| w.sign(msg_id, timestamp, payload.as_bytes()));
            match signed {
                Ok(s) => signatures.push(s),
                Err(e) => return failed(format!("无法签名：{e}")),
            }
        }
        let sent = self
            .client
            .post(target)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(standardwebhooks::HEADER_WEBHOOK_ID, msg_id)
            .header(
                standardwebhooks::HEADER_WEBHOOK_TIMESTAMP,
                timestamp.to_string(),
            )
            .header(
                standardwebhooks::HEADER_WEBHOOK_SIGNATURE,
                signatures.join(" "),
            )
            .body(payload.to_string())
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let error = match status {
                    200..=299 => None,
                    300..=399 => Some(format!(
                        "接收端要求重定向（{status}），不跟随重定向；请把地址改为最终地址"
                    )),
                    _ => Some(format!("接收端回答 {status}")),
                };
                Sent {
                    status: Some(status),
                    error,
                    duration: started.elapsed(),
                }
            }
            Err(e) => failed(describe(&e)),
        }
    }
}

/// A failed request in the words of the delivery log.
fn describe(e: &reqwest::Error) -> String {
    // The policy's refusal travels as the source of the connection error.
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        format!("{} 秒内没有回答（超时）", TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("无法连接：{chain}")
    } else {
        format!("发送失败：{chain}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_checked() {
        let a = new_secret().expect("secret");
        let b = new_secret().expect("secret");
        assert_ne!(a, b);
        validate_secret(&a).expect("a made secret is valid");
        assert!(validate_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(validate_secret("whsec_c2hvcnQ=").is_err(), "5 bytes");
        assert!(validate_secret("whsec_!!!").is_err());
    }

    #[test]
    fn signatures_verify_with_the_reference_library() {
        let secret = new_secret().expect("secret");
        let sig = standardwebhooks::Webhook::new(&secret)
            .and_then(|w| w.sign("msg_1", 1_700_000_000, br#"{"a":1}"#))
            .expect("sign");
        assert!(sig.starts_with("v1,"));
    }
}

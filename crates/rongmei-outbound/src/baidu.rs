//! Baidu's active push (普通收录 API): `POST {endpoint}?site=…&token=…` with one URL a line,
//! at most 2,000 a request. The answer is JSON: `{"success": n, "remain": n, "not_same_site":
//! […], "not_valid": […]}`, or `{"error": code, "message": "…"}` (`over quota` when the day's
//! allowance is spent).

use std::time::Duration;

use serde::Deserialize;

/// Baidu takes at most this many URLs in one request.
pub const MAX_URLS: usize = 2000;

/// A push the site's settings describe.
#[derive(Debug, Clone)]
pub struct BaiduTarget {
    /// `http://data.zz.baidu.com/urls` in service; a local stand-in in tests.
    pub endpoint: String,
    /// The site as registered in Baidu's webmaster tools (`news.example.edu.cn`).
    pub site: String,
    pub token: String,
}

/// What Baidu accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PushReply {
    #[serde(default)]
    pub success: u64,
    /// Pushes left today.
    #[serde(default)]
    pub remain: Option<u64>,
    #[serde(default)]
    pub not_same_site: Vec<String>,
    #[serde(default)]
    pub not_valid: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The day's allowance is spent; try again tomorrow.
    #[error("百度推送配额已用完：{0}")]
    OverQuota(String),
    /// Baidu refused the request itself (a wrong token, a site not verified): retrying soon will
    /// not help.
    #[error("百度拒绝推送（{status}）：{message}")]
    Refused { status: u16, message: String },
    /// No answer, or one that cannot be read: try again.
    #[error("百度推送失败：{0}")]
    Failed(String),
}

#[derive(Deserialize)]
struct ErrorReply {
    error: i64,
    #[serde(default)]
    message: String,
}

#[derive(Clone)]
pub struct BaiduPusher {
    client: reqwest::Client,
    target: BaiduTarget,
}

impl BaiduPusher {
    pub fn new(target: BaiduTarget) -> Result<BaiduPusher, crate::error::OutboundError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Rongmei/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| crate::error::OutboundError::Client(e.to_string()))?;
        Ok(BaiduPusher { client, target })
    }

    /// Pushes at most [`MAX_URLS`] URLs (more is the caller's mistake and is refused here).
    pub async fn push(&self, urls: &[String]) -> Result<PushReply, PushError> {
        if urls.len() > MAX_URLS {
            return Err(PushError::Failed(format!(
                "一次最多推送 {MAX_URLS} 个地址，这次有 {} 个",
                urls.len()
            )));
        }
        let resp = self
            .client
            .post(&self.target.endpoint)
            .query(&[
                ("site", self.target.site.as_str()),
                ("token", self.target.token.as_str()),
            ])
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body(urls.join("\n"))
            .send()
            .await
            .map_err(|e| PushError::Failed(e.to_string()))?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .map_err(|e| PushError::Failed(e.to_string()))?;
        if let Ok(e) = serde_json::from_str::<ErrorReply>(&text) {
            let message = if e.message.is_empty() {
                text.clone()
            } else {
                e.message
            };
            return Err(if message.contains("over quota") {
                PushError::OverQuota(message)
            } else if (400..500).contains(&e.error) || (400..500).contains(&status) {
                PushError::Refused {
                    status: u16::try_from(e.error).unwrap_or(status),
                    message,
                }
            } else {
                PushError::Failed(message)
            });
        }
        if !(200..300).contains(&status) {
            return Err(PushError::Failed(format!(
                "{status}: {}",
                text.chars().take(200).collect::<String>()
            )));
        }
        serde_json::from_str(&text)
            .map_err(|e| PushError::Failed(format!("无法读取百度的回答（{e}）：{text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn more_than_two_thousand_urls_are_refused_before_sending() {
        // Port 9 (discard) on loopback: were anything sent, the error would be a connection's.
        let pusher = BaiduPusher::new(BaiduTarget {
            endpoint: "http://127.0.0.1:9/urls".into(),
            site: "news.example.edu.cn".into(),
            token: "t".into(),
        })
        .expect("client");
        let urls: Vec<String> = (0..=MAX_URLS)
            .map(|i| format!("https://news.example.edu.cn/articles/{i}"))
            .collect();
        let err = pusher.push(&urls).await.expect_err("too many");
        assert!(err.to_string().contains("一次最多推送 2000"), "{err}");
    }
}

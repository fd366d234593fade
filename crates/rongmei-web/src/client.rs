//! Who is asking: the client address (behind a trusted local proxy too) and whether the request
//! is a person reading, as opposed to a crawler, a link preview or a prefetch.

use std::net::{IpAddr, SocketAddr};
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;

static BOTS: LazyLock<isbot::Bots> = LazyLock::new(isbot::Bots::default);

/// Link-preview fetchers that isbot's list may not name; they fetch a page when a link is pasted
/// into a chat, and nobody has read anything yet.
const PREVIEW_AGENTS: &[&str] = &[
    "facebookexternalhit",
    "whatsapp",
    "telegrambot",
    "slackbot",
    "slack-imgproxy",
    "discordbot",
    "twitterbot",
    "skypeuripreview",
    "linkedinbot",
    "embedly",
    "vkshare",
    "pinterest",
    "bitlybot",
    "iframely",
    "preview",
];

pub fn client_ip(headers: &HeaderMap, peer: SocketAddr, trust_proxy: bool) -> IpAddr {
    if trust_proxy
        && peer.ip().is_loopback()
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|s| s.trim().parse::<IpAddr>().ok())
    {
        return first;
    }
    peer.ip()
}

pub fn user_agent(headers: &HeaderMap) -> &str {
    headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// True when a request must not count as a view.
pub fn is_not_a_reader(headers: &HeaderMap) -> bool {
    let ua = user_agent(headers);
    if ua.trim().is_empty() {
        return true;
    }
    let prefetch = ["purpose", "sec-purpose", "x-purpose", "x-moz"]
        .iter()
        .any(|h| {
            headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    let v = v.to_ascii_lowercase();
                    v.contains("prefetch") || v.contains("preview") || v.contains("prerender")
                })
        });
    if prefetch {
        return true;
    }
    let lower = ua.to_ascii_lowercase();
    PREVIEW_AGENTS.iter().any(|p| lower.contains(p)) || BOTS.is_bot(ua)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_ua(ua: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(USER_AGENT, HeaderValue::from_str(ua).unwrap());
        h
    }

    #[test]
    fn readers_and_bots() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert!(!is_not_a_reader(&with_ua(chrome)));
        let wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40";
        assert!(!is_not_a_reader(&with_ua(wechat)));
        for bot in [
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
            "facebookexternalhit/1.1",
            "TelegramBot (like TwitterBot)",
            "curl/8.0",
            "python-requests/2.31",
            "",
        ] {
            assert!(is_not_a_reader(&with_ua(bot)), "{bot}");
        }
        let mut h = with_ua(chrome);
        h.insert(
            "sec-purpose",
            HeaderValue::from_static("prefetch;prerender"),
        );
        assert!(is_not_a_reader(&h));
    }

    #[test]
    fn forwarded_for_only_from_loopback_when_trusted() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 10.0.0.1"),
        );
        let lo: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let far: SocketAddr = "198.51.100.1:5000".parse().unwrap();
        assert_eq!(client_ip(&h, lo, true).to_string(), "203.0.113.9");
        assert_eq!(client_ip(&h, lo, false).to_string(), "127.0.0.1");
        assert_eq!(client_ip(&h, far, true).to_string(), "198.51.100.1");
    }
}

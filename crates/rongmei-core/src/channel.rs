//! Where a reader came from, for analytics: web search, WeChat, Weibo, feeds, direct, or other.

use chrono::{DateTime, Datelike, TimeZone, Utc};

use crate::time::SHANGHAI;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Search,
    Wechat,
    Weibo,
    Feed,
    Direct,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Search,
        Channel::Wechat,
        Channel::Weibo,
        Channel::Feed,
        Channel::Direct,
        Channel::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Search => "search",
            Channel::Wechat => "wechat",
            Channel::Weibo => "weibo",
            Channel::Feed => "feed",
            Channel::Direct => "direct",
            Channel::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Search => "搜索引擎",
            Channel::Wechat => "微信",
            Channel::Weibo => "微博",
            Channel::Feed => "订阅源",
            Channel::Direct => "直接访问",
            Channel::Other => "其他网站",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// `utm_source` wins when present (campaign links say where they were posted); otherwise the
    /// referring host decides; the WeChat in-app browser often sends no referrer at all.
    pub fn classify(
        referrer: Option<&str>,
        utm_source: Option<&str>,
        user_agent: &str,
        own_host: Option<&str>,
    ) -> Channel {
        if let Some(utm) = utm_source
            .map(|u| u.trim().to_ascii_lowercase())
            .filter(|u| !u.is_empty())
        {
            return match utm.as_str() {
                u if u.contains("wechat") || u.contains("weixin") || u == "wx" => Channel::Wechat,
                u if u.contains("weibo") => Channel::Weibo,
                u if u.contains("rss") || u.contains("atom") || u.contains("feed") => Channel::Feed,
                u if SEARCH_HOSTS
                    .iter()
                    .any(|h| u.contains(h.split('.').next().unwrap_or(h))) =>
                {
                    Channel::Search
                }
                _ => Channel::Other,
            };
        }
        let host = referrer.and_then(host_of).map(|h| h.to_ascii_lowercase());
        match host.as_deref() {
            Some(h) if own_host.is_some_and(|own| h == own.split(':').next().unwrap_or(own)) => {
                if user_agent.contains("MicroMessenger") {
                    Channel::Wechat
                } else {
                    Channel::Direct
                }
            }
            Some(h) if ends_with_any(h, WECHAT_HOSTS) => Channel::Wechat,
            Some(h) if ends_with_any(h, WEIBO_HOSTS) => Channel::Weibo,
            Some(h) if ends_with_any(h, FEED_HOSTS) => Channel::Feed,
            Some(h)
                if SEARCH_HOSTS.iter().any(|s| {
                    h == *s || h.ends_with(&format!(".{s}")) || h.contains(&format!(".{s}."))
                }) =>
            {
                Channel::Search
            }
            Some(_) => Channel::Other,
            None if user_agent.contains("MicroMessenger") => Channel::Wechat,
            None if user_agent.contains("Weibo") => Channel::Weibo,
            None => Channel::Direct,
        }
    }
}

const SEARCH_HOSTS: &[&str] = &[
    "baidu.com",
    "google.com",
    "bing.com",
    "sogou.com",
    "so.com",
    "sm.cn",
    "yandex.ru",
    "duckduckgo.com",
    "yahoo.com",
    "google",
];
const WECHAT_HOSTS: &[&str] = &["weixin.qq.com", "wechat.com", "weixin.com"];
const WEIBO_HOSTS: &[&str] = &["weibo.com", "weibo.cn", "t.cn"];
const FEED_HOSTS: &[&str] = &[
    "feedly.com",
    "inoreader.com",
    "newsblur.com",
    "theoldreader.com",
];

fn ends_with_any(host: &str, list: &[&str]) -> bool {
    list.iter()
        .any(|s| host == *s || host.ends_with(&format!(".{s}")))
}

fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// Start of the Asia/Shanghai day containing `t`, as unix seconds: the daily analytics bucket.
pub fn day_bucket(t: DateTime<Utc>) -> i64 {
    let local = t.with_timezone(&SHANGHAI);
    SHANGHAI
        .with_ymd_and_hms(local.year(), local.month(), local.day(), 0, 0, 0)
        .single()
        .map(|d| d.timestamp())
        .unwrap_or_else(|| t.timestamp() - t.timestamp().rem_euclid(86_400))
}

pub fn hour_bucket(t: DateTime<Utc>) -> i64 {
    t.timestamp() - t.timestamp().rem_euclid(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels() {
        let c = |r: Option<&str>, u: Option<&str>, ua: &str| {
            Channel::classify(r, u, ua, Some("news.example.edu.cn"))
        };
        assert_eq!(
            c(Some("https://www.baidu.com/s?wd=x"), None, ""),
            Channel::Search
        );
        assert_eq!(
            c(Some("https://www.google.com.hk/"), None, ""),
            Channel::Search
        );
        assert_eq!(
            c(Some("https://cn.bing.com/search?q=1"), None, ""),
            Channel::Search
        );
        assert_eq!(
            c(Some("https://mp.weixin.qq.com/s/abc"), None, ""),
            Channel::Wechat
        );
        assert_eq!(
            c(None, None, "Mozilla/5.0 MicroMessenger/8.0"),
            Channel::Wechat
        );
        assert_eq!(c(Some("https://weibo.com/123"), None, ""), Channel::Weibo);
        assert_eq!(c(Some("https://feedly.com/i/x"), None, ""), Channel::Feed);
        assert_eq!(c(None, Some("rss"), ""), Channel::Feed);
        assert_eq!(
            c(Some("https://www.baidu.com/"), Some("weibo"), ""),
            Channel::Weibo
        );
        assert_eq!(c(None, None, "Mozilla/5.0"), Channel::Direct);
        assert_eq!(
            c(Some("https://news.example.edu.cn/columns/news"), None, ""),
            Channel::Direct
        );
        assert_eq!(c(Some("https://example.org/x"), None, ""), Channel::Other);
        assert_eq!(c(Some("not a url"), None, ""), Channel::Direct);
    }

    #[test]
    fn buckets_follow_shanghai_days() {
        let t = Utc.with_ymd_and_hms(2024, 1, 1, 17, 30, 0).unwrap(); // 01:30 on Jan 2 in Shanghai
        assert_eq!(
            day_bucket(t),
            SHANGHAI
                .with_ymd_and_hms(2024, 1, 2, 0, 0, 0)
                .unwrap()
                .timestamp()
        );
        assert_eq!(
            hour_bucket(t),
            Utc.with_ymd_and_hms(2024, 1, 1, 17, 0, 0)
                .unwrap()
                .timestamp()
        );
    }
}

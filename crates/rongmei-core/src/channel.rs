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
            // A name of up to four letters (`so` for so.com, `sm` for sm.cn, `atom`) counts
            // as a whole word only: `lesson`, `classmates` and `anatomy` name no search engine
            // or feed; longer names count inside a tag too (`baidu_sem`, `jsonfeed`).
            let names = |name: &str| {
                if name.len() > 4 {
                    utm.contains(name)
                } else {
                    utm.split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|w| w == name)
                }
            };
            return match utm.as_str() {
                u if u.contains("wechat") || u.contains("weixin") || u == "wx" => Channel::Wechat,
                u if u.contains("weibo") => Channel::Weibo,
                u if u.contains("rss") || u.contains("feed") || names("atom") => Channel::Feed,
                _ if SEARCH_HOSTS
                    .iter()
                    .any(|h| names(h.split('.').next().unwrap_or(h))) =>
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

    fn from_site(referrer: Option<&str>, utm: Option<&str>, ua: &str) -> Channel {
        Channel::classify(referrer, utm, ua, Some("news.xjtu.edu.cn"))
    }

    #[test]
    fn channels_are_stored_by_name_and_shown_in_chinese() {
        let named: Vec<(&str, &str)> = Channel::ALL
            .into_iter()
            .map(|c| (c.as_str(), c.label()))
            .collect();
        assert_eq!(
            named,
            [
                ("search", "搜索引擎"),
                ("wechat", "微信"),
                ("weibo", "微博"),
                ("feed", "订阅源"),
                ("direct", "直接访问"),
                ("other", "其他网站"),
            ]
        );
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("douyin"), None);
        assert_eq!(Channel::parse("微信"), None);
        assert_eq!(Channel::parse(""), None);
    }

    #[test]
    fn a_campaign_tag_names_the_channel_whatever_the_referrer() {
        let baidu = Some("https://www.baidu.com/s?wd=西迁精神");
        assert_eq!(from_site(baidu, Some("wechat"), ""), Channel::Wechat);
        assert_eq!(
            from_site(baidu, Some("weixin_moments"), ""),
            Channel::Wechat
        );
        assert_eq!(from_site(baidu, Some("WX"), ""), Channel::Wechat);
        assert_eq!(from_site(baidu, Some(" Weibo "), ""), Channel::Weibo);
        assert_eq!(from_site(baidu, Some("rss"), ""), Channel::Feed);
        assert_eq!(from_site(baidu, Some("atom"), ""), Channel::Feed);
        assert_eq!(from_site(baidu, Some("jsonfeed"), ""), Channel::Feed);
        assert_eq!(from_site(None, Some("baidu_sem"), ""), Channel::Search);
        assert_eq!(from_site(None, Some("bing"), ""), Channel::Search);
        assert_eq!(from_site(None, Some("so"), ""), Channel::Search);
        assert_eq!(from_site(None, Some("sm_cpc"), ""), Channel::Search);
    }

    #[test]
    fn a_short_engine_name_inside_a_word_is_no_search() {
        for tag in [
            "lesson",
            "alumni_association",
            "classmates",
            "anatomy_class",
        ] {
            assert_eq!(from_site(None, Some(tag), ""), Channel::Other, "{tag}");
        }
        assert_eq!(
            from_site(Some("https://mp.weixin.qq.com/s/x"), Some("douban"), ""),
            Channel::Other
        );
    }

    #[test]
    fn a_blank_campaign_tag_leaves_the_referrer_to_decide() {
        assert_eq!(
            from_site(Some("https://m.weibo.cn/status/1"), Some(""), ""),
            Channel::Weibo
        );
        assert_eq!(
            from_site(
                Some("https://www.sogou.com/web?query=交大"),
                Some("   "),
                ""
            ),
            Channel::Search
        );
        assert_eq!(from_site(None, Some(""), "Mozilla/5.0"), Channel::Direct);
    }

    #[test]
    fn the_referring_host_decides_without_a_campaign_tag() {
        for (referrer, want) in [
            ("https://baidu.com/link?url=abc", Channel::Search),
            ("https://www.baidu.com/link?url=abc", Channel::Search),
            ("https://m.sm.cn/s?q=交大", Channel::Search),
            ("https://www.google.com.hk/", Channel::Search),
            ("https://WWW.BING.COM/search?q=xjtu", Channel::Search),
            ("https://weixin.qq.com/", Channel::Wechat),
            ("https://mp.weixin.qq.com/s/abc", Channel::Wechat),
            ("https://weibo.com/u/123", Channel::Weibo),
            ("https://m.weibo.cn/status/456", Channel::Weibo),
            ("https://user:pw@t.cn:443/A6x", Channel::Weibo),
            ("https://feedly.com/i/subscription", Channel::Feed),
            ("https://www.inoreader.com/article/1", Channel::Feed),
            ("https://www.zhihu.com/question/1", Channel::Other),
            ("https://notweibo.com/x", Channel::Other),
            ("https://www.douban.com/group/topic/1", Channel::Other),
            ("https:///no-host", Channel::Direct),
        ] {
            assert_eq!(from_site(Some(referrer), None, ""), want, "{referrer}");
        }
    }

    #[test]
    fn our_own_pages_count_as_direct_unless_read_inside_wechat() {
        let own = Some("https://news.xjtu.edu.cn/columns/zong-he-xin-wen");
        assert_eq!(from_site(own, None, "Mozilla/5.0"), Channel::Direct);
        assert_eq!(
            from_site(own, None, "Mozilla/5.0 MicroMessenger/8.0.47"),
            Channel::Wechat
        );
        assert_eq!(
            Channel::classify(
                Some("http://news.xjtu.edu.cn:8080/articles/7"),
                None,
                "",
                Some("news.xjtu.edu.cn:8080")
            ),
            Channel::Direct
        );
        assert_eq!(
            Channel::classify(own, None, "", None),
            Channel::Other,
            "without a configured host, our own pages are just another site"
        );
    }

    #[test]
    fn without_a_referrer_the_app_tells() {
        assert_eq!(
            from_site(None, None, "Mozilla/5.0 MicroMessenger/8.0"),
            Channel::Wechat
        );
        assert_eq!(
            from_site(None, None, "Mozilla/5.0 Weibo (iPhone)"),
            Channel::Weibo
        );
        assert_eq!(
            from_site(None, None, "Mozilla/5.0 Chrome/120"),
            Channel::Direct
        );
    }

    #[test]
    fn a_time_at_the_edge_of_the_calendar_falls_back_to_the_utc_day() {
        // Shanghai midnight before the first representable instant does not exist.
        let t = DateTime::<Utc>::MIN_UTC + chrono::Duration::hours(3);
        assert_eq!(day_bucket(t), DateTime::<Utc>::MIN_UTC.timestamp());
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

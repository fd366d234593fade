//! Counted views as the analytics pages show them: a daily chart, top articles over several
//! spans, columns, referral channels, one article's days and hours, and a CSV export; and what
//! readers searched for and could not find, per day.

use std::fmt::Write as _;

use chrono::{TimeZone, Utc};
use rongmei_core::channel::{day_bucket, hour_bucket};
use rongmei_core::{Channel, SHANGHAI};
use rongmei_store::{ChannelViews, ColumnViews, SearchDay, TopArticle};

use crate::app::App;
use crate::error::AppError;

const DAY: i64 = 86_400;

/// Days of readers' searches the overview shows, today included.
const SEARCH_DAYS: u64 = 7;

/// Queries in each of a day's search lists.
const SEARCH_LIST: usize = 10;

pub struct ChannelRow {
    pub label: &'static str,
    pub views: i64,
}

/// The whole site's numbers.
pub struct Overview {
    /// One bar a day, labelled.
    pub days: Vec<(String, i64)>,
    pub top: Vec<(&'static str, Vec<TopArticle>)>,
    pub columns: Vec<ColumnViews>,
    pub channels: Vec<ChannelRow>,
    /// Readers' searches of the last days, today first, one entry a day (empty lists on a day
    /// without searches).
    pub searches: Vec<SearchDay>,
}

/// One article's numbers.
pub struct ArticleStats {
    pub id: i64,
    pub title: String,
    pub views: i64,
    pub raw: i64,
    pub days: Vec<(String, i64)>,
    pub hours: Vec<(String, i64)>,
    pub channels: Vec<ChannelRow>,
}

/// One bar per bucket from `first` to `last` (steps of `step` seconds), empty buckets at zero,
/// labelled in Shanghai time with `label`.
fn bucket_points(
    series: &[(i64, i64)],
    first: i64,
    last: i64,
    step: i64,
    label: &str,
) -> Vec<(String, i64)> {
    (0..)
        .map(|i| first + i * step)
        .take_while(|b| *b <= last)
        .map(|b| {
            let v = series
                .iter()
                .filter(|(x, _)| *x == b)
                .map(|(_, n)| *n)
                .sum();
            let text = SHANGHAI
                .timestamp_opt(b, 0)
                .single()
                .map(|t| t.format(label).to_string())
                .unwrap_or_default();
            (text, v)
        })
        .collect()
}

fn channel_rows(v: &[ChannelViews]) -> Vec<ChannelRow> {
    v.iter()
        .map(|c| ChannelRow {
            label: Channel::parse(&c.channel)
                .map(Channel::label)
                .unwrap_or("其他"),
            views: c.views,
        })
        .collect()
}

fn parse_day(raw: Option<&str>, default: i64) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| SHANGHAI.from_local_datetime(&t).single())
            .map(|t| t.timestamp())
            .ok_or_else(|| AppError::Malformed(format!("日期格式应为 2024-05-01，而不是 {s:?}"))),
    }
}

/// Quotes a CSV field when it needs it (RFC 4180). A cell a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: a title such as
/// `=HYPERLINK(…)`) gets a leading `'`, as OWASP's CSV-injection advice says, so it shows as
/// the text it is.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl App {
    /// The last 30 days of the whole site.
    pub async fn analytics_overview(&self) -> Result<Overview, AppError> {
        let store = self.store();
        let now = self.now();
        let today = day_bucket(now);
        let from_30 = today - 29 * DAY;
        let series = store.views_series("day", from_30, None).await?;
        let top = vec![
            (
                "24 小时",
                store
                    .top_articles_since("hour", hour_bucket(now) - 23 * 3600, 10)
                    .await?,
            ),
            (
                "7 天",
                store.top_articles_since("day", today - 6 * DAY, 10).await?,
            ),
            ("30 天", store.top_articles_since("day", from_30, 10).await?),
            (
                "全部",
                store
                    .most_viewed(10)
                    .await?
                    .into_iter()
                    .map(|a| TopArticle {
                        id: a.id,
                        title: a.title,
                        views: a.views,
                    })
                    .collect(),
            ),
        ];
        Ok(Overview {
            days: bucket_points(&series, from_30, today, DAY, "%m-%d"),
            top,
            columns: store.column_totals().await?,
            channels: channel_rows(&store.channel_totals("day", from_30, None).await?),
            searches: self.search_days(now).await?,
        })
    }

    /// The last [`SEARCH_DAYS`] Shanghai days of readers' searches, today first, each day
    /// present even without searches so the page reads as a calendar.
    async fn search_days(&self, now: chrono::DateTime<Utc>) -> Result<Vec<SearchDay>, AppError> {
        let today = crate::search_log::shanghai_day(now);
        let first = today - chrono::Days::new(SEARCH_DAYS - 1);
        let mut found = self
            .store()
            .search_query_report(first, today, SEARCH_LIST)
            .await?;
        Ok((0..SEARCH_DAYS)
            .map(|back| today - chrono::Days::new(back))
            .map(|day| match found.iter().position(|d| d.day == day) {
                Some(i) => found.swap_remove(i),
                None => SearchDay {
                    day,
                    top: Vec::new(),
                    no_full: Vec::new(),
                    no_result: Vec::new(),
                },
            })
            .collect())
    }

    /// One article: counted and raw views, 90 days, 48 hours, channels.
    pub async fn analytics_article(&self, n: i64) -> Result<ArticleStats, AppError> {
        let store = self.store();
        let article = store
            .article(n)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("没有编号为 {n} 的文章。")))?;
        let (views, raw) = store.view_counts(n).await?.unwrap_or((article.views, 0));
        let now = self.now();
        let today = day_bucket(now);
        let from_90 = today - 89 * DAY;
        let daily = store.views_series("day", from_90, Some(n)).await?;
        let this_hour = hour_bucket(now);
        let hourly = store
            .views_series("hour", this_hour - 47 * 3600, Some(n))
            .await?;
        Ok(ArticleStats {
            id: n,
            title: article.title,
            views: views + self.counter().unflushed(n),
            raw,
            days: bucket_points(&daily, from_90, today, DAY, "%m-%d"),
            hours: bucket_points(&hourly, this_hour - 47 * 3600, this_hour, 3600, "%H时"),
            channels: channel_rows(&store.channel_totals("day", 0, Some(n)).await?),
        })
    }

    /// Counted views per day, article and channel between two days (`YYYY-MM-DD`, the last 30
    /// days by default), as CSV (RFC 4180, with a byte-order mark so spreadsheet programs read
    /// the Chinese titles as UTF-8).
    pub async fn analytics_csv(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<String, AppError> {
        let today = day_bucket(self.now());
        let from = parse_day(from, today - 29 * DAY)?;
        let to = parse_day(to, today)?;
        let rows = self.store().daily_rows(from, to).await?;
        let mut out = String::from("\u{feff}date,article_id,title,channel,views\r\n");
        for r in rows {
            let date = SHANGHAI
                .timestamp_opt(r.bucket, 0)
                .single()
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let _ = write!(
                out,
                "{date},{},{},{},{}\r\n",
                r.article_id,
                csv_field(&r.title),
                r.channel,
                r.views
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn formulas_are_written_as_text() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"点我\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\""
        );
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("交大新闻, 今日"), "\"交大新闻, 今日\"");
        assert_eq!(csv_field("普通标题"), "普通标题");
    }
}

//! The analytics pages (浏览统计): charts and tables of counted views, and readers' searches
//! (读者搜索) with what they could not find.

use askama::Template;
use rongmei_app::analytics::{ArticleStats, ChannelRow, Overview};
use rongmei_store::{ColumnViews, QueryCounts, SearchDay, TopArticle};

use crate::chart::bar_chart;
use crate::error::RenderError;
use crate::pages::{Chrome, Renderer};

#[derive(Template)]
#[template(path = "analytics.html")]
struct OverviewPage<'a> {
    site: Chrome<'a>,
    chart: String,
    total_30d: i64,
    top: &'a [(&'static str, Vec<TopArticle>)],
    columns: &'a [ColumnViews],
    channels: &'a [ChannelRow],
    search_days: Vec<SearchDayLists<'a>>,
}

/// A query as a list shows it: linked to the public search page for it, with its count.
struct QueryLink<'a> {
    query: &'a str,
    href: String,
    count: u64,
}

/// One day of readers' searches: most searched, found partial matches only, found nothing.
struct SearchDayLists<'a> {
    day: String,
    top: Vec<QueryLink<'a>>,
    no_full: Vec<QueryLink<'a>>,
    no_result: Vec<QueryLink<'a>>,
}

#[derive(Template)]
#[template(path = "analytics_article.html")]
struct ArticleStatsPage<'a> {
    site: Chrome<'a>,
    id: i64,
    title: &'a str,
    views: i64,
    raw: i64,
    daily_chart: String,
    hourly_chart: String,
    channels: &'a [ChannelRow],
}

impl Renderer {
    fn query_links<'a>(
        &self,
        list: &'a [QueryCounts],
        count: fn(&QueryCounts) -> u64,
    ) -> Vec<QueryLink<'a>> {
        list.iter()
            .map(|q| QueryLink {
                query: &q.query,
                href: self
                    .links()
                    .search(&serde_urlencoded::to_string([("q", &q.query)]).unwrap_or_default()),
                count: count(q),
            })
            .collect()
    }

    fn search_day_lists<'a>(&self, days: &'a [SearchDay]) -> Vec<SearchDayLists<'a>> {
        days.iter()
            .map(|d| SearchDayLists {
                day: d.day.format("%Y-%m-%d").to_string(),
                top: self.query_links(&d.top, |q| q.searches),
                no_full: self.query_links(&d.no_full, QueryCounts::partial_only),
                no_result: self.query_links(&d.no_result, |q| q.no_result),
            })
            .collect()
    }

    pub fn analytics_overview(
        &self,
        site: &rongmei_app::site::nav::SiteInfo,
        o: &Overview,
    ) -> Result<String, RenderError> {
        Ok(OverviewPage {
            site: self.chrome(site),
            chart: bar_chart(&o.days, "近 30 天全站浏览量"),
            total_30d: o.days.iter().map(|(_, v)| v).sum(),
            top: &o.top,
            columns: &o.columns,
            channels: &o.channels,
            search_days: self.search_day_lists(&o.searches),
        }
        .render()?)
    }

    pub fn analytics_article(
        &self,
        site: &rongmei_app::site::nav::SiteInfo,
        s: &ArticleStats,
    ) -> Result<String, RenderError> {
        Ok(ArticleStatsPage {
            site: self.chrome(site),
            id: s.id,
            title: &s.title,
            views: s.views,
            raw: s.raw,
            daily_chart: bar_chart(&s.days, "近 90 天每日浏览量"),
            hourly_chart: bar_chart(&s.hours, "近 48 小时每小时浏览量"),
            channels: &s.channels,
        }
        .render()?)
    }
}

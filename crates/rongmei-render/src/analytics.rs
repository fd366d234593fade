//! The analytics pages (浏览统计): charts and tables of counted views.

use askama::Template;
use rongmei_app::analytics::{ArticleStats, ChannelRow, Overview};
use rongmei_store::{ColumnViews, TopArticle};

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

//! What sitemaps list: every published article with the time its title or body last changed and
//! its first picture (both kept in their own columns when the article is written), in one query
//! that reads no bodies.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use sqlx::Row;

use crate::articles::published_time;
use crate::db::{Result, Store};

/// One published article as a sitemap lists it.
#[derive(Debug, Clone)]
pub struct SitemapArticle {
    pub id: i64,
    pub title: String,
    pub published_at: Option<DateTime<FixedOffset>>,
    /// When the title or body last changed as readers see it: the publication, or a later edit.
    pub lastmod: DateTime<Utc>,
    /// The first picture's address as stored (site path or absolute URL).
    pub image: Option<String>,
}

impl Store {
    /// Every published article, oldest id first.
    pub async fn sitemap_articles(&self) -> Result<Vec<SitemapArticle>> {
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.published_at, a.published_offset, a.content_at, a.created_at, \
             a.cover FROM articles a WHERE a.status = 'published' ORDER BY a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let published_at = published_time(
                    row.try_get("published_at")?,
                    row.try_get("published_offset")?,
                );
                let lastmod = lastmod(
                    published_at.as_ref(),
                    row.try_get("content_at")?,
                    row.try_get("created_at")?,
                );
                Ok(SitemapArticle {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                    published_at,
                    lastmod,
                    image: row.try_get("cover")?,
                })
            })
            .collect()
    }
}

/// When an article last changed as a crawler sees it: an edit before publication is not news to
/// a crawler; one after it is.
pub(crate) fn lastmod(
    published_at: Option<&DateTime<FixedOffset>>,
    content_at: Option<i64>,
    created_at: i64,
) -> DateTime<Utc> {
    let published_ms = published_at.map(|t| t.timestamp_millis());
    let ms = match (published_ms, content_at) {
        (Some(p), Some(c)) => p.max(c),
        (Some(p), None) => p,
        (None, Some(c)) => c,
        (None, None) => created_at,
    };
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

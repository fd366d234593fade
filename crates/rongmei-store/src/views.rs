//! View counts and their time series: written in batches of atomic increments, read by the
//! analytics pages.

use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store};

/// Views one node counted for one article since its last flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleViews {
    pub id: i64,
    pub counted: i64,
    /// Every reader request, repeats included.
    pub raw: i64,
}

/// Counted views for one time-series row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatDelta {
    pub article_id: i64,
    /// `day` or `hour`.
    pub period: &'static str,
    pub bucket: i64,
    pub channel: &'static str,
    pub views: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewBatch {
    pub articles: Vec<ArticleViews>,
    pub stats: Vec<StatDelta>,
}

impl ViewBatch {
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty() && self.stats.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopArticle {
    pub id: i64,
    pub title: String,
    pub views: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnViews {
    pub slug: String,
    pub name: String,
    pub articles: i64,
    pub views: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelViews {
    pub channel: String,
    pub views: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatRow {
    pub bucket: i64,
    pub article_id: i64,
    pub title: String,
    pub channel: String,
    pub views: i64,
}

/// Hourly rows are kept this long; days are kept for good.
pub const HOURLY_RETENTION_SECS: i64 = 49 * 3600;

impl Store {
    /// Adds counted views with atomic increments (`views = views + n`), so any number of nodes
    /// add up exactly.
    pub async fn add_views(&self, deltas: &[(i64, i64)]) -> Result<()> {
        let articles = deltas
            .iter()
            .map(|(id, n)| ArticleViews {
                id: *id,
                counted: *n,
                raw: *n,
            })
            .collect();
        self.record_views(&ViewBatch {
            articles,
            stats: Vec::new(),
        })
        .await
    }

    /// Writes one flush of the view counter in a single transaction.
    pub async fn record_views(&self, batch: &ViewBatch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for a in &batch.articles {
            sqlx::query(
                "UPDATE articles SET views = views + $1, views_raw = views_raw + $2 WHERE id = $3",
            )
            .bind(a.counted)
            .bind(a.raw)
            .bind(a.id)
            .execute(&mut *tx)
            .await?;
        }
        for s in &batch.stats {
            sqlx::query(
                "INSERT INTO view_stats (article_id, period, bucket, channel, views) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (article_id, period, bucket, channel) DO UPDATE SET views = view_stats.views + excluded.views",
            )
            .bind(s.article_id)
            .bind(s.period)
            .bind(s.bucket)
            .bind(s.channel)
            .bind(s.views)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn prune_hourly_stats(&self, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM view_stats WHERE period = 'hour' AND bucket < $1")
            .bind(now - HOURLY_RETENTION_SECS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counted and raw views of an article.
    pub async fn view_counts(&self, id: i64) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query("SELECT views, views_raw FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("views")?, r.try_get("views_raw")?)))
            .transpose()
    }

    /// A shared setting, created with `init` by whichever node asks first.
    pub async fn setting_or_init(
        &self,
        name: &str,
        init: impl FnOnce() -> String,
    ) -> Result<String> {
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(init())
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Site-wide counted views per bucket of `period` from `from` on (article filter optional).
    pub async fn views_series(
        &self,
        period: &str,
        from: i64,
        article: Option<i64>,
    ) -> Result<Vec<(i64, i64)>> {
        let sql = match article {
            Some(_) => {
                "SELECT bucket, CAST(SUM(views) AS BIGINT) AS n FROM view_stats WHERE period = $1 AND bucket >= $2 AND article_id = $3 GROUP BY bucket ORDER BY bucket"
            }
            None => {
                "SELECT bucket, CAST(SUM(views) AS BIGINT) AS n FROM view_stats WHERE period = $1 AND bucket >= $2 GROUP BY bucket ORDER BY bucket"
            }
        };
        let mut q = sqlx::query(sql).bind(period).bind(from);
        if let Some(a) = article {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("bucket")?, sum(r)?)))
            .collect()
    }

    pub async fn channel_totals(
        &self,
        period: &str,
        from: i64,
        article: Option<i64>,
    ) -> Result<Vec<ChannelViews>> {
        let sql = match article {
            Some(_) => {
                "SELECT channel, CAST(SUM(views) AS BIGINT) AS n FROM view_stats WHERE period = $1 AND bucket >= $2 AND article_id = $3 GROUP BY channel ORDER BY n DESC"
            }
            None => {
                "SELECT channel, CAST(SUM(views) AS BIGINT) AS n FROM view_stats WHERE period = $1 AND bucket >= $2 GROUP BY channel ORDER BY n DESC"
            }
        };
        let mut q = sqlx::query(sql).bind(period).bind(from);
        if let Some(a) = article {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(ChannelViews {
                    channel: r.try_get("channel")?,
                    views: sum(r)?,
                })
            })
            .collect()
    }

    /// Most viewed articles within a window of the time series.
    pub async fn top_articles_since(
        &self,
        period: &str,
        from: i64,
        limit: i64,
    ) -> Result<Vec<TopArticle>> {
        let rows = sqlx::query(
            "SELECT s.article_id AS id, a.title AS title, CAST(SUM(s.views) AS BIGINT) AS n FROM view_stats s JOIN articles a ON a.id = s.article_id \
             WHERE s.period = $1 AND s.bucket >= $2 GROUP BY s.article_id, a.title ORDER BY n DESC, s.article_id LIMIT $3",
        )
        .bind(period)
        .bind(from)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TopArticle {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    views: sum(r)?,
                })
            })
            .collect()
    }

    /// Views per column over all time (the imported counts included).
    pub async fn column_totals(&self) -> Result<Vec<ColumnViews>> {
        let rows = sqlx::query(
            "SELECT c.slug AS slug, c.name AS name, COUNT(a.id) AS articles, CAST(COALESCE(SUM(a.views), 0) AS BIGINT) AS n FROM columns c \
             JOIN articles a ON a.column_id = c.id AND a.status = 'published' GROUP BY c.slug, c.name ORDER BY n DESC, c.slug",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ColumnViews {
                    slug: r.try_get("slug")?,
                    name: r.try_get("name")?,
                    articles: r.try_get("articles")?,
                    views: sum(r)?,
                })
            })
            .collect()
    }

    /// Daily rows for the CSV export, oldest first.
    pub async fn daily_rows(&self, from: i64, to: i64) -> Result<Vec<StatRow>> {
        let rows = sqlx::query(
            "SELECT s.bucket AS bucket, s.article_id AS article_id, a.title AS title, s.channel AS channel, s.views AS n \
             FROM view_stats s JOIN articles a ON a.id = s.article_id WHERE s.period = 'day' AND s.bucket >= $1 AND s.bucket <= $2 \
             ORDER BY s.bucket, s.article_id, s.channel",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StatRow {
                    bucket: r.try_get("bucket")?,
                    article_id: r.try_get("article_id")?,
                    title: r.try_get("title")?,
                    channel: r.try_get("channel")?,
                    views: sum(r)?,
                })
            })
            .collect()
    }
}

/// The `n` column: sums are cast to BIGINT in SQL so both backends hand back an integer.
fn sum(r: &sqlx::any::AnyRow) -> Result<i64> {
    Ok(r.try_get("n")?)
}

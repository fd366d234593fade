//! View counts and their time series: written in batches of atomic increments, read by the
//! analytics pages.

use std::collections::{HashMap, HashSet};

use rongmei_core::channel::{day_bucket, hour_bucket};
use serde::Serialize;
use sqlx::Row;

use crate::db::{Result, Store};

/// One reader's view as a node saw it, waiting to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Keyed hash of (article, client address, User-Agent), the same on every node.
    pub visitor: i64,
    pub article_id: i64,
    /// Keyed hash of (article, client address, window start), the same on every node: one
    /// address adds at most a ceiling of views to one article per window, whatever its
    /// User-Agents.
    pub address: i64,
    pub channel: &'static str,
    /// Unix seconds.
    pub at: i64,
}

/// One flush of a node's view counter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewBatch {
    /// Readers this node counted; the database drops those another node counted within the window.
    pub visits: Vec<Visit>,
    /// Every request that reached counting, per article, repeats and crawlers included.
    pub raw: Vec<(i64, i64)>,
}

impl ViewBatch {
    pub fn is_empty(&self) -> bool {
        self.visits.is_empty() && self.raw.is_empty()
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

/// Readers claimed per statement: two parameters each, well under both backends' limits.
const CLAIM_CHUNK: usize = 1000;

/// Hourly rows are kept this long; days are kept for good.
pub const HOURLY_RETENTION_SECS: i64 = 49 * 3600;

impl Store {
    /// Adds views with atomic increments (`views = views + n`), without per-reader checks: for
    /// corrections and tests.
    pub async fn add_views(&self, deltas: &[(i64, i64)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (id, n) in deltas {
            sqlx::query(
                "UPDATE articles SET views = views + $1, views_raw = views_raw + $1 WHERE id = $2",
            )
            .bind(*n)
            .bind(*id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes one flush in a single transaction: claims each reader in `view_seen` (a reader
    /// another node counted within `window_secs` is dropped), then adds the counted and raw views
    /// with atomic increments and the daily and hourly rows by channel. Returns the views counted
    /// per article.
    pub async fn record_views(
        &self,
        batch: &ViewBatch,
        window_secs: i64,
        per_address: Option<i64>,
    ) -> Result<Vec<(i64, i64)>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut seen_here = HashSet::new();
        let mut visits: Vec<&Visit> = batch
            .visits
            .iter()
            .filter(|v| seen_here.insert(v.visitor))
            .collect();
        // Every node claims readers, and adds to rows, in one order: two flushes holding rows
        // the other wants, taken crosswise, deadlock on PostgreSQL (one of them then fails).
        visits.sort_by_key(|v| v.visitor);
        let mut tx = self.begin_write().await?;
        let mut claimed: HashSet<i64> = HashSet::with_capacity(visits.len());
        for chunk in visits.chunks(CLAIM_CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "INSERT INTO view_seen (visitor, seen_at) VALUES {} ON CONFLICT (visitor) DO UPDATE SET seen_at = excluded.seen_at \
                 WHERE view_seen.seen_at <= excluded.seen_at - {window_secs} RETURNING visitor",
                values.join(", ")
            );
            let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
            for v in chunk {
                q = q.bind(v.visitor).bind(v.at);
            }
            claimed.extend(q.fetch_all(&mut *tx).await?);
        }
        let mut counted: Vec<&Visit> = visits
            .iter()
            .copied()
            .filter(|v| claimed.contains(&v.visitor))
            .collect();
        if let Some(ceiling) = per_address {
            counted = self
                .within_address_ceiling(&mut tx, counted, ceiling, window_secs)
                .await?;
        }
        let mut per_article: HashMap<i64, (i64, i64)> = HashMap::new();
        let mut stats: HashMap<(i64, &'static str, &'static str, i64), i64> = HashMap::new();
        for v in counted {
            per_article.entry(v.article_id).or_default().0 += 1;
            let t = chrono::DateTime::from_timestamp(v.at, 0).unwrap_or_default();
            *stats
                .entry((v.article_id, "hour", v.channel, hour_bucket(t)))
                .or_default() += 1;
            *stats
                .entry((v.article_id, "day", v.channel, day_bucket(t)))
                .or_default() += 1;
        }
        for (id, n) in &batch.raw {
            per_article.entry(*id).or_default().1 += n;
        }
        let mut ids: Vec<i64> = per_article.keys().copied().collect();
        ids.sort_unstable();
        for id in &ids {
            let (counted, raw) = per_article[id];
            sqlx::query(
                "UPDATE articles SET views = views + $1, views_raw = views_raw + $2 WHERE id = $3",
            )
            .bind(counted)
            .bind(raw)
            .bind(*id)
            .execute(&mut *tx)
            .await?;
        }
        let mut stats: Vec<_> = stats.into_iter().collect();
        stats.sort_unstable();
        for ((article_id, period, channel, bucket), n) in &stats {
            sqlx::query(
                "INSERT INTO view_stats (article_id, period, bucket, channel, views) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (article_id, period, bucket, channel) DO UPDATE SET views = view_stats.views + excluded.views",
            )
            .bind(*article_id)
            .bind(*period)
            .bind(*bucket)
            .bind(*channel)
            .bind(*n)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ids
            .into_iter()
            .map(|id| (id, per_article[&id].0))
            .filter(|(_, n)| *n > 0)
            .collect())
    }

    /// Keeps the visits that fit under each address's ceiling for its article and window,
    /// counting them in `view_addresses` (shared by all nodes, so the ceiling holds across
    /// them): an address with `n` views counted so far adds at most `ceiling - n`.
    async fn within_address_ceiling<'v>(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        visits: Vec<&'v Visit>,
        ceiling: i64,
        window_secs: i64,
    ) -> Result<Vec<&'v Visit>> {
        let mut groups: HashMap<i64, Vec<&'v Visit>> = HashMap::new();
        for v in visits {
            groups.entry(v.address).or_default().push(v);
        }
        let mut keys: Vec<i64> = groups.keys().copied().collect();
        // One order on every node, so two flushes never wait on each other's rows crosswise.
        keys.sort_unstable();
        let mut kept = Vec::new();
        for key in keys {
            let group = &groups[&key];
            let added = group.len() as i64;
            let window_start = group[0].at - group[0].at.rem_euclid(window_secs.max(1));
            let total: i64 = sqlx::query_scalar(
                "INSERT INTO view_addresses (key, window_start, n) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET n = view_addresses.n + excluded.n RETURNING n",
            )
            .bind(key)
            .bind(window_start)
            .bind(added)
            .fetch_one(&mut **tx)
            .await?;
            let before = total - added;
            let room = (ceiling - before).clamp(0, added) as usize;
            kept.extend(group.iter().take(room).copied());
        }
        Ok(kept)
    }

    /// Forgets readers whose window has passed, and the per-address counts of past windows.
    pub async fn prune_seen_visitors(&self, before: i64) -> Result<()> {
        sqlx::query("DELETE FROM view_seen WHERE seen_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM view_addresses WHERE window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
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

//! What readers searched for, as per-day aggregates: written in batches of atomic increments by
//! every node, read by the newsroom's analytics and by search suggestions.
//!
//! Only (day, normalised query) and three counts are kept; who searched is never stored.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::Row;

use crate::db::{Result, Store, StoreError};

/// Searches of one normalised query on one day, waiting to be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCount {
    /// The Asia/Shanghai calendar day the searches were made on.
    pub day: NaiveDate,
    pub query: String,
    pub searches: u64,
    /// Searches where no article matched every meaningful word (no result included).
    pub no_full: u64,
    /// Searches that matched nothing at all.
    pub no_result: u64,
}

/// One query's counts over one day, as the report shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryCounts {
    pub query: String,
    pub searches: u64,
    pub no_full: u64,
    pub no_result: u64,
}

impl QueryCounts {
    /// Searches that found partial matches only: no full match, yet something.
    pub fn partial_only(&self) -> u64 {
        self.no_full.saturating_sub(self.no_result)
    }
}

/// One day of the report: each list most frequent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDay {
    pub day: NaiveDate,
    /// Queries by searches.
    pub top: Vec<QueryCounts>,
    /// Queries whose searches found partial matches only, by how often that happened. A query
    /// that found nothing at all is listed under `no_result` instead: the two lists answer
    /// different questions (write a fuller article, or write one at all).
    pub no_full: Vec<QueryCounts>,
    /// Queries that found nothing, by how often.
    pub no_result: Vec<QueryCounts>,
}

/// Rows per upsert statement: five parameters each, well under both backends' limits.
const CHUNK: usize = 500;

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn uncount(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Adds search counts with atomic increments (`searches = searches + n`), in one
    /// transaction, so several nodes flushing the same day and query add up exactly.
    pub async fn add_search_counts(&self, counts: &[SearchCount]) -> Result<()> {
        // One row per key: PostgreSQL refuses an upsert that touches the same row twice.
        let mut merged: HashMap<(NaiveDate, &str), (u64, u64, u64)> = HashMap::new();
        for c in counts {
            let e = merged.entry((c.day, c.query.as_str())).or_default();
            e.0 = e.0.saturating_add(c.searches);
            e.1 = e.1.saturating_add(c.no_full);
            e.2 = e.2.saturating_add(c.no_result);
        }
        if merged.is_empty() {
            return Ok(());
        }
        let rows: Vec<_> = merged.into_iter().collect();
        let mut tx = self.begin_write().await?;
        for chunk in rows.chunks(CHUNK) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = 5 * i;
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO search_query_days (day, query, searches, no_full, no_result) VALUES {} \
                 ON CONFLICT (day, query) DO UPDATE SET \
                 searches = search_query_days.searches + excluded.searches, \
                 no_full = search_query_days.no_full + excluded.no_full, \
                 no_result = search_query_days.no_result + excluded.no_result",
                values.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for ((day, query), (searches, no_full, no_result)) in chunk {
                q = q
                    .bind(day_text(*day))
                    .bind(query.to_string())
                    .bind(count(*searches))
                    .bind(count(*no_full))
                    .bind(count(*no_result));
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Each day from `from_day` to `to_day` (inclusive) that has searches, newest first, with
    /// up to `limit` queries in each of its three lists.
    pub async fn search_query_report(
        &self,
        from_day: NaiveDate,
        to_day: NaiveDate,
        limit: usize,
    ) -> Result<Vec<SearchDay>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // One read ranks every day's rows three ways; only rows that make some list come back.
        let rows = sqlx::query(
            "SELECT day, query, searches, no_full, no_result FROM ( \
               SELECT day, query, searches, no_full, no_result, \
                 ROW_NUMBER() OVER (PARTITION BY day ORDER BY searches DESC, query) AS r_top, \
                 ROW_NUMBER() OVER (PARTITION BY day ORDER BY no_full - no_result DESC, searches DESC, query) AS r_full, \
                 ROW_NUMBER() OVER (PARTITION BY day ORDER BY no_result DESC, searches DESC, query) AS r_none \
               FROM search_query_days WHERE day >= $1 AND day <= $2 \
             ) ranked \
             WHERE r_top <= $3 OR (no_full > no_result AND r_full <= $3) OR (no_result > 0 AND r_none <= $3)",
        )
        .bind(day_text(from_day))
        .bind(day_text(to_day))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut by_day: HashMap<NaiveDate, Vec<QueryCounts>> = HashMap::new();
        for row in rows {
            let day: String = row.try_get("day")?;
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("search_query_days.day {day:?}")))?;
            by_day.entry(day).or_default().push(QueryCounts {
                query: row.try_get("query")?,
                searches: uncount(row.try_get("searches")?),
                no_full: uncount(row.try_get("no_full")?),
                no_result: uncount(row.try_get("no_result")?),
            });
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut days: Vec<SearchDay> = by_day
            .into_iter()
            .map(|(day, rows)| {
                let ranked = |key: fn(&QueryCounts) -> u64| {
                    let mut v: Vec<QueryCounts> =
                        rows.iter().filter(|r| key(r) > 0).cloned().collect();
                    v.sort_by(|a, b| {
                        key(b)
                            .cmp(&key(a))
                            .then(b.searches.cmp(&a.searches))
                            .then(a.query.cmp(&b.query))
                    });
                    v.truncate(limit);
                    v
                };
                SearchDay {
                    day,
                    top: ranked(|r| r.searches),
                    no_full: ranked(QueryCounts::partial_only),
                    no_result: ranked(|r| r.no_result),
                }
            })
            .collect();
        days.sort_by_key(|d| std::cmp::Reverse(d.day));
        Ok(days)
    }

    /// Queries readers ran since `since_day` (inclusive), summed over the days, searched at
    /// least `min_searches` times and not always in vain (some search found something): the
    /// most searched first, at most `limit`. For search suggestions.
    pub async fn popular_queries(
        &self,
        since_day: NaiveDate,
        min_searches: u64,
        limit: usize,
    ) -> Result<Vec<(String, u64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT query, CAST(SUM(searches) AS BIGINT) AS n FROM search_query_days \
             WHERE day >= $1 GROUP BY query \
             HAVING SUM(searches) >= $2 AND SUM(searches) > SUM(no_result) \
             ORDER BY n DESC, query LIMIT $3",
        )
        .bind(day_text(since_day))
        .bind(count(min_searches))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(q, n)| (q, uncount(n))).collect())
    }
}

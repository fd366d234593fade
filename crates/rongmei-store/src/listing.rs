//! The whole public listing in one query, for the static export: every published article's
//! place (column, date) and title, without bodies or summaries, newest first, so that column
//! pages and article neighbours come from memory instead of a query per page.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use rongmei_core::Column;
use sqlx::Row;

use crate::articles::{ARTICLE_COLUMNS, published_time};
use crate::articles::{ArticleSummary, article_from_row};
use crate::db::{Result, Store, placeholders};
use crate::sitemaps::{SitemapArticle, lastmod};
use rongmei_core::Article;

/// One published article as the listing knows it.
#[derive(Debug, Clone)]
pub struct ListedArticle {
    /// Title, label, column and date; the summary is left empty and the views at 0 (neither is
    /// shown on a listing or beside a neighbour link).
    pub summary: ArticleSummary,
    pub column_id: i64,
    /// When the article last changed in the database (milliseconds): an edit, a publication.
    pub updated_at: i64,
    /// When its title or body last changed as a crawler sees it (the sitemaps' `lastmod`).
    pub lastmod: DateTime<Utc>,
    pub cover: Option<String>,
}

impl ListedArticle {
    /// The article as the sitemaps list it.
    pub fn sitemap_entry(&self) -> SitemapArticle {
        SitemapArticle {
            id: self.summary.id,
            title: self.summary.title.clone(),
            published_at: self.summary.published_at,
            lastmod: self.lastmod,
            image: self.cover.clone(),
        }
    }
}

impl Store {
    /// Every published article, newest first (undated last), as column listings order them.
    /// Column names come from memory rather than a join: a row less to decode each time.
    pub async fn site_listing(&self) -> Result<Vec<ListedArticle>> {
        let columns: HashMap<i64, Column> = self
            .list_columns()
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let rows = sqlx::query(
            "SELECT a.id, a.title, a.label, a.published_at, a.published_offset, a.updated_at, \
             a.content_at, a.created_at, a.cover, a.column_id \
             FROM articles a WHERE a.status = 'published' ORDER BY a.sort_key DESC, a.id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let column_id: i64 = row.try_get("column_id")?;
                let column = columns.get(&column_id);
                let published_at = published_time(
                    row.try_get("published_at")?,
                    row.try_get("published_offset")?,
                );
                Ok(ListedArticle {
                    lastmod: lastmod(
                        published_at.as_ref(),
                        row.try_get("content_at")?,
                        row.try_get("created_at")?,
                    ),
                    cover: row.try_get("cover")?,
                    summary: ArticleSummary {
                        id: row.try_get("id")?,
                        title: row.try_get("title")?,
                        label: row.try_get("label")?,
                        column_slug: column.map(|c| c.slug.clone()).unwrap_or_default(),
                        column_name: column.map(|c| c.name.clone()).unwrap_or_default(),
                        published_at,
                        summary: String::new(),
                        views: 0,
                    },
                    column_id,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Tags of published articles with how many articles carry each, most used first.
    pub async fn tag_counts(&self, limit: i64) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT t.tag, COUNT(*) AS n FROM article_tags t \
             JOIN articles a ON a.id = t.article_id AND a.status = 'published' \
             GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// The published articles among `ids`, in no particular order; the others are left out.
    pub async fn published_by_ids(&self, ids: &[i64]) -> Result<Vec<Article>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id \
                 WHERE a.status = 'published' AND a.id IN ({})",
                placeholders(chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                out.push(article_from_row(&row)?);
            }
        }
        Ok(out)
    }
}

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use rongmei_core::{Article, ArticleStatus, Body, Byline, Column};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Backend, Result, Store, StoreError, placeholders};

/// An article as listings show it: no body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub label: Option<String>,
    pub column_slug: String,
    pub column_name: String,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub summary: String,
    pub views: i64,
}

/// A published article with a picture, for 图片新闻.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PictureArticle {
    pub summary: ArticleSummary,
    /// The cover's address as stored (the first picture of the body).
    pub cover: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub total: i64,
    pub items: Vec<T>,
}

/// The sort key of an undated article: after every dated one on both backends.
pub(crate) const UNDATED_SORT_KEY: i64 = i64::MIN;

pub(crate) const ARTICLE_COLUMNS: &str = "a.id, a.title, a.label, a.summary, a.body_json, a.tags_json, a.bylines_json, a.cover, \
     a.published_at, a.published_offset, a.views, a.status, a.source_id, a.created_at, a.updated_at, \
     c.id AS column_id, c.slug AS column_slug, c.name AS column_name, c.parent_id AS column_parent";
pub(crate) const SUMMARY_COLUMNS: &str = "a.id, a.title, a.label, a.summary, a.published_at, a.published_offset, a.views, \
     c.slug AS column_slug, c.name AS column_name";

/// Page numbers beyond this are answered with an empty page instead of a deep scan.
const MAX_OFFSET: i64 = 10_000_000;

pub(crate) fn published_time(
    secs: Option<i64>,
    offset: Option<i64>,
) -> Option<DateTime<FixedOffset>> {
    let secs = secs?;
    let tz =
        FixedOffset::east_opt(offset.unwrap_or(8 * 3600) as i32).unwrap_or(rongmei_core::SHANGHAI);
    tz.timestamp_opt(secs, 0).single()
}

pub(crate) fn millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn json_field<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &str, id: i64) -> Result<T> {
    let text: String = row.try_get(col)?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("article {id}: {col}: {e}")))
}

pub(crate) fn article_from_row(row: &AnyRow) -> Result<Article> {
    let id: i64 = row.try_get("id")?;
    let status: String = row.try_get("status")?;
    Ok(Article {
        id,
        title: row.try_get("title")?,
        label: row.try_get("label")?,
        column: Column {
            id: row.try_get("column_id")?,
            slug: row.try_get("column_slug")?,
            name: row.try_get("column_name")?,
            parent_id: row.try_get("column_parent")?,
        },
        tags: json_field(row, "tags_json", id)?,
        bylines: json_field::<Vec<Byline>>(row, "bylines_json", id)?,
        published_at: published_time(
            row.try_get("published_at")?,
            row.try_get("published_offset")?,
        ),
        summary: row.try_get("summary")?,
        body: json_field::<Body>(row, "body_json", id)?,
        cover: row
            .try_get::<Option<String>, _>("cover")?
            .filter(|c| !c.is_empty()),
        views: row.try_get("views")?,
        status: ArticleStatus::parse(&status).ok_or_else(|| {
            StoreError::Corrupt(format!("article {id}: unknown status {status:?}"))
        })?,
        source_id: row.try_get("source_id")?,
        created_at: millis(row.try_get("created_at")?),
        updated_at: millis(row.try_get("updated_at")?),
    })
}

pub(crate) fn summary_from_row(row: &AnyRow) -> Result<ArticleSummary> {
    Ok(ArticleSummary {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        label: row.try_get("label")?,
        column_slug: row.try_get("column_slug")?,
        column_name: row.try_get("column_name")?,
        published_at: published_time(
            row.try_get("published_at")?,
            row.try_get("published_offset")?,
        ),
        summary: row.try_get("summary")?,
        views: row.try_get("views")?,
    })
}

impl Store {
    /// Any article, whatever its status; callers decide what the public may see.
    pub async fn article(&self, id: i64) -> Result<Option<Article>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id WHERE a.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(article_from_row).transpose()
    }

    /// Published articles, newest first (undated last), optionally within a column and its children.
    pub async fn published(
        &self,
        column_id: Option<i64>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ArticleSummary>> {
        self.published_page(SUMMARY_COLUMNS, column_id, page, per_page, summary_from_row)
            .await
    }

    /// The same listing with whole articles, for the JSON API.
    pub async fn published_full(
        &self,
        column_id: Option<i64>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Article>> {
        self.published_page(ARTICLE_COLUMNS, column_id, page, per_page, article_from_row)
            .await
    }

    async fn published_page<T>(
        &self,
        select: &str,
        column_id: Option<i64>,
        page: i64,
        per_page: i64,
        from_row: fn(&AnyRow) -> Result<T>,
    ) -> Result<Page<T>> {
        // The column and its children by id, so that a column without children (most) reads
        // its own index in order; `IN (SELECT …)` made SQLite walk every published article
        // newest first until it had a page (90 ms a column at 100,000 articles).
        let mut columns = Vec::new();
        if let Some(c) = column_id {
            columns.push(c);
            columns.extend(
                sqlx::query_scalar::<_, i64>("SELECT id FROM columns WHERE parent_id = $1")
                    .bind(c)
                    .fetch_all(&self.pool)
                    .await?,
            );
        }
        let filter = match columns.len() {
            0 => String::new(),
            1 => "AND a.column_id = $1".to_string(),
            n => format!("AND a.column_id IN ({})", placeholders(n)),
        };
        let count_sql =
            format!("SELECT COUNT(*) FROM articles a WHERE a.status = 'published' {filter}");
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
        for c in &columns {
            count = count.bind(*c);
        }
        let total = count.fetch_one(&self.pool).await?;
        let per_page = per_page.clamp(1, 100);
        let offset = page.max(1).saturating_sub(1).saturating_mul(per_page);
        if offset >= total || offset > MAX_OFFSET {
            return Ok(Page {
                total,
                items: Vec::new(),
            });
        }
        let (lim, off) = (columns.len() + 1, columns.len() + 2);
        let sql = format!(
            "SELECT {select} FROM articles a JOIN columns c ON c.id = a.column_id \
             WHERE a.status = 'published' {filter} ORDER BY a.sort_key DESC, a.id DESC LIMIT ${lim} OFFSET ${off}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for c in &columns {
            q = q.bind(*c);
        }
        let rows = q.bind(per_page).bind(offset).fetch_all(&self.pool).await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page { total, items })
    }

    /// The most viewed published articles.
    /// The latest published articles that have a cover, newest first: the home page's 图片新闻.
    pub async fn picture_news(&self, limit: i64) -> Result<Vec<PictureArticle>> {
        // SQLite's planner prefers the date index and walks every article without a cover (0.2 s
        // at 100,000 articles when none has one); the partial index holds only those with one.
        let hint = match self.backend() {
            Backend::Sqlite => "INDEXED BY articles_with_cover",
            Backend::Postgres => "",
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, a.cover FROM articles a {hint} JOIN columns c ON c.id = a.column_id \
             WHERE a.status = 'published' AND a.cover IS NOT NULL AND a.cover <> '' \
             ORDER BY a.sort_key DESC, a.id DESC LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PictureArticle {
                    summary: summary_from_row(r)?,
                    cover: r.try_get("cover")?,
                })
            })
            .collect()
    }

    pub async fn most_viewed(&self, limit: i64) -> Result<Vec<ArticleSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id \
             WHERE a.status = 'published' ORDER BY a.views DESC, a.id DESC LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit.clamp(1, 100))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// The published articles before (newer) and after (older) this one in its column's listing.
    pub async fn neighbours(
        &self,
        article: &Article,
    ) -> Result<(Option<ArticleSummary>, Option<ArticleSummary>)> {
        let key = article
            .published_at
            .map(|t| t.timestamp())
            .unwrap_or(UNDATED_SORT_KEY);
        let newer = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id \
             WHERE a.status = 'published' AND a.column_id = $1 AND (a.sort_key > $2 OR (a.sort_key = $2 AND a.id > $3)) \
             ORDER BY a.sort_key ASC, a.id ASC LIMIT 1"
        );
        let older = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id \
             WHERE a.status = 'published' AND a.column_id = $1 AND (a.sort_key < $2 OR (a.sort_key = $2 AND a.id < $3)) \
             ORDER BY a.sort_key DESC, a.id DESC LIMIT 1"
        );
        let mut out = [None, None];
        for (slot, sql) in out.iter_mut().zip([newer, older]) {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(article.column.id)
                .bind(key)
                .bind(article.id)
                .fetch_optional(&self.pool)
                .await?;
            *slot = row.as_ref().map(summary_from_row).transpose()?;
        }
        let [newer, older] = out;
        Ok((newer, older))
    }

    /// Current view counts of several articles (for listings and the live count).
    pub async fn views_of(&self, id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT views FROM articles WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn count_published(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE status = 'published'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn count_articles(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM articles")
            .fetch_one(&self.pool)
            .await?)
    }
}

impl Store {
    /// Current views of several articles in one query.
    pub async fn views_of_many(&self, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id, views FROM articles WHERE id IN ({})",
                placeholders(chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push((r.try_get("id")?, r.try_get("views")?));
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Published articles with ids above `after_id`, in id order: a keyset page for walking every
    /// article (search rebuilds, exports) without holding them all.
    pub async fn published_after(&self, after_id: i64, limit: i64) -> Result<Vec<Article>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id \
             WHERE a.status = 'published' AND a.id > $1 ORDER BY a.id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after_id)
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(article_from_row).collect()
    }
}

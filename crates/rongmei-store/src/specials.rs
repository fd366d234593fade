//! Specials (专题): what each holds and in which order. Only published articles show; a
//! retracted one leaves every special's page and feed at once, while its place is kept.

use rongmei_core::{Article, Special};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::articles::{
    ARTICLE_COLUMNS, ArticleSummary, SUMMARY_COLUMNS, article_from_row, summary_from_row,
};
use crate::db::{Result, Store, StoreError, now_millis};

/// What an editor sets on a special.
#[derive(Debug, Clone)]
pub struct SpecialInput {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub cover: Option<String>,
    pub position: i64,
    pub featured: bool,
    /// The articles, in the order the special shows them.
    pub articles: Vec<i64>,
}

const SPECIAL_COLUMNS: &str = "id, slug, name, description, cover, position, featured";

fn special_from_row(r: &AnyRow) -> Result<Special> {
    Ok(Special {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        cover: r.try_get("cover")?,
        position: r.try_get("position")?,
        featured: r.try_get::<i64, _>("featured")? != 0,
    })
}

impl Store {
    /// Every special, in the editors' order.
    pub async fn list_specials(&self) -> Result<Vec<Special>> {
        let sql = format!("SELECT {SPECIAL_COLUMNS} FROM specials ORDER BY position, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(special_from_row).collect()
    }

    pub async fn special_by_slug(&self, slug: &str) -> Result<Option<Special>> {
        let sql = format!("SELECT {SPECIAL_COLUMNS} FROM specials WHERE slug = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(special_from_row).transpose()
    }

    /// The article ids of a special in its order, published or not (the editor's list).
    pub async fn special_article_ids(&self, special_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT article_id FROM special_articles WHERE special_id = $1 ORDER BY position, article_id",
        )
        .bind(special_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The published articles of a special, in its order.
    pub async fn special_articles(
        &self,
        special_id: i64,
        limit: i64,
    ) -> Result<Vec<ArticleSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM special_articles s JOIN articles a ON a.id = s.article_id \
             JOIN columns c ON c.id = a.column_id WHERE s.special_id = $1 AND a.status = 'published' \
             ORDER BY s.position, a.sort_key DESC, a.id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(special_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// The same, whole, newest first: a special's feed.
    pub async fn special_feed_articles(&self, special_id: i64, limit: i64) -> Result<Vec<Article>> {
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM special_articles s JOIN articles a ON a.id = s.article_id \
             JOIN columns c ON c.id = a.column_id WHERE s.special_id = $1 AND a.status = 'published' \
             ORDER BY a.sort_key DESC, a.id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(special_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(article_from_row).collect()
    }

    /// Creates the special named by `input.slug`, or replaces what it says and holds: one
    /// transaction. Articles that do not exist are refused by name.
    pub async fn save_special(&self, input: &SpecialInput) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        for id in &input.articles {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM articles WHERE id = $1")
                .bind(*id)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::Invalid(format!("没有编号为 {id} 的稿件")));
            }
        }
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM specials WHERE slug = $1")
            .bind(&input.slug)
            .fetch_optional(&mut *tx)
            .await?;
        let featured = i64::from(input.featured);
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE specials SET name = $1, description = $2, cover = $3, position = $4, featured = $5 \
                     WHERE id = $6",
                )
                .bind(&input.name)
                .bind(&input.description)
                .bind(input.cover.as_deref())
                .bind(input.position)
                .bind(featured)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM special_articles WHERE special_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO specials (slug, name, description, cover, position, featured, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&input.slug)
                .bind(&input.name)
                .bind(&input.description)
                .bind(input.cover.as_deref())
                .bind(input.position)
                .bind(featured)
                .bind(now_millis())
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let mut seen = std::collections::HashSet::new();
        for (position, article) in input.articles.iter().enumerate() {
            if !seen.insert(*article) {
                continue;
            }
            sqlx::query(
                "INSERT INTO special_articles (special_id, article_id, position) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(*article)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Removes a special (its articles stay where they are).
    pub async fn delete_special(&self, slug: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM specials WHERE slug = $1")
            .bind(slug)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

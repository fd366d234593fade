//! Knowledge, read: what one article mentions, and for one entity every published article that
//! mentions it, the roles they give, who else appears with it and the dates of those articles.
//! Only published articles count on the public side: a retraction takes an article out of every
//! entity at once.

use chrono::{DateTime, FixedOffset};
use rongmei_core::EntityKind;
use serde::Serialize;
use sqlx::Row;

use crate::articles::{ArticleSummary, SUMMARY_COLUMNS, published_time, summary_from_row};
use crate::db::{Result, Store, placeholders};
use crate::knowledge::{kind_of, roles_of};

/// A name as one article mentions it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub kind: EntityKind,
    pub written: String,
    /// The entity's name (its page), which the written form leads to.
    pub entity: String,
    pub roles: Vec<String>,
    pub evidence: String,
    /// `extracted`, `confirmed` or `added`.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatedMention {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub written: String,
    pub evidence: String,
}

/// One entity with its written forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityRecord {
    pub id: i64,
    pub kind: EntityKind,
    pub name: String,
    pub aliases: Vec<String>,
}

/// An entity and how many published articles mention it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityCount {
    pub kind: EntityKind,
    pub name: String,
    pub articles: i64,
}

/// A role the articles give an entity, with the first and last article that gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleSpan {
    pub role: String,
    pub first: Option<DateTime<FixedOffset>>,
    pub last: Option<DateTime<FixedOffset>>,
    pub articles: i64,
}

/// A dated event from an article that mentions the entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub date: String,
    pub written: String,
    pub evidence: String,
    pub article_id: i64,
    pub article_title: String,
}

const PUBLISHED_MENTIONS: &str = "SELECT ae.article_id FROM article_entities ae \
     JOIN articles a ON a.id = ae.article_id AND a.status = 'published' WHERE ae.entity_id = $1";

impl Store {
    /// What one article mentions, in the order the article first does.
    pub async fn article_mentions(&self, article_id: i64) -> Result<Vec<Mention>> {
        let rows = sqlx::query(
            "SELECT ae.kind, ae.written, e.name, ae.roles, ae.evidence, ae.origin FROM article_entities ae \
             JOIN entities e ON e.id = ae.entity_id WHERE ae.article_id = $1 ORDER BY ae.position",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Mention {
                    kind: kind_of(&r.try_get::<String, _>("kind")?)?,
                    written: r.try_get("written")?,
                    entity: r.try_get("name")?,
                    roles: roles_of(&r.try_get::<String, _>("roles")?),
                    evidence: r.try_get("evidence")?,
                    origin: r.try_get("origin")?,
                })
            })
            .collect()
    }

    pub async fn article_dates(&self, article_id: i64) -> Result<Vec<DatedMention>> {
        let rows = sqlx::query(
            "SELECT on_date, written, evidence FROM article_dates WHERE article_id = $1 ORDER BY on_date",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DatedMention {
                    date: r.try_get("on_date")?,
                    written: r.try_get("written")?,
                    evidence: r.try_get("evidence")?,
                })
            })
            .collect()
    }

    /// Whether the article's knowledge has been extracted from its current version.
    pub async fn knowledge_current(&self, article_id: i64) -> Result<bool> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM knowledge_state k JOIN articles a ON a.id = k.article_id \
             WHERE k.article_id = $1 AND k.extracted_from = a.updated_at",
        )
        .bind(article_id)
        .fetch_one(&self.pool)
        .await?
            > 0)
    }

    pub async fn entity(&self, id: i64) -> Result<Option<EntityRecord>> {
        let Some(row) = sqlx::query("SELECT id, kind, name FROM entities WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let aliases = sqlx::query_scalar(
            "SELECT alias FROM entity_aliases WHERE entity_id = $1 ORDER BY alias",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(EntityRecord {
            id: row.try_get("id")?,
            kind: kind_of(&row.try_get::<String, _>("kind")?)?,
            name: row.try_get("name")?,
            aliases,
        }))
    }

    /// Published articles mentioning the entity, newest first, and how many there are.
    pub async fn entity_articles(
        &self,
        entity_id: i64,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ArticleSummary>, i64)> {
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(DISTINCT article_id) FROM ({PUBLISHED_MENTIONS}) m"
        )))
        .bind(entity_id)
        .fetch_one(&self.pool)
        .await?;
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id \
             WHERE a.status = 'published' AND a.id IN (SELECT article_id FROM article_entities WHERE entity_id = $1) \
             ORDER BY a.sort_key DESC, a.id DESC LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(entity_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let items = rows.iter().map(summary_from_row).collect::<Result<_>>()?;
        Ok((items, total))
    }

    /// The roles published articles give the entity, in the order they were first given.
    pub async fn entity_roles(&self, entity_id: i64) -> Result<Vec<RoleSpan>> {
        let rows = sqlx::query(
            "SELECT ae.roles, a.published_at, a.published_offset FROM article_entities ae \
             JOIN articles a ON a.id = ae.article_id AND a.status = 'published' \
             WHERE ae.entity_id = $1 AND ae.roles <> '[]' ORDER BY a.sort_key, a.id",
        )
        .bind(entity_id)
        .fetch_all(&self.pool)
        .await?;
        let mut spans: Vec<RoleSpan> = Vec::new();
        for r in &rows {
            let at = published_time(r.try_get("published_at")?, r.try_get("published_offset")?);
            for role in roles_of(&r.try_get::<String, _>("roles")?) {
                match spans.iter_mut().find(|s| s.role == role) {
                    Some(s) => {
                        s.articles += 1;
                        if at.is_some() {
                            s.last = at;
                            s.first = s.first.or(at);
                        }
                    }
                    None => spans.push(RoleSpan {
                        role,
                        first: at,
                        last: at,
                        articles: 1,
                    }),
                }
            }
        }
        Ok(spans)
    }

    /// Entities that published articles mention together with this one, most shared first.
    pub async fn related_entities(&self, entity_id: i64, limit: i64) -> Result<Vec<EntityCount>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT e.kind, e.name, COUNT(DISTINCT x.article_id) AS n FROM article_entities x \
             JOIN entities e ON e.id = x.entity_id \
             WHERE x.article_id IN ({PUBLISHED_MENTIONS}) AND x.entity_id <> $1 \
             GROUP BY e.kind, e.name ORDER BY n DESC, e.name LIMIT $2"
        )))
        .bind(entity_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(count_from_row).collect()
    }

    /// Dates given by published articles that mention the entity, newest first.
    pub async fn entity_timeline(&self, entity_id: i64, limit: i64) -> Result<Vec<TimelineEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT d.on_date, d.written, d.evidence, a.id, a.title FROM article_dates d \
             JOIN articles a ON a.id = d.article_id \
             WHERE d.article_id IN ({PUBLISHED_MENTIONS}) ORDER BY d.on_date DESC, a.id DESC LIMIT $2"
        )))
        .bind(entity_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TimelineEntry {
                    date: r.try_get("on_date")?,
                    written: r.try_get("written")?,
                    evidence: r.try_get("evidence")?,
                    article_id: r.try_get("id")?,
                    article_title: r.try_get("title")?,
                })
            })
            .collect()
    }

    /// Entities of a kind that published articles mention (whose name contains `q`, when
    /// given), most mentioned first.
    pub async fn list_entities(
        &self,
        kind: EntityKind,
        q: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<EntityCount>> {
        let rows = sqlx::query(
            "SELECT e.kind, e.name, COUNT(DISTINCT ae.article_id) AS n FROM entities e \
             JOIN article_entities ae ON ae.entity_id = e.id \
             JOIN articles a ON a.id = ae.article_id AND a.status = 'published' \
             WHERE e.kind = $1 AND ($2 = '' OR e.name LIKE $3) \
             GROUP BY e.kind, e.name ORDER BY n DESC, e.name LIMIT $4 OFFSET $5",
        )
        .bind(kind.as_str())
        .bind(q)
        .bind(format!("%{}%", q.replace(['%', '_'], "")))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(count_from_row).collect()
    }

    /// Published articles that mention every one of these entities (a search facet).
    pub async fn articles_mentioning_all(&self, entity_ids: &[i64]) -> Result<Vec<i64>> {
        if entity_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT ae.article_id FROM article_entities ae JOIN articles a ON a.id = ae.article_id \
             AND a.status = 'published' WHERE ae.entity_id IN ({}) GROUP BY ae.article_id \
             HAVING COUNT(DISTINCT ae.entity_id) = {}",
            placeholders(entity_ids.len()),
            entity_ids.len()
        );
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for id in entity_ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }
}

fn count_from_row(r: &sqlx::any::AnyRow) -> Result<EntityCount> {
    Ok(EntityCount {
        kind: kind_of(&r.try_get::<String, _>("kind")?)?,
        name: r.try_get("name")?,
        articles: r.try_get("n")?,
    })
}

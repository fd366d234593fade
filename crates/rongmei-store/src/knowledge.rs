//! Knowledge, written: what extraction found in an article (replaced whole on each extraction),
//! the editors' corrections (never touched by extraction), and the alias table that leads every
//! written form to one entity (merge, split, rename).

use rongmei_core::{EntityKind, User, Verdict};
use sqlx::Row;

use crate::audit::{AuditLine, audit};
use crate::db::{Result, Store, StoreError, now_millis, placeholders};

/// One name an article mentions, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMention {
    pub kind: EntityKind,
    /// As the article writes it.
    pub written: String,
    /// The name of the entity a form not seen before starts (the full name of an alias group).
    pub canonical: String,
    pub roles: Vec<String>,
    pub evidence: String,
    /// `extracted`, or the editors' verdict that put it there (`confirmed`, `added`).
    pub origin: &'static str,
}

/// A calendar date an article gives, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDate {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub written: String,
    pub evidence: String,
}

/// An editor's verdict on one written form in one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub kind: EntityKind,
    pub written: String,
    pub verdict: Verdict,
    pub roles: Vec<String>,
}

/// What extraction reads of an article.
#[derive(Debug, Clone)]
pub struct ExtractionSource {
    pub id: i64,
    pub title: String,
    pub body_text: String,
    /// `role：name` lines of the structured bylines.
    pub bylines: Vec<(String, String)>,
    pub published: Option<chrono::NaiveDate>,
    /// The article version read (`updated_at` in milliseconds).
    pub version: i64,
}

pub(crate) fn roles_json(roles: &[String]) -> String {
    serde_json::to_string(roles).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn roles_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn kind_of(s: &str) -> Result<EntityKind> {
    EntityKind::parse(s).ok_or_else(|| StoreError::Invalid(format!("unknown entity kind {s}")))
}

/// The entity a written form leads to, made (with the form as an alias) when there is none.
async fn resolve<'c>(
    tx: &mut sqlx::Transaction<'c, sqlx::Any>,
    kind: EntityKind,
    written: &str,
    canonical: &str,
) -> Result<i64> {
    let find = "SELECT entity_id FROM entity_aliases WHERE kind = $1 AND alias = $2";
    if let Some(id) = sqlx::query_scalar::<_, i64>(find)
        .bind(kind.as_str())
        .bind(written)
        .fetch_optional(&mut **tx)
        .await?
    {
        return Ok(id);
    }
    sqlx::query(
        "INSERT INTO entities (kind, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (kind, name) DO NOTHING",
    )
    .bind(kind.as_str())
    .bind(canonical)
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM entities WHERE kind = $1 AND name = $2")
        .bind(kind.as_str())
        .bind(canonical)
        .fetch_one(&mut **tx)
        .await?;
    for alias in [canonical, written] {
        sqlx::query(
            "INSERT INTO entity_aliases (kind, alias, entity_id) VALUES ($1, $2, $3) ON CONFLICT (kind, alias) DO NOTHING",
        )
        .bind(kind.as_str())
        .bind(alias)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    // Another node may have placed the form first: its answer stands.
    Ok(sqlx::query_scalar::<_, i64>(find)
        .bind(kind.as_str())
        .bind(written)
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or(id))
}

impl Store {
    /// What extraction reads of these articles, in id order.
    pub async fn extraction_sources(&self, ids: &[i64]) -> Result<Vec<ExtractionSource>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, title, body_text, bylines_json, published_at, published_offset, updated_at \
             FROM articles WHERE id IN ({}) ORDER BY id",
            placeholders(ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let bylines: Vec<rongmei_core::Byline> =
                    serde_json::from_str(&r.try_get::<String, _>("bylines_json")?)
                        .unwrap_or_default();
                let published = crate::articles::published_time(
                    r.try_get("published_at")?,
                    r.try_get("published_offset")?,
                )
                .map(|t| t.date_naive());
                Ok(ExtractionSource {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    body_text: r.try_get("body_text")?,
                    bylines: bylines.into_iter().map(|b| (b.role, b.name)).collect(),
                    published,
                    version: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Articles whose knowledge is missing, older than the article, or from another extractor
    /// version; lowest ids first.
    pub async fn knowledge_backlog(&self, extractor: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT a.id FROM articles a LEFT JOIN knowledge_state k ON k.article_id = a.id \
             WHERE k.article_id IS NULL OR k.extracted_from <> a.updated_at OR k.extractor <> $1 \
             ORDER BY a.id LIMIT $2",
        )
        .bind(extractor)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks every article for a new extraction (`rongmei knowledge extract --all`).
    pub async fn forget_knowledge_state(&self) -> Result<()> {
        sqlx::query("DELETE FROM knowledge_state")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces what an article mentions with `mentions` and `dates`, read from version
    /// `version` of it by extractor `extractor`.
    pub async fn replace_article_knowledge(
        &self,
        article_id: i64,
        version: i64,
        extractor: i64,
        mentions: &[NewMention],
        dates: &[NewDate],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for table in ["article_entities", "article_dates"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE article_id = $1"
            )))
            .bind(article_id)
            .execute(&mut *tx)
            .await?;
        }
        for (i, m) in mentions.iter().enumerate() {
            let entity = resolve(&mut tx, m.kind, &m.written, &m.canonical).await?;
            sqlx::query(
                "INSERT INTO article_entities (article_id, kind, written, entity_id, roles, evidence, position, origin) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (article_id, kind, written) DO NOTHING",
            )
            .bind(article_id)
            .bind(m.kind.as_str())
            .bind(&m.written)
            .bind(entity)
            .bind(roles_json(&m.roles))
            .bind(&m.evidence)
            .bind(i as i64)
            .bind(m.origin)
            .execute(&mut *tx)
            .await?;
        }
        for d in dates {
            sqlx::query(
                "INSERT INTO article_dates (article_id, on_date, written, evidence) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (article_id, on_date) DO NOTHING",
            )
            .bind(article_id)
            .bind(&d.date)
            .bind(&d.written)
            .bind(&d.evidence)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO knowledge_state (article_id, extracted_from, extractor, extracted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (article_id) DO UPDATE SET extracted_from = excluded.extracted_from, \
             extractor = excluded.extractor, extracted_at = excluded.extracted_at",
        )
        .bind(article_id)
        .bind(version)
        .bind(extractor)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The editors' corrections of one article.
    pub async fn corrections_of(&self, article_id: i64) -> Result<Vec<Correction>> {
        let rows = sqlx::query(
            "SELECT kind, written, verdict, roles FROM entity_corrections WHERE article_id = $1 ORDER BY at, written",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let verdict: String = r.try_get("verdict")?;
                Ok(Correction {
                    kind: kind_of(&r.try_get::<String, _>("kind")?)?,
                    written: r.try_get("written")?,
                    verdict: Verdict::parse(&verdict)
                        .ok_or_else(|| StoreError::Invalid(format!("unknown verdict {verdict}")))?,
                    roles: roles_of(&r.try_get::<String, _>("roles")?),
                })
            })
            .collect()
    }

    /// Every name editors confirmed or added anywhere: recognised in every article.
    pub async fn known_names(&self) -> Result<Vec<(EntityKind, String)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT kind, written FROM entity_corrections WHERE verdict IN ('confirmed', 'added') ORDER BY kind, written",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    kind_of(&r.try_get::<String, _>("kind")?)?,
                    r.try_get("written")?,
                ))
            })
            .collect()
    }

    /// Records an editor's verdict (replacing an earlier one on the same form), audited.
    pub async fn set_correction(
        &self,
        actor: &User,
        ip: &str,
        article_id: i64,
        c: &Correction,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO entity_corrections (article_id, kind, written, verdict, roles, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (article_id, kind, written) DO UPDATE SET \
             verdict = excluded.verdict, roles = excluded.roles, actor_id = excluded.actor_id, at = excluded.at",
        )
        .bind(article_id)
        .bind(c.kind.as_str())
        .bind(&c.written)
        .bind(c.verdict.as_str())
        .bind(roles_json(&c.roles))
        .bind(actor.id)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({
            "kind": c.kind.as_str(), "name": c.written, "verdict": c.verdict.as_str(), "roles": c.roles,
        });
        audit(
            &mut *tx,
            entity_audit(actor, ip, "entity_correct", Some(article_id), &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes back an editor's verdict: extraction decides again.
    pub async fn clear_correction(
        &self,
        actor: &User,
        ip: &str,
        article_id: i64,
        kind: EntityKind,
        written: &str,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "DELETE FROM entity_corrections WHERE article_id = $1 AND kind = $2 AND written = $3",
        )
        .bind(article_id)
        .bind(kind.as_str())
        .bind(written)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            let detail = serde_json::json!({ "kind": kind.as_str(), "name": written });
            audit(
                &mut *tx,
                entity_audit(actor, ip, "entity_uncorrect", Some(article_id), &detail),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// The entity a written form leads to: `(id, name)`.
    pub async fn entity_by_alias(
        &self,
        kind: EntityKind,
        written: &str,
    ) -> Result<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT e.id, e.name FROM entity_aliases x JOIN entities e ON e.id = x.entity_id \
             WHERE x.kind = $1 AND x.alias = $2",
        )
        .bind(kind.as_str())
        .bind(written)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .transpose()
    }

    /// Makes `from` part of `into`: its written forms and mentions lead to `into` from now on.
    pub async fn merge_entities(&self, actor: &User, ip: &str, from: i64, into: i64) -> Result<()> {
        if from == into {
            return Err(StoreError::Invalid("不能把实体合并到它自己".into()));
        }
        let mut tx = self.begin_write().await?;
        let kinds: Vec<(i64, String, String)> = {
            let rows = sqlx::query("SELECT id, kind, name FROM entities WHERE id IN ($1, $2)")
                .bind(from)
                .bind(into)
                .fetch_all(&mut *tx)
                .await?;
            rows.iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("kind")?, r.try_get("name")?)))
                .collect::<Result<_>>()?
        };
        let [a, b] = kinds.as_slice() else {
            return Err(StoreError::NotFound("实体".into()));
        };
        if a.1 != b.1 {
            return Err(StoreError::Invalid("只能合并同一类的实体".into()));
        }
        for sql in [
            "UPDATE entity_aliases SET entity_id = $2 WHERE entity_id = $1",
            "UPDATE article_entities SET entity_id = $2 WHERE entity_id = $1",
            "DELETE FROM entities WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(from)
                .bind(into)
                .execute(&mut *tx)
                .await?;
        }
        let name = |id: i64| kinds.iter().find(|k| k.0 == id).map(|k| k.2.clone());
        let detail = serde_json::json!({ "kind": a.1, "from": name(from), "into": name(into) });
        audit(
            &mut *tx,
            entity_audit(actor, ip, "entity_merge", None, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives the written form `alias` an entity of its own; returns the new entity's id.
    pub async fn split_alias(
        &self,
        actor: &User,
        ip: &str,
        kind: EntityKind,
        alias: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT e.id, e.name FROM entity_aliases x JOIN entities e ON e.id = x.entity_id \
             WHERE x.kind = $1 AND x.alias = $2",
        )
        .bind(kind.as_str())
        .bind(alias)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("实体".into()))?;
        let (old, old_name): (i64, String) = (row.try_get("id")?, row.try_get("name")?);
        if old_name == alias {
            return Err(StoreError::Invalid(format!(
                "“{alias}”是这个实体自己的名称；请拆出另一个写法，或先改名"
            )));
        }
        let new: i64 = sqlx::query_scalar(
            "INSERT INTO entities (kind, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(alias)
        .bind(now_millis())
        .fetch_one(&mut *tx)
        .await
        .map_err(|_| StoreError::Conflict(format!("已有名为“{alias}”的实体")))?;
        sqlx::query("UPDATE entity_aliases SET entity_id = $1 WHERE kind = $2 AND alias = $3")
            .bind(new)
            .bind(kind.as_str())
            .bind(alias)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE article_entities SET entity_id = $1 WHERE kind = $2 AND written = $3 AND entity_id = $4",
        )
        .bind(new)
        .bind(kind.as_str())
        .bind(alias)
        .bind(old)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "kind": kind.as_str(), "from": old_name, "alias": alias });
        audit(
            &mut *tx,
            entity_audit(actor, ip, "entity_split", None, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Renames an entity; the old name stays one of its written forms.
    pub async fn rename_entity(&self, actor: &User, ip: &str, id: i64, name: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT kind, name FROM entities WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound("实体".into()))?;
        let (kind, old): (String, String) = (row.try_get("kind")?, row.try_get("name")?);
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT entity_id FROM entity_aliases WHERE kind = $1 AND alias = $2",
        )
        .bind(&kind)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some_and(|t| t != id) {
            return Err(StoreError::Invalid(format!(
                "“{name}”已是另一个实体的写法；要把两者当作一个，请用“合并”"
            )));
        }
        sqlx::query("UPDATE entities SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO entity_aliases (kind, alias, entity_id) VALUES ($1, $2, $3) ON CONFLICT (kind, alias) DO NOTHING",
        )
        .bind(&kind)
        .bind(name)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "kind": kind, "from": old, "to": name });
        audit(
            &mut *tx,
            entity_audit(actor, ip, "entity_rename", None, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn entity_audit<'a>(
    actor: &'a User,
    ip: &'a str,
    action: &'a str,
    article_id: Option<i64>,
    detail: &'a serde_json::Value,
) -> AuditLine<'a> {
    AuditLine {
        actor_id: Some(actor.id),
        actor_login: &actor.login,
        action,
        article_id,
        from: None,
        to: None,
        comment: None,
        ip,
        detail,
    }
}

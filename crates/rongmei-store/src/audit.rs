//! The append-only audit log: who did what, when, from where.

use chrono::{DateTime, Utc};
use rongmei_core::{ArticleStatus, User};
use serde::Serialize;
use sqlx::Row;

use crate::articles::millis;
use crate::db::{Result, Store, now_millis};

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    pub action: String,
    pub article_id: Option<i64>,
    pub article_title: Option<String>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub comment: Option<String>,
    pub ip: String,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct AuditFilter {
    pub article_id: Option<i64>,
    pub actor_id: Option<i64>,
}

pub(crate) struct AuditLine<'a> {
    pub(crate) actor_id: Option<i64>,
    pub(crate) actor_login: &'a str,
    pub(crate) action: &'a str,
    pub(crate) article_id: Option<i64>,
    pub(crate) from: Option<ArticleStatus>,
    pub(crate) to: Option<ArticleStatus>,
    pub(crate) comment: Option<&'a str>,
    pub(crate) ip: &'a str,
    pub(crate) detail: &'a serde_json::Value,
}

pub(crate) async fn audit<'c, E>(exec: E, line: AuditLine<'_>) -> Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_login, action, article_id, from_state, to_state, comment, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(now_millis())
    .bind(line.actor_id)
    .bind(line.actor_login)
    .bind(line.action)
    .bind(line.article_id)
    .bind(line.from.map(|s| s.as_str()))
    .bind(line.to.map(|s| s.as_str()))
    .bind(line.comment.map(str::trim).filter(|c| !c.is_empty()))
    .bind(line.ip)
    .bind(line.detail.to_string())
    .execute(exec)
    .await?;
    Ok(())
}

impl Store {
    /// An account event (login, logout, user added …) for the audit log.
    pub async fn audit_account(
        &self,
        actor: Option<&User>,
        actor_login: &str,
        action: &str,
        ip: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        audit(
            &self.pool,
            AuditLine {
                actor_id: actor.map(|u| u.id),
                actor_login,
                action,
                article_id: None,
                from: None,
                to: None,
                comment: None,
                ip,
                detail: &detail,
            },
        )
        .await
    }

    /// Audit lines, oldest first.
    pub async fn audit_log(&self, filter: AuditFilter, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT l.id, l.at, l.actor_id, l.actor_login, l.action, l.article_id, a.title AS article_title, \
             l.from_state, l.to_state, l.comment, l.ip, l.detail FROM audit_log l \
             LEFT JOIN articles a ON a.id = l.article_id \
             WHERE ($1 < 0 OR l.article_id = $1) AND ($2 < 0 OR l.actor_id = $2) \
             ORDER BY l.id DESC LIMIT $3",
        )
        .bind(filter.article_id.unwrap_or(-1))
        .bind(filter.actor_id.unwrap_or(-1))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = rows
            .iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: millis(row.try_get("at")?),
                    actor_id: row.try_get("actor_id")?,
                    actor_login: row.try_get("actor_login")?,
                    action: row.try_get("action")?,
                    article_id: row.try_get("article_id")?,
                    article_title: row.try_get("article_title")?,
                    from_state: row.try_get("from_state")?,
                    to_state: row.try_get("to_state")?,
                    comment: row.try_get("comment")?,
                    ip: row.try_get("ip")?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        entries.reverse();
        Ok(entries)
    }
}

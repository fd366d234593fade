//! The change feed: one typed event per change to an article, written in the transaction that
//! makes the change (so a consumer never sees an event without its change, nor the reverse), and
//! the shared cursors of node-wide consumers.

use rongmei_core::{ArticleEvent, ArticleStatus, EventKind};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::articles::millis;
use crate::db::{Result, Store, StoreError, now_millis};

/// An event about to be written.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent {
    pub article_id: i64,
    pub kind: EventKind,
    pub status: ArticleStatus,
    pub revision: Option<i64>,
    pub actor_id: Option<i64>,
}

pub(crate) async fn note_event<'c, E>(exec: E, e: NewEvent) -> Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO article_changes (article_id, changed_at, kind, status, revision, actor_id) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.article_id)
    .bind(now_millis())
    .bind(e.kind.as_str())
    .bind(e.status.as_str())
    .bind(e.revision)
    .bind(e.actor_id)
    .execute(exec)
    .await?;
    Ok(())
}

fn event_from_row(r: &AnyRow) -> Result<ArticleEvent> {
    let seq: i64 = r.try_get("seq")?;
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(ArticleEvent {
        seq,
        article_id: r.try_get("article_id")?,
        kind: EventKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("event {seq}: unknown kind {kind:?}")))?,
        status: ArticleStatus::parse(&status).ok_or_else(|| {
            StoreError::Corrupt(format!("event {seq}: unknown status {status:?}"))
        })?,
        revision: r.try_get("revision")?,
        actor_id: r.try_get("actor_id")?,
        at: millis(r.try_get("changed_at")?),
    })
}

impl Store {
    /// Events after `after_seq`, oldest first.
    pub async fn events_since(&self, after_seq: i64, limit: i64) -> Result<Vec<ArticleEvent>> {
        let rows = sqlx::query(
            "SELECT seq, article_id, changed_at, kind, status, revision, actor_id FROM article_changes \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The newest position of the feed (0 when empty).
    pub async fn last_event_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM article_changes")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Takes (or keeps) a shared consumer's lease for `lease_ms` and answers its position; `None`
    /// while another node holds it. A consumer seen for the first time starts at `start_seq`.
    pub async fn claim_cursor(
        &self,
        name: &str,
        owner: &str,
        lease_ms: i64,
        start_seq: i64,
    ) -> Result<Option<i64>> {
        let now = now_millis();
        sqlx::query(
            "INSERT INTO event_cursors (name, seq, owner, lease_until, updated_at) \
             VALUES ($1, $2, NULL, 0, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(start_seq)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let seq = sqlx::query_scalar::<_, i64>(
            "UPDATE event_cursors SET owner = $2, lease_until = $3 \
             WHERE name = $1 AND (owner = $2 OR owner IS NULL OR lease_until < $4) RETURNING seq",
        )
        .bind(name)
        .bind(owner)
        .bind(now + lease_ms)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(seq)
    }

    /// Moves a shared consumer forward, if `owner` still holds it; false when it lost the lease
    /// (another node then delivers from the stored position: at least once, never lost).
    pub async fn advance_cursor(&self, name: &str, owner: &str, seq: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE event_cursors SET seq = $3, updated_at = $4 \
             WHERE name = $1 AND owner = $2 AND seq <= $3",
        )
        .bind(name)
        .bind(owner)
        .bind(seq)
        .bind(now_millis())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// Gives a consumer's lease up (on a graceful stop), so another node takes over at once.
    pub async fn release_cursor(&self, name: &str, owner: &str) -> Result<()> {
        sqlx::query(
            "UPDATE event_cursors SET owner = NULL, lease_until = 0 WHERE name = $1 AND owner = $2",
        )
        .bind(name)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A shared consumer's stored position, if it exists.
    pub async fn cursor_position(&self, name: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT seq FROM event_cursors WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

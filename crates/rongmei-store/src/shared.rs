//! What every node must see alike: uploaded files, the publication-check dictionaries, and the
//! counters nodes poll to learn that one of those (or the search analysis) changed.

use sqlx::Row;

use crate::audit::{AuditLine, audit};
use crate::db::{Result, Store, now_millis};

/// The signal nodes poll for dictionary changes.
pub const SIGNAL_DICTIONARIES: &str = "dictionaries";
/// The signal `rongmei reindex` raises to make running nodes rebuild their search index.
pub const SIGNAL_REINDEX: &str = "reindex";

/// A dictionary as stored: its text in the file format, and who saved it last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDictionary {
    pub content: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// One node's report of a finished search rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    pub node: String,
    pub version: i64,
    pub documents: i64,
    pub finished_at: i64,
}

/// Who changes a dictionary, for its audit line.
#[derive(Debug, Clone, Copy)]
pub struct Editor<'a> {
    pub user_id: Option<i64>,
    pub login: &'a str,
    pub ip: &'a str,
}

async fn bump<'c, E>(exec: E, name: &str) -> Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let now = now_millis();
    sqlx::query(
        "INSERT INTO node_signals (name, version, updated_at) VALUES ($1, 1, $2) \
         ON CONFLICT (name) DO UPDATE SET version = node_signals.version + 1, updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(now)
    .execute(exec)
    .await?;
    Ok(())
}

impl Store {
    /// Stores one media file under its content-addressed path; storing it again changes nothing.
    pub async fn put_media_blob(&self, path: &str, content: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO media_blobs (path, content, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (path) DO NOTHING",
        )
        .bind(path)
        .bind(content)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The bytes of one media file, if any node stored it.
    /// Whether a published article's body shows an image of this content hash (hexadecimal,
    /// so it is safe in the pattern).
    pub async fn media_in_published(&self, stem: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM articles WHERE status = 'published' AND body_json LIKE $1 LIMIT 1",
        )
        .bind(format!("%/{stem}%"))
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    pub async fn media_blob(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT content FROM media_blobs WHERE path = $1")
            .bind(path)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get::<Vec<u8>, _>("content")?),
            None => None,
        })
    }

    /// Every stored media path, for exports and checks.
    pub async fn media_blob_paths(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT path FROM media_blobs ORDER BY path")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// A dictionary's stored text; `None` before anyone stored it.
    pub async fn dictionary(&self, name: &str) -> Result<Option<StoredDictionary>> {
        let row =
            sqlx::query("SELECT content, updated_at, updated_by FROM dictionaries WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some(r) => Some(StoredDictionary {
                content: r.try_get("content")?,
                updated_at: r.try_get("updated_at")?,
                updated_by: r.try_get("updated_by")?,
            }),
            None => None,
        })
    }

    /// Stores a dictionary's first text unless one is stored already (several nodes starting
    /// at once each offer their files; the first wins and the others keep it). True when this
    /// call stored it.
    pub async fn seed_dictionary(&self, name: &str, content: &str, source: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO dictionaries (name, content, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(content)
        .bind(now_millis())
        .bind(source)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if done {
            bump(&mut *tx, SIGNAL_DICTIONARIES).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// Replaces a dictionary, writes its audit line and tells every node, in one transaction.
    /// `detail` says what changed (counts of lines added and removed).
    pub async fn save_dictionary(
        &self,
        name: &str,
        content: &str,
        editor: Editor<'_>,
        detail: serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO dictionaries (name, content, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(name)
        .bind(content)
        .bind(now_millis())
        .bind(editor.login)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut *tx,
            AuditLine {
                actor_id: editor.user_id,
                actor_login: editor.login,
                action: "dictionary_saved",
                article_id: None,
                from: None,
                to: None,
                comment: None,
                ip: editor.ip,
                detail: &detail,
            },
        )
        .await?;
        bump(&mut *tx, SIGNAL_DICTIONARIES).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every signal's version, for a node's poll; a signal never raised is absent (version 0).
    pub async fn signals(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT name, version FROM node_signals")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("version")?)))
            .collect()
    }

    /// One signal's version (0 before it was first raised).
    pub async fn signal(&self, name: &str) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(version), 0) FROM node_signals WHERE name = $1",
        )
        .bind(name)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Raises a signal and returns its new version.
    pub async fn raise_signal(&self, name: &str) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        bump(&mut *tx, name).await?;
        let v = sqlx::query_scalar::<_, i64>("SELECT version FROM node_signals WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// This node is running: renews its row (first call records when it started).
    pub async fn node_alive(&self, node: &str) -> Result<()> {
        let now = now_millis();
        sqlx::query(
            "INSERT INTO nodes (name, started_at, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(node)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// This node stops.
    pub async fn node_gone(&self, node: &str) -> Result<()> {
        sqlx::query("DELETE FROM nodes WHERE name = $1")
            .bind(node)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Nodes seen within the last `within_ms` milliseconds, by name.
    pub async fn live_nodes(&self, within_ms: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar::<_, String>(
            "SELECT name FROM nodes WHERE seen_at >= $1 ORDER BY name",
        )
        .bind(now_millis() - within_ms)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A node finished rebuilding its search index for `version` of the reindex signal.
    pub async fn report_rebuild(&self, node: &str, version: i64, documents: i64) -> Result<()> {
        let now = now_millis();
        sqlx::query(
            "INSERT INTO search_rebuilds (node, version, documents, finished_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (node, version) DO UPDATE SET documents = excluded.documents, finished_at = excluded.finished_at",
        )
        .bind(node)
        .bind(version)
        .bind(documents)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The nodes that rebuilt for `version`, in the order they finished.
    pub async fn rebuild_reports(&self, version: i64) -> Result<Vec<RebuildReport>> {
        let rows = sqlx::query(
            "SELECT node, version, documents, finished_at FROM search_rebuilds \
             WHERE version = $1 ORDER BY finished_at, node",
        )
        .bind(version)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RebuildReport {
                    node: r.try_get("node")?,
                    version: r.try_get("version")?,
                    documents: r.try_get("documents")?,
                    finished_at: r.try_get("finished_at")?,
                })
            })
            .collect()
    }
}

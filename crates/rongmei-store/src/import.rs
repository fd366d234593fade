use std::collections::HashMap;

use rongmei_core::{DEFAULT_COLUMN_NAME, NewArticle, label_of_title};
use serde::Serialize;
use sqlx::Row;

use crate::articles::UNDATED_SORT_KEY;
use crate::columns::ColumnCache;
use crate::db::{Result, Store, StoreError, now_millis};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportStats {
    pub imported: u64,
    pub updated: u64,
    pub skipped: u64,
}

/// The key that makes re-imports update instead of duplicate: the source's id when it has one,
/// else the title with the publish time.
pub fn import_key(a: &NewArticle) -> String {
    match a.source_id.as_deref() {
        Some(s) => format!("src:{s}"),
        None => format!(
            "tp:{}|{}",
            a.title.trim(),
            a.published_at
                .map(|t| t.timestamp().to_string())
                .unwrap_or_default()
        ),
    }
}

/// A digest of everything a record carries, so an unchanged re-import is skipped.
fn content_hash(a: &NewArticle) -> String {
    let canonical = serde_json::json!([
        a.title,
        a.column,
        a.tags,
        a.bylines,
        a.published_at.map(|t| t.to_rfc3339()),
        a.summary,
        a.body,
        a.views,
        a.source_id,
        a.extra,
    ]);
    blake3::hash(canonical.to_string().as_bytes())
        .to_hex()
        .to_string()
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(e.to_string()))
}

impl Store {
    /// The ids of imported articles by their source ids (those not found are left out), looked
    /// up through the unique import key, so a large import's redirect map takes a moment.
    pub async fn ids_by_source(&self, source_ids: &[String]) -> Result<HashMap<String, i64>> {
        let mut out = HashMap::new();
        for chunk in source_ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT import_key, id FROM articles WHERE import_key IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(format!("src:{id}"));
            }
            for r in q.fetch_all(&self.pool).await? {
                let key: String = r.try_get("import_key")?;
                if let Some(source) = key.strip_prefix("src:") {
                    out.insert(source.to_string(), r.try_get("id")?);
                }
            }
        }
        Ok(out)
    }

    /// Imports records in one transaction: all of them or, on any error, none.
    pub async fn import(
        &self,
        records: &[NewArticle],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportStats> {
        let started = now_millis();
        let mut tx = self.pool.begin().await?;
        let mut existing: HashMap<String, (i64, String)> = HashMap::new();
        for row in sqlx::query(
            "SELECT import_key, id, content_hash FROM articles WHERE import_key IS NOT NULL",
        )
        .fetch_all(&mut *tx)
        .await?
        {
            existing.insert(
                row.try_get("import_key")?,
                (row.try_get("id")?, row.try_get("content_hash")?),
            );
        }
        let mut columns = ColumnCache::default();
        let mut stats = ImportStats::default();
        for (n, a) in records.iter().enumerate() {
            let key = import_key(a);
            let hash = content_hash(a);
            let column_id = columns
                .ensure(&mut tx, a.column.as_deref().unwrap_or(DEFAULT_COLUMN_NAME))
                .await?;
            let tags = a.effective_tags();
            let published = a.published_at.map(|t| t.timestamp());
            let offset = a
                .published_at
                .map(|t| i64::from(t.offset().local_minus_utc()));
            let sort_key = published.unwrap_or(UNDATED_SORT_KEY);
            let label = label_of_title(&a.title).map(str::to_string);
            let now = now_millis();
            let id = match existing.get(&key) {
                Some((_, old)) if *old == hash => {
                    stats.skipped += 1;
                    progress(n as u64 + 1);
                    continue;
                }
                Some((id, _)) => {
                    // Counted views are never lowered by an older archive.
                    sqlx::query(
                        "UPDATE articles SET source_id = $1, title = $2, label = $3, column_id = $4, summary = $5, \
                         body_json = $6, body_text = $7, tags_json = $8, bylines_json = $9, extra_json = $10, \
                         published_at = $11, published_offset = $12, sort_key = $13, \
                         views = CASE WHEN views > $14 THEN views ELSE $14 END, content_hash = $15, updated_at = $16, \
                         content_at = CASE WHEN title <> $2 OR body_json <> $6 THEN $16 ELSE content_at END, \
                         cover = $18 \
                         WHERE id = $17",
                    )
                    .bind(a.source_id.as_deref())
                    .bind(&a.title)
                    .bind(label.as_deref())
                    .bind(column_id)
                    .bind(a.effective_summary())
                    .bind(to_json(&a.body)?)
                    .bind(a.body.to_text())
                    .bind(to_json(&tags)?)
                    .bind(to_json(&a.bylines)?)
                    .bind(to_json(&a.extra)?)
                    .bind(published)
                    .bind(offset)
                    .bind(sort_key)
                    .bind(a.views.unwrap_or(0))
                    .bind(&hash)
                    .bind(now)
                    .bind(*id)
                    .bind(a.body.first_image())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?;
                    stats.updated += 1;
                    *id
                }
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO articles (import_key, source_id, title, label, column_id, summary, body_json, \
                         body_text, tags_json, bylines_json, extra_json, published_at, published_offset, sort_key, \
                         views, status, content_hash, created_at, updated_at, cover) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'published', $16, $17, $17, $18) \
                         RETURNING id",
                    )
                    .bind(&key)
                    .bind(a.source_id.as_deref())
                    .bind(&a.title)
                    .bind(label.as_deref())
                    .bind(column_id)
                    .bind(a.effective_summary())
                    .bind(to_json(&a.body)?)
                    .bind(a.body.to_text())
                    .bind(to_json(&tags)?)
                    .bind(to_json(&a.bylines)?)
                    .bind(to_json(&a.extra)?)
                    .bind(published)
                    .bind(offset)
                    .bind(sort_key)
                    .bind(a.views.unwrap_or(0))
                    .bind(&hash)
                    .bind(now)
                    .bind(a.body.first_image())
                    .fetch_one(&mut *tx)
                    .await?;
                    stats.imported += 1;
                    id
                }
            };
            existing.insert(key, (id, hash));
            // One statement for all of an article's tags: a round trip each would double the
            // time of an import whose articles carry a few tags.
            if !tags.is_empty() {
                let rows: Vec<String> = (0..tags.len())
                    .map(|i| format!("($1, ${})", i + 2))
                    .collect();
                let sql = format!(
                    "INSERT INTO article_tags (article_id, tag) VALUES {}",
                    rows.join(", ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
                for tag in &tags {
                    q = q.bind(tag);
                }
                q.execute(&mut *tx).await?;
            }
            progress(n as u64 + 1);
        }
        // One statement records every touched article in the change feed.
        sqlx::query(
            "INSERT INTO article_changes (article_id, changed_at, kind, status, revision, actor_id) \
             SELECT id, $1, CASE WHEN created_at >= $2 THEN 'created' ELSE 'updated' END, status, NULL, NULL \
             FROM articles WHERE updated_at >= $2 ORDER BY id",
        )
            .bind(now_millis())
            .bind(started)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stats)
    }
}

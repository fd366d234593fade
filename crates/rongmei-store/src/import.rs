use std::collections::HashMap;

use rongmei_core::{ArticleStatus, DEFAULT_COLUMN_NAME, NewArticle, label_of_title};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::articles::UNDATED_SORT_KEY;
use crate::columns::ColumnCache;
use crate::db::{Result, Store, StoreError, now_millis, placeholders};

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
    let mut canonical = serde_json::json!([
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
    // Fields added later enter the digest only when they say something, so archives imported
    // before them are still recognised as unchanged.
    if let Some(fields) = canonical.as_array_mut() {
        if !a.column_parents.is_empty() {
            fields.push(serde_json::json!({ "column_parents": a.column_parents }));
        }
        if a.status != ArticleStatus::Published {
            fields.push(serde_json::json!({ "status": a.status.as_str() }));
        }
    }
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
            let sql = format!(
                "SELECT import_key, id FROM articles WHERE import_key IN ({})",
                placeholders(chunk.len())
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
        let mut importer = self.begin_import().await?;
        for (n, a) in records.iter().enumerate() {
            importer.add(a).await?;
            progress(n as u64 + 1);
        }
        importer.commit().await
    }

    /// Opens an import that takes its records one at a time, so an archive of any size is
    /// never held whole; nothing is visible until [`Importer::commit`], and an importer
    /// dropped uncommitted leaves the database as it was.
    pub async fn begin_import(&self) -> Result<Importer> {
        let started = now_millis();
        let mut tx = self.begin_write().await?;
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
        Ok(Importer {
            tx,
            existing,
            columns: ColumnCache::default(),
            stats: ImportStats::default(),
            started,
            pending: Vec::new(),
            pending_tags: Vec::new(),
        })
    }
}

/// An import in progress: one transaction.
pub struct Importer {
    tx: Transaction<'static, Any>,
    /// Import key → (id, content hash) of every imported article, so re-imports update.
    existing: HashMap<String, (i64, String)>,
    columns: ColumnCache,
    stats: ImportStats,
    started: i64,
    /// New articles not yet written: they go in batches, one statement each, since a round
    /// trip per article is most of an import's time.
    pending: Vec<NewRow>,
    /// Tags to write, by article id.
    pending_tags: Vec<(i64, Vec<String>)>,
}

/// How many new articles one statement writes (21 values each). SQLite finds each bound
/// parameter by name with a linear scan, so a statement of a thousand parameters spends more
/// time binding than a round trip costs; 16 measured best (bench/wxr.sh).
const BATCH: usize = 16;

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>;

/// Binds the fields an insert and an update share, in this order: source id, title, label,
/// column, summary, body (JSON and text), tags, bylines, extra, publish time, offset, sort key,
/// views.
fn bind_fields<'q>(q: AnyQuery<'q>, r: &'q NewRow) -> AnyQuery<'q> {
    q.bind(r.source_id.as_deref())
        .bind(&r.title)
        .bind(r.label.as_deref())
        .bind(r.column_id)
        .bind(&r.summary)
        .bind(&r.body_json)
        .bind(&r.body_text)
        .bind(&r.tags_json)
        .bind(&r.bylines_json)
        .bind(&r.extra_json)
        .bind(r.published)
        .bind(r.offset)
        .bind(r.sort_key)
        .bind(r.views)
}

/// What one article's row holds, computed once.
struct NewRow {
    key: String,
    hash: String,
    source_id: Option<String>,
    title: String,
    label: Option<String>,
    column_id: i64,
    summary: String,
    body_json: String,
    body_text: String,
    tags_json: String,
    bylines_json: String,
    extra_json: String,
    published: Option<i64>,
    offset: Option<i64>,
    sort_key: i64,
    views: i64,
    status: &'static str,
    cover: Option<String>,
    scheduled_at: Option<i64>,
    tags: Vec<String>,
}

impl Importer {
    /// Takes one record: new, changed (updated) or unchanged (skipped). New records are
    /// written in batches; [`Importer::commit`] writes the last.
    pub async fn add(&mut self, a: &NewArticle) -> Result<()> {
        let key = import_key(a);
        if self.pending.iter().any(|p| p.key == key) {
            // The same record twice in one import: the second updates the first.
            self.flush().await?;
        }
        let hash = content_hash(a);
        let column_id = self
            .columns
            .ensure(
                &mut self.tx,
                &a.column_parents,
                a.column.as_deref().unwrap_or(DEFAULT_COLUMN_NAME),
            )
            .await?;
        // A scheduled article's time is when it goes out; until then it has no publish time.
        let (published_at, scheduled_at) = match a.status {
            ArticleStatus::Published => (a.published_at, None),
            ArticleStatus::Scheduled => (None, a.published_at.map(|t| t.timestamp())),
            _ => (None, None),
        };
        let published = published_at.map(|t| t.timestamp());
        let tags = a.effective_tags();
        let row = NewRow {
            source_id: a.source_id.clone(),
            title: a.title.clone(),
            label: label_of_title(&a.title).map(str::to_string),
            column_id,
            summary: a.effective_summary(),
            body_json: to_json(&a.body)?,
            body_text: a.body.to_text(),
            tags_json: to_json(&tags)?,
            bylines_json: to_json(&a.bylines)?,
            extra_json: to_json(&a.extra)?,
            published,
            offset: published_at.map(|t| i64::from(t.offset().local_minus_utc())),
            sort_key: published.unwrap_or(UNDATED_SORT_KEY),
            views: a.views.unwrap_or(0),
            status: a.status.as_str(),
            cover: a.body.first_image().map(str::to_string),
            scheduled_at,
            tags,
            key,
            hash,
        };
        match self.existing.get(&row.key) {
            Some((_, old)) if *old == row.hash => self.stats.skipped += 1,
            Some((id, _)) => {
                let id = *id;
                self.update(id, &row).await?;
                // Tags of this article still waiting (it came twice) were deleted with the rest.
                self.pending_tags.retain(|(i, _)| *i != id);
                self.existing.insert(row.key, (id, row.hash));
                if !row.tags.is_empty() {
                    self.pending_tags.push((id, row.tags));
                }
                self.stats.updated += 1;
            }
            None => {
                self.pending.push(row);
                if self.pending.len() >= BATCH {
                    self.flush().await?;
                }
            }
        }
        Ok(())
    }

    async fn update(&mut self, id: i64, r: &NewRow) -> Result<()> {
        // Counted views are never lowered by an older archive, and a re-import never takes
        // back a publication or a retraction made here.
        bind_fields(
            sqlx::query(
            "UPDATE articles SET source_id = $1, title = $2, label = $3, column_id = $4, summary = $5, \
             body_json = $6, body_text = $7, tags_json = $8, bylines_json = $9, extra_json = $10, \
             published_at = CASE WHEN status IN ('published', 'retracted') AND $19 <> 'published' THEN published_at ELSE $11 END, \
             published_offset = CASE WHEN status IN ('published', 'retracted') AND $19 <> 'published' THEN published_offset ELSE $12 END, \
             sort_key = CASE WHEN status IN ('published', 'retracted') AND $19 <> 'published' THEN sort_key ELSE $13 END, \
             views = CASE WHEN views > $14 THEN views ELSE $14 END, content_hash = $15, updated_at = $16, \
             content_at = CASE WHEN title <> $2 OR body_json <> $6 THEN $16 ELSE content_at END, \
             cover = $18, \
             scheduled_at = CASE WHEN status IN ('published', 'retracted') THEN scheduled_at ELSE $20 END, \
             status = CASE WHEN status IN ('published', 'retracted') THEN status ELSE $19 END \
             WHERE id = $17",
            ),
            r,
        )
        .bind(&r.hash)
        .bind(now_millis())
        .bind(id)
        .bind(r.cover.as_deref())
        .bind(r.status)
        .bind(r.scheduled_at)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Writes the pending new articles in one statement, then every pending tag.
    async fn flush(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            const COLUMNS: usize = 21;
            let rows: Vec<String> = (0..self.pending.len())
                .map(|r| {
                    let marks: Vec<String> = (1..=COLUMNS)
                        .map(|c| format!("${}", r * COLUMNS + c))
                        .collect();
                    format!("({})", marks.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO articles (import_key, source_id, title, label, column_id, summary, body_json, \
                 body_text, tags_json, bylines_json, extra_json, published_at, published_offset, sort_key, \
                 views, status, content_hash, created_at, updated_at, cover, scheduled_at) VALUES {} \
                 RETURNING id, import_key",
                rows.join(", ")
            );
            let now = now_millis();
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in &self.pending {
                q = bind_fields(q.bind(&r.key), r)
                    .bind(r.status)
                    .bind(&r.hash)
                    .bind(now)
                    .bind(now)
                    .bind(r.cover.as_deref())
                    .bind(r.scheduled_at);
            }
            let mut ids: HashMap<String, i64> = HashMap::new();
            for row in q.fetch_all(&mut *self.tx).await? {
                ids.insert(row.try_get("import_key")?, row.try_get("id")?);
            }
            for r in std::mem::take(&mut self.pending) {
                let id = *ids.get(&r.key).ok_or_else(|| {
                    StoreError::Invalid(format!("导入的稿件「{}」没有写入", r.title))
                })?;
                self.existing.insert(r.key, (id, r.hash));
                if !r.tags.is_empty() {
                    self.pending_tags.push((id, r.tags));
                }
                self.stats.imported += 1;
            }
        }
        let pairs: Vec<(i64, String)> = std::mem::take(&mut self.pending_tags)
            .into_iter()
            .flat_map(|(id, tags)| tags.into_iter().map(move |t| (id, t)))
            .collect();
        for chunk in pairs.chunks(500) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "INSERT INTO article_tags (article_id, tag) VALUES {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, tag) in chunk {
                q = q.bind(*id).bind(tag);
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Writes what is pending, records every touched article in the change feed and makes
    /// the import visible.
    pub async fn commit(mut self) -> Result<ImportStats> {
        self.flush().await?;
        // One statement records every touched article in the change feed.
        sqlx::query(
            "INSERT INTO article_changes (article_id, changed_at, kind, status, revision, actor_id) \
             SELECT id, $1, CASE WHEN created_at >= $2 THEN 'created' ELSE 'updated' END, status, NULL, NULL \
             FROM articles WHERE updated_at >= $2 ORDER BY id",
        )
        .bind(now_millis())
        .bind(self.started)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(self.stats)
    }
}

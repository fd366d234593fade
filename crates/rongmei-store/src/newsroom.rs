//! The newsroom's writes: drafts, edits kept as revisions, workflow transitions, scheduled
//! publishing and the append-only audit log.
//!
//! The rules (who may do what) live in `rongmei_core::workflow`; this module makes each decided
//! change durable and atomic: a transition only applies if the article is still in the state the
//! rules saw, so two reviewers racing on one article cannot both win.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use rongmei_core::{Action, ArticleStatus, Body, Byline, EventKind, User, label_of_title};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::articles::{millis, published_time};
use crate::audit::{AuditLine, audit};
use crate::db::{Backend, Result, Store, StoreError, now_millis};
use crate::events::{NewEvent, note_event};

/// An article's content as the editor submits it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub title: String,
    pub column_id: i64,
    pub summary: Option<String>,
    pub body: Body,
    pub tags: Vec<String>,
    pub bylines: Vec<Byline>,
    /// The cover chosen in the editor; none: the body's first picture.
    pub cover: Option<String>,
}

impl Draft {
    fn cover(&self) -> Option<&str> {
        self.cover.as_deref().or(self.body.first_image())
    }

    fn effective_summary(&self) -> String {
        rongmei_core::article::effective_summary(self.summary.as_deref(), &self.body)
    }

    fn effective_tags(&self) -> Vec<String> {
        rongmei_core::article::effective_tags(&self.title, &self.tags)
    }
}

/// The workflow facts about one article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleMeta {
    pub id: i64,
    pub author_id: Option<i64>,
    pub status: ArticleStatus,
    pub revision: i64,
    pub scheduled_at: Option<DateTime<FixedOffset>>,
    pub retracted_reason: Option<String>,
}

/// A decided transition, ready to be made durable.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub article_id: i64,
    pub actor: &'a User,
    pub action: Action,
    pub from: ArticleStatus,
    pub to: ArticleStatus,
    pub comment: Option<&'a str>,
    pub at: Option<DateTime<FixedOffset>>,
    pub ip: &'a str,
    /// Extra facts for the audit line (publication-check warnings acknowledged, …).
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub number: i64,
    pub title: String,
    pub column_id: i64,
    pub summary: String,
    pub body: Body,
    pub body_text: String,
    pub tags: Vec<String>,
    pub bylines: Vec<Byline>,
    pub editor_id: Option<i64>,
    pub editor_login: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One line of a newsroom listing (dashboard, queue).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewsroomItem {
    pub id: i64,
    pub title: String,
    pub status: ArticleStatus,
    pub column_name: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub scheduled_at: Option<DateTime<FixedOffset>>,
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn status_of(row: &AnyRow, col: &str) -> Result<ArticleStatus> {
    let s: String = row.try_get(col)?;
    ArticleStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("unknown status {s:?}")))
}

fn scheduled_time(secs: Option<i64>) -> Option<DateTime<FixedOffset>> {
    secs.and_then(|s| rongmei_core::SHANGHAI.timestamp_opt(s, 0).single())
}

const ITEM_COLUMNS: &str = "a.id, a.title, a.status, a.author_id, a.updated_at, a.published_at, \
     a.published_offset, a.scheduled_at, c.name AS column_name, u.name AS author_name";

fn item_from_row(row: &AnyRow) -> Result<NewsroomItem> {
    Ok(NewsroomItem {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        status: status_of(row, "status")?,
        column_name: row.try_get("column_name")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        updated_at: millis(row.try_get("updated_at")?),
        published_at: published_time(
            row.try_get("published_at")?,
            row.try_get("published_offset")?,
        ),
        scheduled_at: scheduled_time(row.try_get("scheduled_at")?),
    })
}

/// The PostgreSQL advisory lock held by the node sweeping the schedule.
pub const SCHEDULER_LOCK: i64 = 7_261_626;

impl Store {
    /// Creates a draft with its first revision.
    pub async fn create_draft(&self, author: &User, d: &Draft, ip: &str) -> Result<i64> {
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let body_json = to_json(&d.body)?;
        let tags = d.effective_tags();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO articles (import_key, source_id, title, label, column_id, summary, body_json, body_text, \
             tags_json, bylines_json, extra_json, published_at, published_offset, sort_key, views, status, \
             content_hash, created_at, updated_at, author_id, revision, cover) \
             VALUES (NULL, NULL, $1, $2, $3, $4, $5, $6, $7, $8, '{}', NULL, NULL, $9, 0, 'draft', '', $10, $10, $11, 1, $12) \
             RETURNING id",
        )
        .bind(&d.title)
        .bind(label_of_title(&d.title))
        .bind(d.column_id)
        .bind(d.effective_summary())
        .bind(&body_json)
        .bind(d.body.to_text())
        .bind(to_json(&tags)?)
        .bind(to_json(&d.bylines)?)
        .bind(crate::articles::UNDATED_SORT_KEY)
        .bind(now)
        .bind(author.id)
        .bind(d.cover())
        .fetch_one(&mut *tx)
        .await?;
        self.write_tags(&mut tx, id, &tags).await?;
        self.write_revision(&mut tx, id, 1, d, &tags, author.id)
            .await?;
        audit(
            &mut *tx,
            AuditLine {
                actor_id: Some(author.id),
                actor_login: &author.login,
                action: "create",
                article_id: Some(id),
                from: None,
                to: Some(ArticleStatus::Draft),
                comment: None,
                ip,
                detail: &serde_json::json!({"revision": 1}),
            },
        )
        .await?;
        note_event(
            &mut *tx,
            NewEvent {
                article_id: id,
                kind: EventKind::Created,
                status: ArticleStatus::Draft,
                revision: Some(1),
                actor_id: Some(author.id),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves an edit as a new revision. With `expected_revision`, an edit based on an older
    /// revision than the stored one is refused instead of silently overwriting a colleague's work.
    pub async fn edit_article(
        &self,
        id: i64,
        editor: &User,
        d: &Draft,
        expected_revision: Option<i64>,
        expected_status: ArticleStatus,
        ip: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let tags = d.effective_tags();
        let row = sqlx::query(
            "UPDATE articles SET title = $1, label = $2, column_id = $3, summary = $4, body_json = $5, \
             body_text = $6, tags_json = $7, bylines_json = $8, updated_at = $9, revision = revision + 1, \
             content_at = CASE WHEN title <> $1 OR body_json <> $5 THEN $9 ELSE content_at END, cover = $13 \
             WHERE id = $10 AND status = $11 AND ($12 < 0 OR revision = $12) RETURNING revision",
        )
        .bind(&d.title)
        .bind(label_of_title(&d.title))
        .bind(d.column_id)
        .bind(d.effective_summary())
        .bind(to_json(&d.body)?)
        .bind(d.body.to_text())
        .bind(to_json(&tags)?)
        .bind(to_json(&d.bylines)?)
        .bind(now_millis())
        .bind(id)
        .bind(expected_status.as_str())
        .bind(expected_revision.unwrap_or(-1))
        .bind(d.cover())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::Conflict(
                "稿件在你打开之后已被修改（他人编辑或审核操作），请刷新后重新编辑".into(),
            ));
        };
        let revision: i64 = row.try_get("revision")?;
        sqlx::query("DELETE FROM article_tags WHERE article_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.write_tags(&mut tx, id, &tags).await?;
        self.write_revision(&mut tx, id, revision, d, &tags, editor.id)
            .await?;
        audit(
            &mut *tx,
            AuditLine {
                actor_id: Some(editor.id),
                actor_login: &editor.login,
                action: "edit",
                article_id: Some(id),
                from: Some(expected_status),
                to: Some(expected_status),
                comment: None,
                ip,
                detail: &serde_json::json!({"revision": revision}),
            },
        )
        .await?;
        note_event(
            &mut *tx,
            NewEvent {
                article_id: id,
                kind: EventKind::Updated,
                status: expected_status,
                revision: Some(revision),
                actor_id: Some(editor.id),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(revision)
    }

    async fn write_tags(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: i64,
        tags: &[String],
    ) -> Result<()> {
        for tag in tags {
            sqlx::query("INSERT INTO article_tags (article_id, tag) VALUES ($1, $2)")
                .bind(id)
                .bind(tag)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    async fn write_revision(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: i64,
        number: i64,
        d: &Draft,
        tags: &[String],
        editor_id: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO revisions (article_id, number, title, column_id, summary, body_json, body_text, \
             tags_json, bylines_json, editor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(number)
        .bind(&d.title)
        .bind(d.column_id)
        .bind(d.effective_summary())
        .bind(to_json(&d.body)?)
        .bind(d.body.to_text())
        .bind(to_json(&tags)?)
        .bind(to_json(&d.bylines)?)
        .bind(editor_id)
        .bind(now_millis())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn article_meta(&self, id: i64) -> Result<Option<ArticleMeta>> {
        let row = sqlx::query(
            "SELECT id, author_id, status, revision, scheduled_at, retracted_reason FROM articles WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ArticleMeta {
            id,
            author_id: row.try_get("author_id")?,
            status: status_of(&row, "status")?,
            revision: row.try_get("revision")?,
            scheduled_at: scheduled_time(row.try_get("scheduled_at")?),
            retracted_reason: row.try_get("retracted_reason")?,
        }))
    }

    /// The states from which `actor_id` has passed this article: separation of duties reads them.
    pub async fn stages_passed_by(
        &self,
        article_id: i64,
        actor_id: i64,
    ) -> Result<Vec<ArticleStatus>> {
        let rows = sqlx::query(
            "SELECT DISTINCT from_state FROM audit_log WHERE article_id = $1 AND actor_id = $2 AND action = 'approve'",
        )
        .bind(article_id)
        .bind(actor_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|r| r.try_get::<Option<String>, _>("from_state").ok().flatten())
            .map(|s| {
                ArticleStatus::parse(&s)
                    .ok_or_else(|| StoreError::Corrupt(format!("audit: unknown state {s:?}")))
            })
            .collect()
    }

    /// Applies a decided transition if the article is still in `from`; else a conflict.
    pub async fn apply_transition(&self, t: &Transition<'_>) -> Result<()> {
        use ArticleStatus as S;
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let revision: Option<i64> = match t.to {
            S::Published => {
                // A first publication takes the current time; a correction keeps the original one.
                let at = Utc::now().with_timezone(&rongmei_core::SHANGHAI);
                sqlx::query_scalar::<_, i64>(
                    "UPDATE articles SET status = 'published', scheduled_at = NULL, \
                     published_at = CASE WHEN published_at IS NULL THEN $1 ELSE published_at END, \
                     published_offset = CASE WHEN published_at IS NULL THEN $2 ELSE published_offset END, \
                     sort_key = CASE WHEN published_at IS NULL THEN $1 ELSE sort_key END, \
                     updated_at = $3 WHERE id = $4 AND status = $5 RETURNING revision",
                )
                .bind(at.timestamp())
                .bind(i64::from(at.offset().local_minus_utc()))
                .bind(now)
                .bind(t.article_id)
                .bind(t.from.as_str())
                .fetch_optional(&mut *tx)
                .await?
            }
            S::Scheduled => {
                let Some(at) = t.at else {
                    return Err(StoreError::Invalid("定时发布需要填写发布时间".into()));
                };
                sqlx::query_scalar::<_, i64>(
                    "UPDATE articles SET status = 'scheduled', scheduled_at = $1, updated_at = $2 \
                     WHERE id = $3 AND status = $4 RETURNING revision",
                )
                .bind(at.timestamp())
                .bind(now)
                .bind(t.article_id)
                .bind(t.from.as_str())
                .fetch_optional(&mut *tx)
                .await?
            }
            S::Retracted => sqlx::query_scalar::<_, i64>(
                "UPDATE articles SET status = 'retracted', retracted_reason = $1, updated_at = $2 \
                 WHERE id = $3 AND status = $4 RETURNING revision",
            )
            .bind(t.comment.map(str::trim).unwrap_or_default())
            .bind(now)
            .bind(t.article_id)
            .bind(t.from.as_str())
            .fetch_optional(&mut *tx)
            .await?,
            to => sqlx::query_scalar::<_, i64>(
                "UPDATE articles SET status = $1, scheduled_at = NULL, updated_at = $2 WHERE id = $3 AND status = $4 RETURNING revision",
            )
            .bind(to.as_str())
            .bind(now)
            .bind(t.article_id)
            .bind(t.from.as_str())
            .fetch_optional(&mut *tx)
            .await?,
        };
        let Some(revision) = revision else {
            return Err(StoreError::Conflict(rongmei_core::workflow::moved_on(
                t.article_id,
                t.from,
            )));
        };
        let mut detail = t.detail.clone();
        if let (Some(at), Some(obj)) = (t.at, detail.as_object_mut()) {
            obj.insert("at".into(), at.to_rfc3339().into());
        }
        audit(
            &mut *tx,
            AuditLine {
                actor_id: Some(t.actor.id),
                actor_login: &t.actor.login,
                action: t.action.as_str(),
                article_id: Some(t.article_id),
                from: Some(t.from),
                to: Some(t.to),
                comment: t.comment,
                ip: t.ip,
                detail: &detail,
            },
        )
        .await?;
        note_event(
            &mut *tx,
            NewEvent {
                article_id: t.article_id,
                kind: EventKind::of_action(t.action),
                status: t.to,
                revision: Some(revision),
                actor_id: Some(t.actor.id),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A comment outside a transition, kept in the audit log with the article's state.
    /// The revision the author last submitted, from the audit line of that submission.
    pub async fn submitted_revision(&self, article_id: i64) -> Result<Option<i64>> {
        let detail: Option<String> = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE article_id = $1 AND action = 'submit' ORDER BY id DESC LIMIT 1",
        )
        .bind(article_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(detail
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .and_then(|v| v["revision"].as_i64()))
    }

    pub async fn add_comment(
        &self,
        article_id: i64,
        actor: &User,
        status: ArticleStatus,
        comment: &str,
        ip: &str,
    ) -> Result<()> {
        audit(
            &self.pool,
            AuditLine {
                actor_id: Some(actor.id),
                actor_login: &actor.login,
                action: "comment",
                article_id: Some(article_id),
                from: Some(status),
                to: Some(status),
                comment: Some(comment),
                ip,
                detail: &serde_json::json!({}),
            },
        )
        .await
    }

    /// Publishes every scheduled article whose time has come by `now`, once, whichever nodes
    /// run this.
    ///
    /// Once comes from the conditional UPDATE: a second node's update of the same row waits for
    /// the first to commit, finds the article no longer scheduled, and writes nothing (no second
    /// audit line either). On PostgreSQL the transaction-scoped advisory lock
    /// [`SCHEDULER_LOCK`] also lets one node at a time sweep: the others skip their turn instead
    /// of queueing on the rows the first one holds. SQLite serialises writers in process.
    pub async fn publish_due(&self, node: &str, now: DateTime<Utc>) -> Result<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
                .bind(SCHEDULER_LOCK)
                .fetch_one(&mut *tx)
                .await?;
            if !got {
                return Ok(Vec::new());
            }
        }
        let due: Vec<(i64, i64)> = sqlx::query(
            "SELECT id, scheduled_at FROM articles WHERE status = 'scheduled' AND scheduled_at <= $1 ORDER BY scheduled_at, id",
        )
        .bind(now.timestamp())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("scheduled_at")?)))
        .collect::<Result<_>>()?;
        let mut published = Vec::new();
        for (id, at) in due {
            let revision = sqlx::query_scalar::<_, i64>(
                "UPDATE articles SET status = 'published', \
                 published_at = CASE WHEN published_at IS NULL THEN $1 ELSE published_at END, \
                 published_offset = CASE WHEN published_at IS NULL THEN $2 ELSE published_offset END, \
                 sort_key = CASE WHEN published_at IS NULL THEN $1 ELSE sort_key END, \
                 scheduled_at = NULL, updated_at = $3 WHERE id = $4 AND status = 'scheduled' \
                 RETURNING revision",
            )
            .bind(at)
            .bind(i64::from(rongmei_core::SHANGHAI.local_minus_utc()))
            .bind(now_millis())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(revision) = revision else {
                continue;
            };
            audit(
                &mut *tx,
                AuditLine {
                    actor_id: None,
                    actor_login: "system:scheduler",
                    action: "publish",
                    article_id: Some(id),
                    from: Some(ArticleStatus::Scheduled),
                    to: Some(ArticleStatus::Published),
                    comment: None,
                    ip: node,
                    detail: &serde_json::json!({"scheduled_at": at}),
                },
            )
            .await?;
            note_event(
                &mut *tx,
                NewEvent {
                    article_id: id,
                    kind: EventKind::Published,
                    status: ArticleStatus::Published,
                    revision: Some(revision),
                    actor_id: None,
                },
            )
            .await?;
            published.push(id);
        }
        tx.commit().await?;
        Ok(published)
    }

    pub async fn revisions(&self, article_id: i64) -> Result<Vec<Revision>> {
        let rows = sqlx::query(
            "SELECT r.number, r.title, r.column_id, r.summary, r.body_json, r.body_text, r.tags_json, r.bylines_json, \
             r.editor_id, u.login AS editor_login, r.created_at FROM revisions r LEFT JOIN users u ON u.id = r.editor_id \
             WHERE r.article_id = $1 ORDER BY r.number",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let number: i64 = row.try_get("number")?;
                let what = format!("article {article_id} revision {number}");
                Ok(Revision {
                    number,
                    title: row.try_get("title")?,
                    column_id: row.try_get("column_id")?,
                    summary: row.try_get("summary")?,
                    body: parse_json(&row.try_get::<String, _>("body_json")?, &what)?,
                    body_text: row.try_get("body_text")?,
                    tags: parse_json(&row.try_get::<String, _>("tags_json")?, &what)?,
                    bylines: parse_json(&row.try_get::<String, _>("bylines_json")?, &what)?,
                    editor_id: row.try_get("editor_id")?,
                    editor_login: row.try_get("editor_login")?,
                    created_at: millis(row.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Newsroom listing: articles in any of `statuses`, optionally by one author, newest edit first.
    pub async fn newsroom_items(
        &self,
        statuses: &[ArticleStatus],
        author_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NewsroomItem>> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        // Statuses come from the enum, never from a request, so inlining them is safe.
        let list = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        let order = if statuses == [ArticleStatus::Published] {
            "a.sort_key DESC, a.id DESC"
        } else {
            "a.updated_at DESC, a.id DESC"
        };
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM articles a JOIN columns c ON c.id = a.column_id \
             LEFT JOIN users u ON u.id = a.author_id \
             WHERE a.status IN ({list}) AND ($1 < 0 OR a.author_id = $1) ORDER BY {order} LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(author_id.unwrap_or(-1))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item_from_row).collect()
    }
}

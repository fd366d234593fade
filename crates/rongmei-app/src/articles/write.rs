//! Writing and the review workflow, shared by the JSON API and the editor pages so both follow
//! the same rules: input is sanitised once, the workflow decides, the store makes it durable,
//! and this node's caches hear of it at once (other nodes through the change feed).

use chrono::Utc;
use rongmei_checks::Hit;
use rongmei_core::workflow::{ActionRequest, decide, may_edit};
use rongmei_core::{Action, ArticleStatus, Body};
use rongmei_store::{Draft, Transition};

use super::input::{
    ArticleInput, MAX_BODY_BYTES, MAX_COMMENT_CHARS, MAX_TAGS, MAX_TITLE_CHARS, parse_bylines,
    parse_tags, parse_when,
};
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// What a write answers: the article, its revision and the publication checks' hits.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: i64,
    pub status: ArticleStatus,
    pub revision: i64,
    pub hits: Vec<Hit>,
}

impl App {
    /// Turns input into a storable draft: sanitised HTML (or plain lines) into body blocks, a
    /// known column, checked lengths. Field errors name the field.
    async fn draft_from_input(&self, input: &ArticleInput) -> Result<Draft, AppError> {
        let title = rongmei_html::sanitize_text_field(&input.title);
        if title.is_empty() {
            return Err(AppError::invalid("title: must not be empty"));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(AppError::invalid(format!(
                "title: at most {MAX_TITLE_CHARS} characters"
            )));
        }
        if input.body.len() > MAX_BODY_BYTES {
            return Err(AppError::TooLarge(format!(
                "body: at most {} MB",
                MAX_BODY_BYTES / 1024 / 1024
            )));
        }
        let column_key = input.column.trim();
        let column = self.store().find_column(column_key).await?.ok_or_else(|| {
            AppError::invalid(format!(
                "column: no column with slug or name {column_key:?}"
            ))
        })?;
        let tags = parse_tags(input.tags.as_ref());
        if tags.len() > MAX_TAGS {
            return Err(AppError::invalid(format!("tags: at most {MAX_TAGS}")));
        }
        Ok(Draft {
            title,
            column_id: column.id,
            summary: input
                .summary
                .as_deref()
                .map(rongmei_html::sanitize_text_field)
                .filter(|s| !s.is_empty()),
            body: rongmei_html::body_from_html(&input.body),
            tags,
            bylines: parse_bylines(input.bylines.as_deref()),
        })
    }

    fn draft_hits(&self, d: &Draft) -> Vec<Hit> {
        self.checks()
            .current()
            .check_article(&d.title, &d.body, &d.tags, &d.bylines)
    }

    /// A new draft by the acting member.
    pub async fn create_article(
        &self,
        actor: &Actor,
        input: &ArticleInput,
    ) -> Result<Written, AppError> {
        let user = actor.member()?;
        let draft = self.draft_from_input(input).await?;
        let hits = self.draft_hits(&draft);
        let id = self.store().create_draft(user, &draft, &actor.ip).await?;
        self.changed(id);
        Ok(Written {
            id,
            status: ArticleStatus::Draft,
            revision: 1,
            hits,
        })
    }

    /// A new revision; `base_revision` older than the stored one is a conflict.
    pub async fn edit_article(
        &self,
        actor: &Actor,
        id: i64,
        input: &ArticleInput,
        base_revision: Option<i64>,
    ) -> Result<Written, AppError> {
        let user = actor.member()?;
        let m = self.article_meta(id).await?;
        may_edit(user, m.author_id, m.status)?;
        let draft = self.draft_from_input(input).await?;
        let hits = self.draft_hits(&draft);
        let revision = self
            .store()
            .edit_article(id, user, &draft, base_revision, m.status, &actor.ip)
            .await?;
        self.changed(id);
        Ok(Written {
            id,
            status: m.status,
            revision,
            hits,
        })
    }

    /// Appends an uploaded image to the end of an article's body as a new revision (the editor
    /// without JavaScript inserts images this way).
    pub async fn append_image(
        &self,
        actor: &Actor,
        id: i64,
        src: &str,
        caption: &str,
    ) -> Result<i64, AppError> {
        let user = actor.member()?;
        let m = self.article_meta(id).await?;
        may_edit(user, m.author_id, m.status)?;
        let a = self.any_article(id).await?;
        let mut body: Body = a.body.clone();
        let caption = rongmei_html::sanitize_text_field(caption);
        body.blocks.push(rongmei_core::Block::Image {
            src: src.to_string(),
            alt: caption.clone(),
            caption: (!caption.is_empty()).then_some(caption),
        });
        let draft = Draft {
            title: a.title.clone(),
            column_id: a.column.id,
            summary: Some(a.summary.clone()),
            body,
            tags: a.tags.clone(),
            bylines: a.bylines.clone(),
        };
        let revision = self
            .store()
            .edit_article(id, user, &draft, Some(m.revision), m.status, &actor.ip)
            .await?;
        self.changed(id);
        Ok(revision)
    }

    /// Runs one workflow action: the rules decide, publication checks guard the final approval
    /// and publication, the store applies it only if nobody acted first.
    pub async fn act(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        comment: Option<&str>,
        at: Option<&str>,
    ) -> Result<ArticleStatus, AppError> {
        let user = actor.member()?;
        let comment = comment
            .map(rongmei_html::sanitize_text_field)
            .filter(|c| !c.is_empty());
        if comment
            .as_deref()
            .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
        {
            return Err(AppError::invalid(format!(
                "comment: at most {MAX_COMMENT_CHARS} characters"
            )));
        }
        let at = match at.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(parse_when(s)?),
            None => None,
        };
        let m = self.article_meta(id).await?;
        let passed = self.store().stages_passed_by(id, user.id).await?;
        let to = decide(&ActionRequest {
            actor: user,
            author_id: m.author_id,
            status: m.status,
            passed_by_actor: &passed,
            action,
            comment: comment.as_deref(),
            at: at.map(|t| t.with_timezone(&Utc)),
            now: Utc::now(),
        })?;
        let a = self.any_article(id).await?;
        if action == Action::Submit && a.body.blocks.is_empty() {
            return Err(AppError::invalid(
                "body: an empty article cannot be submitted",
            ));
        }
        let mut detail = serde_json::json!({"revision": m.revision});
        // The final approval and anything that makes the article public pass the checks.
        if matches!(
            to,
            ArticleStatus::Approved | ArticleStatus::Published | ArticleStatus::Scheduled
        ) {
            let hits = self.article_hits(&a);
            if rongmei_checks::blocks(&hits) {
                let blocking: Vec<&Hit> = hits
                    .iter()
                    .filter(|h| h.severity == rongmei_checks::Severity::Block)
                    .collect();
                return Err(AppError::Invalid(
                    format!(
                        "publication checks block this article: {}",
                        blocking
                            .iter()
                            .map(|h| format!("{} in {}", h.matched, h.field))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Some(serde_json::json!({ "hits": hits })),
                ));
            }
            if !hits.is_empty() {
                detail["warnings"] = serde_json::json!(hits.len());
            }
        }
        self.store()
            .apply_transition(&Transition {
                article_id: id,
                actor: user,
                action,
                from: m.status,
                to,
                comment: comment.as_deref(),
                at,
                ip: &actor.ip,
                detail,
            })
            .await?;
        self.changed(id);
        Ok(to)
    }

    pub async fn comment(&self, actor: &Actor, id: i64, text: &str) -> Result<(), AppError> {
        let user = actor.member()?;
        let text = rongmei_html::sanitize_text_field(text);
        if text.is_empty() {
            return Err(AppError::invalid("comment: must not be empty"));
        }
        if text.chars().count() > MAX_COMMENT_CHARS {
            return Err(AppError::invalid(format!(
                "comment: at most {MAX_COMMENT_CHARS} characters"
            )));
        }
        let m = self.article_meta(id).await?;
        self.store()
            .add_comment(id, user, m.status, &text, &actor.ip)
            .await?;
        Ok(())
    }
}

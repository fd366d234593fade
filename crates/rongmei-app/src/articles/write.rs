//! Writing and the review workflow, shared by the JSON API and the editor pages so both follow
//! the same rules: input is sanitised once, the workflow decides, the store makes it durable,
//! and this node's caches hear of it at once (other nodes through the change feed).

use chrono::Utc;
use rongmei_checks::Hit;
use rongmei_core::workflow::{ActionRequest, decide, may_edit, may_read};
use rongmei_core::{Action, Article, ArticleStatus, Body, Byline};
use rongmei_store::{Draft, Transition};

use super::input::{
    ArticleInput, ArticlePatch, MAX_BODY_BYTES, MAX_CAPTION_CHARS, MAX_COLUMN_CHARS,
    MAX_COMMENT_CHARS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, check_chars, check_key,
    check_tags_and_bylines, parse_bylines, parse_tags, parse_when,
};
use super::reads::not_yours;
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// The byline role a member who edits someone else's article is credited with.
pub const EDITOR_ROLE: &str = "编辑";

/// The fields an edit changed, in Chinese, for the author's notice.
fn changed_fields(a: &Article, d: &Draft) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.title != d.title {
        out.push("标题");
    }
    if a.column.id != d.column_id {
        out.push("栏目");
    }
    if a.body != d.body {
        out.push("正文");
    }
    if d.summary.as_deref().is_some_and(|s| s != a.summary) {
        out.push("摘要");
    }
    let old_tags: Vec<&String> = a
        .tags
        .iter()
        .filter(|t| Some(t.as_str()) != a.label.as_deref())
        .collect();
    if old_tags != d.tags.iter().collect::<Vec<_>>() {
        out.push("标签");
    }
    let old_bylines: Vec<&Byline> = a.bylines.iter().collect();
    let new_bylines: Vec<&Byline> = d
        .bylines
        .iter()
        .filter(|b| b.role != EDITOR_ROLE || a.bylines.contains(b))
        .collect();
    if old_bylines != new_bylines {
        out.push("署名");
    }
    out
}

/// What a write answers: the article, its revision and the publication checks' hits.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: i64,
    pub status: ArticleStatus,
    pub revision: i64,
    pub hits: Vec<Hit>,
}

/// A cover the writer chose: one of the body's pictures, or a picture uploaded here
/// (`/media/…`); empty means the body's first picture.
fn chosen_cover(
    cover: Option<&str>,
    body: &rongmei_core::Body,
) -> Result<Option<String>, AppError> {
    let Some(c) = cover.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let in_body = body
        .blocks
        .iter()
        .any(|b| matches!(b, rongmei_core::Block::Image { src, .. } if src == c))
        || body
            .to_html()
            .contains(&format!("src=\"{}\"", rongmei_core::body::escape_html(c)));
    let uploaded =
        rongmei_media::relative_path(c).is_some() && c.starts_with(rongmei_media::URL_PREFIX);
    if c.chars().count() > 500 || !(in_body || uploaded) {
        return Err(AppError::field(
            "cover",
            "封面须是正文中的图片，或上传到本站的图片",
        ));
    }
    Ok(Some(c.to_string()))
}

impl App {
    /// Turns input into a storable draft: sanitised HTML (or plain lines) into body blocks, a
    /// known column, checked lengths. Field errors name the field.
    async fn draft_from_input(&self, input: &ArticleInput) -> Result<Draft, AppError> {
        check_chars("title", "标题", &input.title, MAX_TITLE_CHARS)?;
        let title = rongmei_html::sanitize_text_field(&input.title);
        if title.is_empty() {
            return Err(AppError::field("title", "标题不能为空"));
        }
        if input.body.len() > MAX_BODY_BYTES {
            return Err(AppError::TooLarge(format!(
                "body: 正文最多 {} MB",
                MAX_BODY_BYTES / 1024 / 1024
            )));
        }
        if let Some(summary) = &input.summary {
            check_chars("summary", "摘要", summary, MAX_SUMMARY_CHARS)?;
        }
        check_tags_and_bylines(input.tags.as_ref(), input.bylines.as_deref())?;
        let column_key = input.column.trim();
        if column_key.is_empty() {
            return Err(AppError::field("column", "请选择栏目"));
        }
        check_key("column", "栏目", column_key, MAX_COLUMN_CHARS)?;
        let column =
            self.store().find_column(column_key).await?.ok_or_else(|| {
                AppError::field("column", format!("没有名为 {column_key:?} 的栏目"))
            })?;
        let body = rongmei_html::body_from_html(&input.body);
        let cover = chosen_cover(input.cover.as_deref(), &body)?;
        Ok(Draft {
            cover,
            title,
            column_id: column.id,
            summary: input
                .summary
                .as_deref()
                .map(rongmei_html::sanitize_text_field)
                .filter(|s| !s.is_empty()),
            body,
            tags: parse_tags(input.tags.as_ref()),
            bylines: parse_bylines(input.bylines.as_deref()),
        })
    }

    /// The stored article with a patch laid over it: what the patch leaves out keeps its value.
    async fn draft_from_patch(&self, a: &Article, patch: &ArticlePatch) -> Result<Draft, AppError> {
        let full = ArticleInput {
            title: patch.title.clone().unwrap_or_else(|| a.title.clone()),
            column: patch
                .column
                .clone()
                .unwrap_or_else(|| a.column.slug.clone()),
            body: patch.body.clone().unwrap_or_default(),
            summary: patch.summary.clone(),
            tags: patch.tags.clone(),
            bylines: patch.bylines.clone(),
            cover: None,
        };
        let mut draft = self.draft_from_input(&full).await?;
        if patch.body.is_none() {
            draft.body = a.body.clone();
        }
        draft.cover = match patch.cover.as_deref() {
            Some(c) => chosen_cover(Some(c), &draft.body)?,
            // Not sent: a cover chosen before stays while it is still one of the pictures
            // (or an upload of its own).
            None => a
                .chosen_cover()
                .filter(|c| chosen_cover(Some(c), &draft.body).is_ok())
                .map(str::to_string),
        };
        if patch.summary.is_none() {
            // A summary derived from the old body is derived again from the new one; one a
            // writer typed stays.
            let derived = rongmei_core::article::effective_summary(None, &a.body);
            draft.summary = (a.summary != derived).then(|| a.summary.clone());
        }
        if patch.tags.is_none() {
            // The 【label】 tag comes from the title again on save.
            draft.tags = a
                .tags
                .iter()
                .filter(|t| Some(t.as_str()) != a.label.as_deref())
                .cloned()
                .collect();
        }
        if patch.bylines.is_none() {
            draft.bylines = a.bylines.clone();
        }
        Ok(draft)
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

    /// A new revision; `base_revision` older than the stored one is a conflict. Someone other
    /// than the author who edits is added to the bylines as 编辑 and the author is told what
    /// changed (a comment on the article names the fields and the revisions to compare).
    pub async fn edit_article(
        &self,
        actor: &Actor,
        id: i64,
        patch: &ArticlePatch,
        base_revision: Option<i64>,
    ) -> Result<Written, AppError> {
        let user = actor.member()?;
        let m = self.article_meta(id).await?;
        if !may_read(user, m.author_id, m.status) {
            return Err(not_yours(m.status));
        }
        may_edit(user, m.author_id, m.status)?;
        let a = self.any_article(id).await?;
        let mut draft = self.draft_from_patch(&a, patch).await?;
        let by_other = m.author_id != Some(user.id);
        if by_other
            && !draft
                .bylines
                .iter()
                .any(|b| b.role == EDITOR_ROLE && b.name == user.name)
        {
            draft.bylines.push(Byline {
                role: EDITOR_ROLE.into(),
                name: user.name.clone(),
            });
        }
        let hits = self.draft_hits(&draft);
        let revision = self
            .store()
            .edit_article(id, user, &draft, base_revision, m.status, &actor.ip)
            .await?;
        if by_other {
            let changed = changed_fields(&a, &draft);
            let what = if changed.is_empty() {
                "保存了稿件（内容未变）".to_string()
            } else {
                format!("修改了稿件的{}", changed.join("、"))
            };
            let note = format!(
                "【修改通知】{}（{}）{}，可在修改记录中对比第 {} 版与第 {} 版。",
                user.name,
                user.roles_label(),
                what,
                m.revision,
                revision
            );
            self.store()
                .add_comment(id, user, m.status, &note, &actor.ip)
                .await?;
        }
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
        check_chars("caption", "图片说明", caption, MAX_CAPTION_CHARS)?;
        let m = self.article_meta(id).await?;
        if !may_read(user, m.author_id, m.status) {
            return Err(not_yours(m.status));
        }
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
            cover: a.chosen_cover().map(str::to_string),
        };
        let revision = self
            .store()
            .edit_article(id, user, &draft, Some(m.revision), m.status, &actor.ip)
            .await?;
        self.changed(id);
        Ok(revision)
    }

    /// Runs one workflow action: the rules decide, publication checks guard the final approval
    /// and publication, the store applies it only if nobody acted first. `seen` is the state the
    /// person acting saw: when someone has moved the article on since, they decided on a state
    /// that is gone, and the action is refused (409) rather than applied to the new one.
    pub async fn act(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        comment: Option<&str>,
        at: Option<&str>,
        seen: Option<ArticleStatus>,
    ) -> Result<ArticleStatus, AppError> {
        let user = actor.member()?;
        if let Some(c) = comment {
            check_chars("comment", "意见", c, MAX_COMMENT_CHARS)?;
        }
        let comment = comment
            .map(rongmei_html::sanitize_text_field)
            .filter(|c| !c.is_empty());
        let at = match at.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(parse_when(s)?),
            None => None,
        };
        let m = self.article_meta(id).await?;
        // Moved on from a state the person could see: they were too late, not trespassing,
        // even when the new state is closed to them (a reviewer's 初审 article sent back to its
        // author's drafts by the other reviewer a moment before).
        if let Some(seen) = seen.filter(|s| *s != m.status)
            && may_read(user, m.author_id, seen)
        {
            return Err(AppError::Conflict(rongmei_core::workflow::moved_on(
                id, seen,
            )));
        }
        if !may_read(user, m.author_id, m.status) {
            return Err(not_yours(m.status));
        }
        let passed = self.store().stages_passed_by(id, user.id).await?;
        let to = decide(&ActionRequest {
            actor: user,
            author_id: m.author_id,
            status: m.status,
            passed_by_actor: &passed,
            action,
            comment: comment.as_deref(),
            at: at.map(|t| t.with_timezone(&Utc)),
            now: self.now(),
        })?;
        let a = self.any_article(id).await?;
        if action == Action::Submit && a.body.blocks.is_empty() {
            return Err(AppError::field("body", "正文为空的稿件不能送审"));
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
                        "发布检查未通过，须先修改：{}",
                        blocking
                            .iter()
                            .map(|h| format!("{}中的“{}”", h.field_label(), h.matched))
                            .collect::<Vec<_>>()
                            .join("；")
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
        check_chars("comment", "意见", text, MAX_COMMENT_CHARS)?;
        let text = rongmei_html::sanitize_text_field(text);
        if text.is_empty() {
            return Err(AppError::field("comment", "意见不能为空"));
        }
        let m = self.article_meta(id).await?;
        if !may_read(user, m.author_id, m.status) {
            return Err(not_yours(m.status));
        }
        self.store()
            .add_comment(id, user, m.status, &text, &actor.ip)
            .await?;
        Ok(())
    }
}

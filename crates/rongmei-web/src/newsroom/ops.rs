//! The newsroom's operations, shared by the JSON API and the editor pages so both follow the
//! same rules: input is sanitised once here, the workflow decides, the store makes it durable.

use chrono::{DateTime, FixedOffset, Utc};
use rongmei_checks::Hit;
use rongmei_core::workflow::{ActionRequest, decide, may_edit};
use rongmei_core::{Action, Article, ArticleStatus, Body, Byline, User};
use rongmei_store::{ArticleMeta, Draft, Transition};
use serde::Deserialize;

use crate::AppState;
use crate::error::AppError;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_TAGS: usize = 20;
pub const MAX_COMMENT_CHARS: usize = 2000;

/// A byline given either as `"摄影：李四"` or as `{role, name}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BylineInput {
    Text(String),
    Parts { role: String, name: String },
}

/// Tags given as a list, or as one comma-separated string (form fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TagsInput {
    List(Vec<String>),
    Text(String),
}

/// What a writer sends: the same shape for creating and editing.
#[derive(Debug, Clone, Deserialize)]
pub struct ArticleInput {
    pub title: String,
    pub column: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub tags: Option<TagsInput>,
    #[serde(default)]
    pub bylines: Option<Vec<BylineInput>>,
}

pub fn parse_tags(t: Option<&TagsInput>) -> Vec<String> {
    let raw: Vec<String> = match t {
        None => Vec::new(),
        Some(TagsInput::List(v)) => v.clone(),
        Some(TagsInput::Text(s)) => s
            .split([',', '，', '、', ';', '；'])
            .map(str::to_string)
            .collect(),
    };
    let mut tags: Vec<String> = Vec::new();
    for t in raw {
        let t = rongmei_html::sanitize_text_field(&t);
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags
}

/// Bylines from one-a-line text (`文字：张三`), as the editor form sends them.
pub fn bylines_from_lines(text: &str) -> Vec<BylineInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| BylineInput::Text(l.to_string()))
        .collect()
}

pub fn parse_bylines(b: Option<&[BylineInput]>) -> Vec<Byline> {
    b.unwrap_or_default()
        .iter()
        .filter_map(|b| match b {
            BylineInput::Text(s) => Byline::parse(&rongmei_html::sanitize_text_field(s)),
            BylineInput::Parts { role, name } => {
                let role = rongmei_html::sanitize_text_field(role);
                let name = rongmei_html::sanitize_text_field(name);
                (!name.is_empty()).then(|| Byline {
                    role: if role.is_empty() {
                        "文字".into()
                    } else {
                        role
                    },
                    name,
                })
            }
        })
        .collect()
}

/// Turns input into a storable draft: sanitised HTML (or plain lines) into body blocks, a known
/// column, checked lengths. Field errors are 422s that name the field.
pub async fn draft_from_input(state: &AppState, input: &ArticleInput) -> Result<Draft, AppError> {
    let title = rongmei_html::sanitize_text_field(&input.title);
    if title.is_empty() {
        return Err(AppError::Unprocessable(
            "title: must not be empty".into(),
            None,
        ));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(AppError::Unprocessable(
            format!("title: at most {MAX_TITLE_CHARS} characters"),
            None,
        ));
    }
    if input.body.len() > MAX_BODY_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "body: at most {} MB",
            MAX_BODY_BYTES / 1024 / 1024
        )));
    }
    let column_key = input.column.trim();
    let column = state
        .store()
        .find_column(column_key)
        .await?
        .ok_or_else(|| {
            AppError::Unprocessable(
                format!("column: no column with slug or name {column_key:?}"),
                None,
            )
        })?;
    let tags = parse_tags(input.tags.as_ref());
    if tags.len() > MAX_TAGS {
        return Err(AppError::Unprocessable(
            format!("tags: at most {MAX_TAGS}"),
            None,
        ));
    }
    let body = rongmei_html::body_from_html(&input.body);
    Ok(Draft {
        title,
        column_id: column.id,
        summary: input
            .summary
            .as_deref()
            .map(rongmei_html::sanitize_text_field)
            .filter(|s| !s.is_empty()),
        body,
        tags,
        bylines: parse_bylines(input.bylines.as_deref()),
    })
}

pub async fn meta(state: &AppState, id: i64) -> Result<ArticleMeta, AppError> {
    state
        .store()
        .article_meta(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no article with id {id}")))
}

pub async fn article(state: &AppState, id: i64) -> Result<Article, AppError> {
    state
        .store()
        .article(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no article with id {id}")))
}

/// Newsroom articles are readable by every signed-in member; imported archive articles too.
pub fn check_article_hits(state: &AppState, a: &Article) -> Vec<Hit> {
    state
        .checks()
        .current()
        .check_article(&a.title, &a.body, &a.tags, &a.bylines)
}

pub fn check_draft_hits(state: &AppState, d: &Draft) -> Vec<Hit> {
    state
        .checks()
        .current()
        .check_article(&d.title, &d.body, &d.tags, &d.bylines)
}

pub async fn create(
    state: &AppState,
    user: &User,
    input: &ArticleInput,
    ip: &str,
) -> Result<(i64, Vec<Hit>), AppError> {
    if user.disabled {
        return Err(AppError::Forbidden("this account is disabled".into()));
    }
    let draft = draft_from_input(state, input).await?;
    let hits = check_draft_hits(state, &draft);
    let id = state.store().create_draft(user, &draft, ip).await?;
    Ok((id, hits))
}

pub async fn edit(
    state: &AppState,
    user: &User,
    id: i64,
    input: &ArticleInput,
    base_revision: Option<i64>,
    ip: &str,
) -> Result<(i64, Vec<Hit>), AppError> {
    let m = meta(state, id).await?;
    may_edit(user, m.author_id, m.status)?;
    let draft = draft_from_input(state, input).await?;
    let hits = check_draft_hits(state, &draft);
    let revision = state
        .store()
        .edit_article(id, user, &draft, base_revision, m.status, ip)
        .await?;
    Ok((revision, hits))
}

/// Appends an uploaded image to the end of an article's body as a new revision (the editor
/// without JavaScript inserts images this way).
pub async fn append_image(
    state: &AppState,
    user: &User,
    id: i64,
    src: &str,
    caption: &str,
    ip: &str,
) -> Result<i64, AppError> {
    let m = meta(state, id).await?;
    may_edit(user, m.author_id, m.status)?;
    let a = article(state, id).await?;
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
    Ok(state
        .store()
        .edit_article(id, user, &draft, Some(m.revision), m.status, ip)
        .await?)
}

/// Reads an RFC 3339 time, or the `datetime-local` form value (`2026-11-24T18:30`) as Shanghai
/// time.
pub fn parse_when(s: &str) -> Result<DateTime<FixedOffset>, AppError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t);
    }
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(s, f)
            && let Some(t) = naive.and_local_timezone(rongmei_core::SHANGHAI).single()
        {
            return Ok(t);
        }
    }
    Err(AppError::Unprocessable(
        format!("at: {s:?} is not a time (expected RFC 3339, e.g. 2026-12-01T08:00:00+08:00)"),
        None,
    ))
}

/// Runs one workflow action: the rules decide, publication checks guard the final approval and
/// publication, the store applies it only if nobody acted first.
pub async fn act(
    state: &AppState,
    user: &User,
    id: i64,
    action: Action,
    comment: Option<&str>,
    at: Option<&str>,
    ip: &str,
) -> Result<ArticleStatus, AppError> {
    let comment = comment
        .map(rongmei_html::sanitize_text_field)
        .filter(|c| !c.is_empty());
    if comment
        .as_deref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(AppError::Unprocessable(
            format!("comment: at most {MAX_COMMENT_CHARS} characters"),
            None,
        ));
    }
    let at = match at.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(parse_when(s)?),
        None => None,
    };
    let m = meta(state, id).await?;
    let passed = state.store().stages_passed_by(id, user.id).await?;
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
    let a = article(state, id).await?;
    if action == Action::Submit && a.body.blocks.is_empty() {
        return Err(AppError::Unprocessable(
            "body: an empty article cannot be submitted".into(),
            None,
        ));
    }
    let mut detail = serde_json::json!({"revision": m.revision});
    // The final approval and anything that makes the article public pass the checks.
    if matches!(
        to,
        ArticleStatus::Approved | ArticleStatus::Published | ArticleStatus::Scheduled
    ) {
        let hits = check_article_hits(state, &a);
        if rongmei_checks::blocks(&hits) {
            let blocking: Vec<&Hit> = hits
                .iter()
                .filter(|h| h.severity == rongmei_checks::Severity::Block)
                .collect();
            return Err(AppError::Unprocessable(
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
    state
        .store()
        .apply_transition(&Transition {
            article_id: id,
            actor: user,
            action,
            from: m.status,
            to,
            comment: comment.as_deref(),
            at,
            ip,
            detail,
        })
        .await?;
    state.invalidate(id);
    Ok(to)
}

pub async fn comment(
    state: &AppState,
    user: &User,
    id: i64,
    text: &str,
    ip: &str,
) -> Result<(), AppError> {
    let text = rongmei_html::sanitize_text_field(text);
    if text.is_empty() {
        return Err(AppError::Unprocessable(
            "comment: must not be empty".into(),
            None,
        ));
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(AppError::Unprocessable(
            format!("comment: at most {MAX_COMMENT_CHARS} characters"),
            None,
        ));
    }
    let m = meta(state, id).await?;
    state
        .store()
        .add_comment(id, user, m.status, &text, ip)
        .await?;
    Ok(())
}

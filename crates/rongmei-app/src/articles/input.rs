//! What a writer sends, read once here: sanitised text fields, tags, bylines and times.

use chrono::{DateTime, FixedOffset};
use rongmei_core::Byline;
use serde::Deserialize;

use crate::error::AppError;

// Every field's limit, checked before anything reaches the database (an index row has a size
// limit on PostgreSQL, and nothing a writer types should be stored unbounded). The README lists
// them; a refusal is a 422 naming the field.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_SUMMARY_CHARS: usize = 500;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 32;
pub const MAX_BYLINES: usize = 20;
pub const MAX_BYLINE_ROLE_CHARS: usize = 16;
pub const MAX_BYLINE_NAME_CHARS: usize = 64;
/// A column is named by its slug or name; nothing longer can name one.
pub const MAX_COLUMN_CHARS: usize = 64;
pub const MAX_COMMENT_CHARS: usize = 2000;
pub const MAX_CAPTION_CHARS: usize = 200;
/// A time (`at`) in any accepted spelling is far shorter.
pub const MAX_TIME_CHARS: usize = 40;

/// A byline given either as `"摄影：李四"` or as `{role, name}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum BylineInput {
    Text(String),
    Parts { role: String, name: String },
}

/// Tags given as a list, or as one comma-separated string (form fields).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum TagsInput {
    List(Vec<String>),
    Text(String),
}

/// What a writer sends to create an article.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ArticleInput {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F]*\S[^\u0000-\u001F\u007F]*$"
    )]
    pub title: String,
    /// A column's slug or name; an unknown one is refused.
    #[schema(min_length = 1, max_length = 64)]
    pub column: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub tags: Option<TagsInput>,
    #[serde(default)]
    pub bylines: Option<Vec<BylineInput>>,
    /// The cover: one of the body's pictures or an uploaded one (`/media/…`); empty or absent:
    /// the body's first picture.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub cover: Option<String>,
}

/// What a writer sends to edit: fields left out keep their stored values (a reviewer who fixes
/// a sentence does not drop the bylines by not sending them).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ArticlePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub column: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub tags: Option<TagsInput>,
    #[serde(default)]
    pub bylines: Option<Vec<BylineInput>>,
    /// Absent keeps the chosen cover; empty goes back to the body's first picture.
    #[serde(default)]
    pub cover: Option<String>,
}

impl From<ArticleInput> for ArticlePatch {
    fn from(i: ArticleInput) -> Self {
        ArticlePatch {
            title: Some(i.title),
            column: Some(i.column),
            body: Some(i.body),
            summary: i.summary,
            tags: i.tags,
            bylines: i.bylines,
            cover: i.cover,
        }
    }
}

/// Refuses a key (a column slug, a login) longer than `max` characters or holding control
/// characters: keys are looked up as typed, and no stored key has either, so such a value names
/// nothing — said before the database, which on PostgreSQL cannot even hold a NUL.
pub fn check_key(field: &str, label: &str, text: &str, max: usize) -> Result<(), AppError> {
    check_chars(field, label, text, max)?;
    if text.chars().any(char::is_control) {
        return Err(AppError::field(field, format!("{label}含有控制字符")));
    }
    Ok(())
}

/// Refuses a text longer than `max` characters, naming the field.
pub fn check_chars(field: &str, label: &str, text: &str, max: usize) -> Result<(), AppError> {
    if text.chars().count() > max {
        return Err(AppError::field(
            field,
            format!(
                "{label}最多 {max} 个字符（现有 {} 个）",
                text.chars().count()
            ),
        ));
    }
    Ok(())
}

/// Tags and bylines within their limits, before they are cleaned and stored.
pub fn check_tags_and_bylines(
    tags: Option<&TagsInput>,
    bylines: Option<&[BylineInput]>,
) -> Result<(), AppError> {
    let tags = parse_tags(tags);
    if tags.len() > MAX_TAGS {
        return Err(AppError::field("tags", format!("最多 {MAX_TAGS} 个标签")));
    }
    for t in &tags {
        check_chars("tags", "每个标签", t, MAX_TAG_CHARS)?;
    }
    let bylines = bylines.unwrap_or_default();
    if bylines.len() > MAX_BYLINES {
        return Err(AppError::field(
            "bylines",
            format!("最多 {MAX_BYLINES} 条署名"),
        ));
    }
    for b in bylines {
        match b {
            BylineInput::Text(s) => check_chars(
                "bylines",
                "每条署名",
                s,
                MAX_BYLINE_ROLE_CHARS + MAX_BYLINE_NAME_CHARS + 1,
            )?,
            BylineInput::Parts { role, name } => {
                check_chars("bylines", "署名的角色", role, MAX_BYLINE_ROLE_CHARS)?;
                check_chars("bylines", "署名的姓名", name, MAX_BYLINE_NAME_CHARS)?;
            }
        }
    }
    Ok(())
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

/// Reads an RFC 3339 time, or the `datetime-local` form value (`2026-11-24T18:30`) as Shanghai
/// time.
pub fn parse_when(s: &str) -> Result<DateTime<FixedOffset>, AppError> {
    let s = s.trim();
    check_chars("at", "时间", s, MAX_TIME_CHARS)?;
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
    Err(AppError::field(
        "at",
        format!("{s:?} 不是有效的时间（例如 2026-12-01T08:00:00+08:00）"),
    ))
}

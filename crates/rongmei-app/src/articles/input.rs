//! What a writer sends, read once here: sanitised text fields, tags, bylines and times.

use chrono::{DateTime, FixedOffset};
use rongmei_core::Byline;
use serde::Deserialize;

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
    Err(AppError::Invalid(
        format!("at: {s:?} is not a time (expected RFC 3339, e.g. 2026-12-01T08:00:00+08:00)"),
        None,
    ))
}

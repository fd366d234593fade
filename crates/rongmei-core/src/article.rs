use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::body::Body;
use crate::column::Column;

/// Where an article stands in the 采编审发 workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    Submitted,
    FirstPassed,
    SecondPassed,
    Approved,
    Scheduled,
    Published,
    Retracted,
}

impl ArticleStatus {
    pub const ALL: [ArticleStatus; 8] = [
        Self::Draft,
        Self::Submitted,
        Self::FirstPassed,
        Self::SecondPassed,
        Self::Approved,
        Self::Scheduled,
        Self::Published,
        Self::Retracted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::FirstPassed => "first_passed",
            Self::SecondPassed => "second_passed",
            Self::Approved => "approved",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Retracted => "retracted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A person credited on an article, with the role Chinese newsrooms print: 文字, 摄影, 编辑, 审核 …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Byline {
    pub role: String,
    pub name: String,
}

impl Byline {
    /// Reads `文字：张三` or `摄影:李四`; a bare name is a 文字 credit.
    pub fn parse(s: &str) -> Option<Byline> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        match s.split_once(['：', ':']) {
            Some((role, name)) if !role.trim().is_empty() && !name.trim().is_empty() => {
                Some(Byline {
                    role: role.trim().to_string(),
                    name: name.trim().to_string(),
                })
            }
            _ => Some(Byline {
                role: "文字".to_string(),
                name: s.to_string(),
            }),
        }
    }
}

/// A stored article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub id: i64,
    /// Exactly as published, a leading 【label】 included.
    pub title: String,
    pub label: Option<String>,
    pub column: Column,
    pub tags: Vec<String>,
    pub bylines: Vec<Byline>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub summary: String,
    pub body: Body,
    /// The picture other places show for it (图片新闻, feeds, WeChat): chosen in the editor,
    /// else the body's first picture.
    pub cover: Option<String>,
    pub views: i64,
    pub status: ArticleStatus,
    pub source_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Article {
    pub fn is_public(&self) -> bool {
        self.status == ArticleStatus::Published
    }

    /// The picture shown for it: the cover, else the body's first picture.
    pub fn shown_cover(&self) -> Option<&str> {
        self.cover.as_deref().or(self.body.first_image())
    }

    /// The cover an editor chose: a stored cover that is not simply the first picture.
    pub fn chosen_cover(&self) -> Option<&str> {
        self.cover
            .as_deref()
            .filter(|c| Some(*c) != self.body.first_image())
    }
}

/// An article as it enters the system (import or newsroom), before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArticle {
    pub title: String,
    pub column: Option<String>,
    /// The column's ancestors, outermost first, for a column an import creates (a WordPress
    /// category's parents); an existing column keeps its place.
    pub column_parents: Vec<String>,
    pub tags: Vec<String>,
    pub bylines: Vec<Byline>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub summary: Option<String>,
    pub body: Body,
    pub views: Option<i64>,
    /// `published` for legacy archives; an export that keeps unfinished work brings `draft`,
    /// `submitted` (awaiting review) or `scheduled` (going out at `published_at`).
    pub status: ArticleStatus,
    pub source_id: Option<String>,
    /// Fields of a legacy record that Rongmei has no place for, kept verbatim so nothing is lost.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl NewArticle {
    /// The tags to store: the given ones plus the title's 【label】, without duplicates.
    pub fn effective_tags(&self) -> Vec<String> {
        effective_tags(&self.title, &self.tags)
    }

    /// The summary to store: the given one, else the first paragraph, shortened for listings.
    pub fn effective_summary(&self) -> String {
        effective_summary(self.summary.as_deref(), &self.body)
    }
}

/// The tags an article is stored with: the title's 【label】 first, then the given ones, trimmed
/// and without duplicates. Imports and the newsroom share this rule.
pub fn effective_tags(title: &str, given: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::with_capacity(given.len() + 1);
    if let Some(label) = label_of_title(title) {
        tags.push(label.to_string());
    }
    for t in given {
        let t = t.trim();
        if !t.is_empty() && !tags.iter().any(|x| x == t) {
            tags.push(t.to_string());
        }
    }
    tags
}

/// The summary an article is stored with: the given one, else its first paragraph shortened.
pub fn effective_summary(given: Option<&str>, body: &Body) -> String {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => truncate_chars(body.first_paragraph().unwrap_or(""), 160),
    }
}

/// The 【label】 a Chinese news title starts with (【主题教育】), without its brackets.
pub fn label_of_title(title: &str) -> Option<&str> {
    let rest = title.trim_start().strip_prefix('【')?;
    let (label, _) = rest.split_once('】')?;
    let label = label.trim();
    (!label.is_empty() && label.chars().count() <= 20).then_some(label)
}

pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_is_read_from_title_and_kept_as_tag() {
        let a = NewArticle {
            title: "【主题教育】西安交大党委宣传部开展联学".into(),
            column: None,
            column_parents: vec![],
            tags: vec!["主题教育".into(), "联学".into()],
            bylines: vec![],
            published_at: None,
            summary: None,
            body: Body::default(),
            views: None,
            status: ArticleStatus::Published,
            source_id: None,
            extra: Default::default(),
        };
        assert_eq!(label_of_title(&a.title), Some("主题教育"));
        assert_eq!(a.effective_tags(), ["主题教育", "联学"]);
        assert_eq!(label_of_title("没有标签"), None);
        assert_eq!(label_of_title("【】空"), None);
    }

    #[test]
    fn bylines_parse_roles() {
        assert_eq!(
            Byline::parse("摄影：李四"),
            Some(Byline {
                role: "摄影".into(),
                name: "李四".into()
            })
        );
        assert_eq!(Byline::parse("张三").map(|b| b.role), Some("文字".into()));
        assert_eq!(Byline::parse("  "), None);
    }

    #[test]
    fn status_round_trips() {
        for s in ArticleStatus::ALL {
            assert_eq!(ArticleStatus::parse(s.as_str()), Some(s));
        }
    }
}

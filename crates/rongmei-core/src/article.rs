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

    #[test]
    fn statuses_are_spelled_as_the_api_spells_them() {
        let names: Vec<&str> = ArticleStatus::ALL.into_iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "draft",
                "submitted",
                "first_passed",
                "second_passed",
                "approved",
                "scheduled",
                "published",
                "retracted",
            ]
        );
        assert_eq!(ArticleStatus::parse("初审"), None);
        assert_eq!(ArticleStatus::parse("Published"), None);
    }

    #[test]
    fn a_credit_reads_either_colon_and_trims_both_sides() {
        assert_eq!(
            Byline::parse("  编辑 : 王五 "),
            Some(Byline {
                role: "编辑".into(),
                name: "王五".into()
            })
        );
        assert_eq!(
            Byline::parse("审核：赵六"),
            Some(Byline {
                role: "审核".into(),
                name: "赵六".into()
            })
        );
    }

    #[test]
    fn a_credit_missing_its_role_or_its_name_is_kept_whole_as_a_text_credit() {
        for line in ["摄影：", "：李四"] {
            assert_eq!(
                Byline::parse(line),
                Some(Byline {
                    role: "文字".into(),
                    name: line.into()
                }),
                "{line}"
            );
        }
    }

    fn article(status: ArticleStatus, cover: Option<&str>, body: Body) -> Article {
        let at = chrono::DateTime::parse_from_rfc3339("2024-05-23T10:00:00+08:00").unwrap();
        Article {
            id: 42,
            title: "【西迁精神】交大师生重走西迁路".into(),
            label: Some("西迁精神".into()),
            column: Column {
                id: 1,
                slug: "news".into(),
                name: "新闻".into(),
                parent_id: None,
            },
            tags: vec!["西迁精神".into()],
            bylines: vec![],
            published_at: Some(at),
            summary: String::new(),
            body,
            cover: cover.map(str::to_string),
            views: 0,
            status,
            source_id: None,
            created_at: at.with_timezone(&Utc),
            updated_at: at.with_timezone(&Utc),
        }
    }

    fn illustrated() -> Body {
        Body {
            blocks: vec![
                crate::body::Block::Paragraph {
                    text: "5月23日，交大师生重走西迁路。".into(),
                },
                crate::body::Block::Image {
                    src: "/media/ab/xiqian.jpg".into(),
                    alt: "西迁纪念馆".into(),
                    caption: None,
                },
            ],
        }
    }

    #[test]
    fn only_a_published_article_is_public() {
        for status in ArticleStatus::ALL {
            assert_eq!(
                article(status, None, Body::default()).is_public(),
                status == ArticleStatus::Published,
                "{status:?}"
            );
        }
    }

    #[test]
    fn the_chosen_cover_wins_over_the_first_picture() {
        let a = article(
            ArticleStatus::Published,
            Some("/media/cd/banner.jpg"),
            illustrated(),
        );
        assert_eq!(a.shown_cover(), Some("/media/cd/banner.jpg"));
        assert_eq!(a.chosen_cover(), Some("/media/cd/banner.jpg"));
    }

    #[test]
    fn without_a_cover_the_first_picture_is_shown_but_not_counted_as_chosen() {
        let a = article(ArticleStatus::Published, None, illustrated());
        assert_eq!(a.shown_cover(), Some("/media/ab/xiqian.jpg"));
        assert_eq!(a.chosen_cover(), None);
        let same = article(
            ArticleStatus::Published,
            Some("/media/ab/xiqian.jpg"),
            illustrated(),
        );
        assert_eq!(same.chosen_cover(), None);
        let bare = article(ArticleStatus::Published, None, Body::default());
        assert_eq!(bare.shown_cover(), None);
    }

    fn new_article(title: &str, tags: &[&str], summary: Option<&str>, body: Body) -> NewArticle {
        NewArticle {
            title: title.into(),
            column: None,
            column_parents: vec![],
            tags: tags.iter().map(|t| t.to_string()).collect(),
            bylines: vec![],
            published_at: None,
            summary: summary.map(str::to_string),
            body,
            views: None,
            status: ArticleStatus::Draft,
            source_id: None,
            extra: Default::default(),
        }
    }

    #[test]
    fn tags_are_trimmed_and_blank_or_repeated_ones_dropped() {
        let a = new_article(
            "交大举行2024年毕业典礼",
            &[" 毕业典礼 ", "", "  ", "毕业典礼", "校园"],
            None,
            Body::default(),
        );
        assert_eq!(a.effective_tags(), ["毕业典礼", "校园"]);
        assert_eq!(effective_tags("没有标签", &[]), Vec::<String>::new());
    }

    #[test]
    fn a_summary_given_is_kept_trimmed() {
        let a = new_article(
            "交大举行2024年毕业典礼",
            &[],
            Some("  6月20日，学校举行毕业典礼。 "),
            illustrated(),
        );
        assert_eq!(a.effective_summary(), "6月20日，学校举行毕业典礼。");
    }

    #[test]
    fn without_a_summary_the_first_paragraph_stands_in() {
        for given in [None, Some(""), Some("   ")] {
            let a = new_article("交大师生重走西迁路", &[], given, illustrated());
            assert_eq!(a.effective_summary(), "5月23日，交大师生重走西迁路。");
        }
        assert_eq!(effective_summary(None, &Body::default()), "");
    }

    #[test]
    fn a_long_first_paragraph_is_cut_at_160_characters() {
        let long = "西".repeat(200);
        let body = Body {
            blocks: vec![crate::body::Block::Paragraph { text: long }],
        };
        let summary = effective_summary(None, &body);
        assert_eq!(summary, format!("{}…", "西".repeat(160)));
        assert_eq!(truncate_chars("交大新闻", 4), "交大新闻");
        assert_eq!(truncate_chars("交大新闻网", 4), "交大新闻…");
    }

    #[test]
    fn a_label_is_at_most_twenty_characters() {
        let twenty = "长".repeat(20);
        assert_eq!(
            label_of_title(&format!("  【{twenty}】标题")),
            Some(twenty.as_str())
        );
        assert_eq!(
            label_of_title(&format!("【{}】标题", "长".repeat(21))),
            None
        );
        assert_eq!(label_of_title("【 学术 】讲座预告"), Some("学术"));
        assert_eq!(label_of_title("【未闭合的标签"), None);
    }
}

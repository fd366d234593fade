//! The seed's plain-text format:
//!
//! ```text
//! 标题: 【主题教育】…
//! 发布日期: 日期：2023-06-01 22:05
//! 浏览次数: 1774
//! 正文内容:
//! first paragraph
//! …
//! ```

use std::path::Path;

use rongmei_core::{Body, Byline, NewArticle};

use crate::record::{ImportError, check_title, invalid, parse_time};

enum Field {
    Title,
    Date,
    Views,
    Column,
    Tags,
    Authors,
    Body,
}

fn field_of(label: &str) -> Option<Field> {
    Some(match label {
        "标题" | "题目" => Field::Title,
        "发布日期" | "发布时间" | "日期" | "时间" => Field::Date,
        "浏览次数" | "阅读次数" | "点击数" | "点击次数" | "浏览量" => {
            Field::Views
        }
        "栏目" => Field::Column,
        "标签" | "关键词" => Field::Tags,
        "作者" | "署名" => Field::Authors,
        "正文内容" | "正文" | "内容" => Field::Body,
        _ => return None,
    })
}

/// Splits `标题: value` or `标题：value`.
fn split_label(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once([':', '：'])?;
    Some((label.trim(), value.trim()))
}

/// `日期：2023-06-01` as the value of `发布日期` repeats (part of) its label: drop it.
fn strip_repeated_label<'a>(label: &str, value: &'a str) -> &'a str {
    match split_label(value) {
        Some((inner, rest))
            if !inner.is_empty() && (label.ends_with(inner) || inner.ends_with(label)) =>
        {
            rest
        }
        _ => value,
    }
}

pub fn parse_txt(file: &Path, text: &str) -> Result<NewArticle, ImportError> {
    let mut title: Option<String> = None;
    let mut published_at = None;
    let mut views = None;
    let mut column = None;
    let mut tags = Vec::new();
    let mut bylines = Vec::new();
    let mut body: Option<String> = None;

    let mut lines = text.lines().enumerate();
    while let Some((i, raw)) = lines.next() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let Some((label, value)) = split_label(line) else {
            return Err(invalid(
                file,
                line_no,
                format!("expected a `标签: 值` header line before 正文内容, found {line:?}"),
            ));
        };
        let Some(field) = field_of(label) else {
            return Err(invalid(
                file,
                line_no,
                format!("unknown header {label:?} (expected 标题, 发布日期, 浏览次数 or 正文内容)"),
            ));
        };
        let value = strip_repeated_label(label, value);
        match field {
            Field::Title => {
                check_title(file, line_no, value)?;
                title = Some(value.to_string());
            }
            Field::Date => {
                if !value.is_empty() {
                    published_at = Some(parse_time(value).ok_or_else(|| {
                        invalid(file, line_no, format!("cannot read the date {value:?}"))
                    })?);
                }
            }
            Field::Views => {
                let digits = value.trim_end_matches('次').trim().replace([',', '，'], "");
                if !digits.is_empty() {
                    let n: i64 = digits.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
                        invalid(
                            file,
                            line_no,
                            format!("views must be a whole number, found {value:?}"),
                        )
                    })?;
                    views = Some(n);
                }
            }
            Field::Column => column = Some(value.to_string()).filter(|c| !c.is_empty()),
            Field::Tags => {
                tags = value
                    .split([',', '，', '、', ' '])
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            Field::Authors => {
                bylines = value
                    .split(['，', ',', ' '])
                    .filter_map(Byline::parse)
                    .collect()
            }
            Field::Body => {
                let mut text = String::new();
                if !value.is_empty() {
                    text.push_str(value);
                }
                for (_, l) in lines.by_ref() {
                    text.push('\n');
                    text.push_str(l);
                }
                body = Some(text);
            }
        }
    }
    let title = title.ok_or_else(|| invalid(file, 1, "no 标题 line"))?;
    let body =
        body.ok_or_else(|| invalid(file, text.lines().count().max(1), "no 正文内容 line"))?;
    Ok(NewArticle {
        title,
        column,
        column_parents: Vec::new(),
        tags,
        bylines,
        published_at,
        summary: None,
        body: Body::from_plain_text(&body),
        views,
        status: rongmei_core::ArticleStatus::Published,
        source_id: None,
        extra: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rongmei_core::Block;

    const SEED: &str = include_str!("../../../fixtures/seed/000_110ea0537603b210.txt");

    #[test]
    fn seed_parses_exactly() {
        let a = parse_txt(Path::new("seed.txt"), SEED).unwrap();
        assert_eq!(
            a.title,
            "【主题教育】西安交大党委宣传部与西工大、上海交大、同济大学三所高校党委宣传部开展主题教育联学实践活动"
        );
        assert_eq!(
            a.published_at.unwrap().to_rfc3339(),
            "2023-06-01T22:05:00+08:00"
        );
        assert_eq!(a.views, Some(1774));
        let headings: Vec<&str> = a
            .body
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings,
            [
                "凝聚合力 创新高校宣传思想文化工作新路径",
                "传承弘扬西迁精神 为宣传思想文化工作注入新活力",
                "守正创新奋力开创宣传思想文化工作新局面"
            ]
        );
        let source_paragraphs: Vec<&str> = SEED
            .split_once("正文内容:")
            .unwrap()
            .1
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(
            a.body.to_text().lines().collect::<Vec<_>>(),
            source_paragraphs
        );
        assert_eq!(a.body.blocks.len(), 22);
    }

    #[test]
    fn missing_date_and_views_are_allowed() {
        let a = parse_txt(Path::new("x.txt"), "标题：无日期\n正文内容：\n一段。\n").unwrap();
        assert_eq!(a.published_at, None);
        assert_eq!(a.views, None);
        assert_eq!(a.body.to_text(), "一段。");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_txt(
            Path::new("x.txt"),
            "标题: 好\n发布日期: 昨天\n正文内容:\n段。",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "x.txt:2: cannot read the date \"昨天\"");
        let e = parse_txt(
            Path::new("x.txt"),
            "标题: 好\n浏览次数: 很多\n正文内容:\n段。",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("x.txt:2: views"), "{e}");
        let e = parse_txt(Path::new("x.txt"), "发布日期: 2023-01-01\n正文内容:\n段。").unwrap_err();
        assert!(e.to_string().contains("no 标题"), "{e}");
        let e = parse_txt(Path::new("x.txt"), "标题: 好\n段。").unwrap_err();
        assert!(e.to_string().starts_with("x.txt:2:"), "{e}");
    }
}

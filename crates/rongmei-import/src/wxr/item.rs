//! One `<item>` of an export and what it becomes.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use rongmei_core::{Byline, NewArticle};
use serde_json::json;

use super::content;
use super::report::WxrImport;
use crate::record::{ImportError, Record, check_title, parse_time};

/// A `<category>` of an item: `domain` is `category` or `post_tag`.
#[derive(Debug, Clone)]
pub struct Term {
    pub domain: String,
    pub nicename: String,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Item {
    pub line: usize,
    fields: BTreeMap<String, String>,
    pub terms: Vec<Term>,
    pub meta: Vec<(String, String)>,
    pub comments: Vec<BTreeMap<String, String>>,
}

impl Item {
    pub fn new(line: usize) -> Item {
        Item {
            line,
            ..Item::default()
        }
    }

    pub fn set(&mut self, name: &str, text: String) {
        self.fields.insert(name.to_string(), text);
    }

    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// `wp:post_date` is the site's local time and `wp:post_date_gmt` the same instant in UTC; their
/// difference is the site's offset at the time. A draft's GMT date is `0000-00-00 00:00:00`;
/// then the local time is taken as Beijing time, as for every import without an offset.
fn post_time(local: &str, gmt: &str) -> Option<DateTime<FixedOffset>> {
    let fmt = "%Y-%m-%d %H:%M:%S";
    let l = NaiveDateTime::parse_from_str(local.trim(), fmt).ok();
    let g = NaiveDateTime::parse_from_str(gmt.trim(), fmt).ok();
    match (l, g) {
        (Some(l), Some(g)) => {
            let secs = (l - g).num_seconds();
            // Offsets are whole minutes; a second or two of skew is rounding in the export.
            let secs = ((secs as f64 / 60.0).round() as i32) * 60;
            let offset = FixedOffset::east_opt(secs)?;
            l.and_local_timezone(offset).single()
        }
        (Some(_), None) => parse_time(local),
        (None, Some(g)) => Some(g.and_utc().fixed_offset()),
        (None, None) => None,
    }
}

/// Turns the items into records (published posts) and counts the rest.
pub fn finish(
    path: &Path,
    items: Vec<Item>,
    authors: &BTreeMap<String, String>,
    categories: &BTreeMap<String, (String, String)>,
    out: &mut WxrImport,
) -> Result<(), ImportError> {
    // Attachments first: galleries and covers name them by id.
    let attachments: BTreeMap<String, String> = items
        .iter()
        .filter(|i| i.get("wp:post_type") == "attachment")
        .map(|i| {
            let url = match i.get("wp:attachment_url") {
                "" => i.get("guid"),
                u => u,
            };
            (
                i.get("wp:post_id").trim().to_string(),
                url.trim().to_string(),
            )
        })
        .collect();
    let site = out.report.site.clone().unwrap_or_default();
    for item in items {
        let kind = match item.get("wp:post_type") {
            "" => "post",
            k => k,
        }
        .to_string();
        let status = item.get("wp:status").trim().to_string();
        *out.report
            .items
            .entry(format!("{kind}/{status}"))
            .or_default() += 1;
        if kind != "post" || status != "publish" {
            continue;
        }
        let line = item.line;
        let title = item.get("title").trim().to_string();
        check_title(path, line, &title)?;
        let post_id = item.get("wp:post_id").trim().to_string();
        let mut warn = |m: String| {
            out.report
                .warnings
                .push(format!("{}:{line}: {m}", path.display()))
        };
        let html = content::wordpress_html(item.get("content:encoded"), &attachments, &mut warn);
        let mut body = rongmei_html::body_from_html(&html);
        // The featured image (`_thumbnail_id`) is the cover: first in the body.
        if let Some(cover) = item
            .meta("_thumbnail_id")
            .and_then(|id| attachments.get(id.trim()))
            && !body
                .blocks
                .iter()
                .any(|b| matches!(b, rongmei_core::Block::Image { src, .. } if src == cover))
        {
            body.blocks.insert(
                0,
                rongmei_core::Block::Image {
                    src: cover.clone(),
                    alt: String::new(),
                    caption: None,
                },
            );
        }
        let in_domain = |d: &str| -> Vec<String> {
            item.terms
                .iter()
                .filter(|t| t.domain == d && !t.name.is_empty())
                .map(|t| t.name.clone())
                .collect()
        };
        let cats = in_domain("category");
        let tags = in_domain("post_tag");
        // The column is the first category; a child category names its parent too, kept with
        // the record for when columns have parents.
        let column = cats.first().cloned();
        let parent = item
            .terms
            .iter()
            .find(|t| t.domain == "category")
            .and_then(|t| categories.get(&t.nicename))
            .and_then(|(_, p)| categories.get(p))
            .map(|(name, _)| name.clone());
        let creator = item.get("dc:creator").trim();
        let bylines = (!creator.is_empty())
            .then(|| Byline {
                role: "文字".into(),
                name: authors
                    .get(creator)
                    .cloned()
                    .unwrap_or_else(|| creator.to_string()),
            })
            .into_iter()
            .collect();
        let excerpt = item.get("excerpt:encoded").trim();
        let link = item.get("link").trim().to_string();
        let source_id = format!("wxr:{site}:{post_id}");
        if !link.is_empty() {
            out.report
                .permalinks
                .push((link.clone(), source_id.clone()));
        }
        let mut extra = serde_json::Map::new();
        extra.insert(
            "wordpress".into(),
            json!({
                "post_id": post_id,
                "link": link,
                "post_name": item.get("wp:post_name").trim(),
                "categories": cats,
                "parent_category": parent,
                "comments": item.comments,
            }),
        );
        let article = NewArticle {
            title,
            column,
            tags,
            bylines,
            published_at: post_time(item.get("wp:post_date"), item.get("wp:post_date_gmt")),
            summary: (!excerpt.is_empty()).then(|| rongmei_html::sanitize_text_field(excerpt)),
            body,
            views: None,
            source_id: Some(source_id),
            extra,
        };
        out.records.push(Record {
            file: path.to_path_buf(),
            line,
            article,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_the_difference_of_local_and_gmt_dates() {
        let t = post_time("2012-05-14 19:46:16", "2012-05-14 11:46:16").expect("time");
        assert_eq!(t.to_rfc3339(), "2012-05-14T19:46:16+08:00");
        let t = post_time("2012-05-14 06:46:16", "2012-05-14 11:46:16").expect("time");
        assert_eq!(t.to_rfc3339(), "2012-05-14T06:46:16-05:00");
        // A draft's GMT date is zeros: Beijing time.
        let t = post_time("2012-05-14 19:46:16", "0000-00-00 00:00:00").expect("time");
        assert_eq!(t.to_rfc3339(), "2012-05-14T19:46:16+08:00");
    }
}

//! One `<item>` of an export and what it becomes.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use rongmei_core::{ArticleStatus, Byline, NewArticle};
use serde_json::json;

use super::content;
use super::report::{Header, WxrReport, status_of};
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

/// The title of a post that has none.
const UNTITLED: &str = "（无标题）";

/// What items refer to: authors, categories and attachments by id.
#[derive(Debug, Clone, Default)]
pub struct Context {
    site: String,
    authors: BTreeMap<String, String>,
    categories: BTreeMap<String, (String, String)>,
    attachments: BTreeMap<String, String>,
}

impl Context {
    pub(crate) fn new(header: &Header, attachments: BTreeMap<String, String>) -> Context {
        Context {
            site: header.site.clone().unwrap_or_default(),
            authors: header.authors.clone(),
            categories: header.categories.clone(),
            attachments,
        }
    }

    /// A category's ancestors' names, outermost first (a loop in broken exports ends it).
    fn ancestors(&self, nicename: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = vec![nicename.to_string()];
        let mut at = self.categories.get(nicename).map(|(_, p)| p.clone());
        while let Some(parent) = at.filter(|p| !p.is_empty() && !seen.contains(p)) {
            let Some((name, next)) = self.categories.get(&parent) else {
                break;
            };
            out.push(name.clone());
            seen.push(parent);
            at = Some(next.clone());
        }
        out.reverse();
        out
    }
}

fn kind_of(item: &Item) -> (&str, &str) {
    let kind = match item.get("wp:post_type").trim() {
        "" => "post",
        k => k,
    };
    (kind, item.get("wp:status").trim())
}

/// Counts an item (and its comments) in the report.
pub fn count(item: &Item, report: &mut WxrReport) {
    let (kind, status) = kind_of(item);
    *report.items.entry(format!("{kind}/{status}")).or_default() += 1;
    report.comments += item.comments.len();
}

/// An attachment's id and URL.
pub fn attachment(item: &Item) -> Option<(String, String)> {
    (kind_of(item).0 == "attachment").then(|| {
        let url = match item.get("wp:attachment_url") {
            "" => item.get("guid"),
            u => u,
        };
        (
            item.get("wp:post_id").trim().to_string(),
            url.trim().to_string(),
        )
    })
}

pub fn attachments(items: &[Item]) -> BTreeMap<String, String> {
    items.iter().filter_map(attachment).collect()
}

/// The record a post becomes, with warnings and its permalink in the report; `None` for
/// what is not imported.
pub fn convert(
    path: &Path,
    item: Item,
    ctx: &Context,
    report: &mut WxrReport,
) -> Result<Option<Record>, ImportError> {
    let (kind, wp_status) = kind_of(&item);
    let Some(status) = status_of(wp_status).filter(|_| kind == "post") else {
        return Ok(None);
    };
    let wp_status = wp_status.to_string();
    let line = item.line;
    let post_id = item.get("wp:post_id").trim().to_string();
    let mut warn = |m: String| {
        report
            .warnings
            .push(format!("{}:{line}: {m}", path.display()))
    };
    // WordPress lets a post go without a title (its lists say "(no title)"); so do we, named.
    let title = match item.get("title").trim() {
        "" => {
            warn(format!("文章 {post_id} 没有标题，导入为「{UNTITLED}」"));
            UNTITLED.to_string()
        }
        t => t.to_string(),
    };
    check_title(path, line, &title)?;
    if wp_status == "private" {
        warn(format!(
            "文章 {post_id}「{title}」在 WordPress 中是私密文章，导入为草稿，不公开"
        ));
    }
    let html = content::wordpress_html(item.get("content:encoded"), &ctx.attachments, &mut warn);
    let mut body = rongmei_html::body_from_html(&html);
    // The featured image (`_thumbnail_id`) is the cover: first in the body.
    if let Some(cover) = item
        .meta("_thumbnail_id")
        .and_then(|id| ctx.attachments.get(id.trim()))
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
    // The column is the first category, created under its parent categories when new.
    let column = cats.first().cloned();
    let column_parents = item
        .terms
        .iter()
        .find(|t| t.domain == "category" && !t.name.is_empty())
        .map(|t| ctx.ancestors(&t.nicename))
        .unwrap_or_default();
    let creator = item.get("dc:creator").trim();
    let bylines = (!creator.is_empty())
        .then(|| Byline {
            role: "文字".into(),
            name: ctx
                .authors
                .get(creator)
                .cloned()
                .unwrap_or_else(|| creator.to_string()),
        })
        .into_iter()
        .collect();
    let excerpt = item.get("excerpt:encoded").trim();
    let link = item.get("link").trim().to_string();
    let source_id = format!("wxr:{}:{post_id}", ctx.site);
    if !link.is_empty() && status == ArticleStatus::Published {
        report.permalinks.push((link.clone(), source_id.clone()));
    }
    let mut extra = serde_json::Map::new();
    extra.insert(
        "wordpress".into(),
        json!({
            "post_id": post_id,
            "link": link,
            "post_name": item.get("wp:post_name").trim(),
            "status": wp_status,
            "post_date": item.get("wp:post_date").trim(),
            "categories": cats,
            "comments": item.comments,
        }),
    );
    let article = NewArticle {
        title,
        column,
        column_parents,
        tags,
        bylines,
        published_at: post_time(item.get("wp:post_date"), item.get("wp:post_date_gmt")),
        summary: (!excerpt.is_empty()).then(|| rongmei_html::sanitize_text_field(excerpt)),
        body,
        views: None,
        status,
        source_id: Some(source_id),
        extra,
    };
    Ok(Some(Record {
        file: path.to_path_buf(),
        line,
        article,
    }))
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

//! Feeds of published articles in RSS 2.0, Atom 1.0 and JSON Feed 1.1, written from the public
//! projection (absolute URLs throughout) by the formats' own crates, so escaping and CDATA
//! (a body holding `]]>`) are theirs to get right.
//!
//! XML forbids most control characters even escaped; a stray U+0008 in an imported title has
//! broken real sites' feeds, so every text is cleaned with [`xml_text`] before it is written.

use chrono::{DateTime, FixedOffset};
use rongmei_app::public::{FeedData, PublicArticle};
use rongmei_core::body::escape_html;
use rongmei_core::{FeedFormat, Links};
use serde::Serialize;

/// Media RSS, for the picture of each item.
const MEDIA_NAMESPACE: &str = "http://search.yahoo.com/mrss/";

/// Writes a feed in `format`.
pub fn render(format: FeedFormat, links: &Links, data: &FeedData) -> String {
    match format {
        FeedFormat::Rss => rss(links, data),
        FeedFormat::Atom => atom(links, data),
        FeedFormat::Json => json(links, data),
    }
}

/// Text without the characters XML 1.0 does not allow (C0 controls other than tab, newline and
/// carriage return; U+FFFE and U+FFFF). Surrogates cannot occur in a Rust string.
pub fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
                || c >= '\u{10000}'
        })
        .collect()
}

struct Heading {
    title: String,
    description: String,
    /// The page the feed follows: the home page, the column's or the special's page.
    page_url: String,
    /// The feed's own address.
    self_url: String,
}

fn heading(links: &Links, data: &FeedData, format: FeedFormat) -> Heading {
    if let Some(s) = &data.special {
        return Heading {
            title: xml_text(&format!("{} · {}", s.name, data.site_name)),
            description: xml_text(if s.description.trim().is_empty() {
                &s.name
            } else {
                &s.description
            }),
            page_url: links.special_url(&s.slug),
            self_url: links.absolute(&links.special_feed(format, &s.slug)),
        };
    }
    match &data.column {
        Some(c) => Heading {
            title: xml_text(&format!("{} · {}", c.name, data.site_name)),
            description: xml_text(&format!("{}「{}」栏目的最新文章", data.site_name, c.name)),
            page_url: links.column_url(&c.slug),
            self_url: links.feed_url(format, Some(&c.slug)),
        },
        None => Heading {
            title: xml_text(&data.site_name),
            description: xml_text(&format!("{}的最新文章", data.site_name)),
            page_url: links.absolute(&links.home()),
            self_url: links.feed_url(format, None),
        },
    }
}

fn published(a: &PublicArticle) -> Option<DateTime<FixedOffset>> {
    a.published_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
}

/// The byline as a reader sees it: `文字：张三`.
fn authors(a: &PublicArticle) -> Vec<String> {
    a.bylines
        .iter()
        .map(|b| xml_text(&format!("{}：{}", b.role, b.name)))
        .collect()
}

/// The column first, then the tags.
fn categories(a: &PublicArticle) -> Vec<String> {
    std::iter::once(&a.column_name)
        .chain(&a.tags)
        .map(|t| xml_text(t))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The body as the feed carries it: the picture first when the body has none inline at the top
/// (readers show it as the item's image), then the body.
fn content_html(a: &PublicArticle) -> String {
    let body = xml_text(&a.body_html);
    match &a.image {
        Some(src) if !body.contains(src.as_str()) => {
            format!("<p><img src=\"{}\" alt=\"\"></p>{body}", escape_html(src))
        }
        _ => body,
    }
}

fn rss(links: &Links, data: &FeedData) -> String {
    use rss::extension::{Extension, ExtensionMap, atom, dublincore::DublinCoreExtension};

    let h = heading(links, data, FeedFormat::Rss);
    let self_url = h.self_url.clone();
    let items = data
        .items
        .iter()
        .map(|a| {
            let mut extensions = ExtensionMap::default();
            if let Some(src) = &a.image {
                let media = Extension {
                    name: "media:content".into(),
                    attrs: [
                        ("url".to_string(), src.clone()),
                        ("medium".to_string(), "image".to_string()),
                    ]
                    .into(),
                    ..Extension::default()
                };
                extensions.insert(
                    "media".into(),
                    [("content".to_string(), vec![media])].into(),
                );
            }
            rss::Item {
                title: Some(xml_text(&a.title)),
                link: Some(a.url.clone()),
                description: Some(xml_text(&a.summary)),
                content: Some(content_html(a)),
                guid: Some(rss::Guid {
                    value: a.url.clone(),
                    permalink: true,
                }),
                pub_date: published(a).map(|t| t.to_rfc2822()),
                categories: categories(a)
                    .into_iter()
                    .map(|name| rss::Category { name, domain: None })
                    .collect(),
                dublin_core_ext: Some(DublinCoreExtension {
                    creators: authors(a),
                    ..DublinCoreExtension::default()
                }),
                extensions,
                ..rss::Item::default()
            }
        })
        .collect();
    let channel = rss::Channel {
        title: h.title,
        link: h.page_url,
        description: h.description,
        language: Some("zh-CN".into()),
        generator: Some("Rongmei".into()),
        last_build_date: data
            .items
            .first()
            .and_then(published)
            .map(|t| t.to_rfc2822()),
        atom_ext: Some(atom::AtomExtension {
            links: vec![atom::Link {
                href: self_url,
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..atom::Link::default()
            }],
        }),
        namespaces: [("media".to_string(), MEDIA_NAMESPACE.to_string())].into(),
        items,
        ..rss::Channel::default()
    };
    channel.to_string()
}

fn atom(links: &Links, data: &FeedData) -> String {
    use atom_syndication as a;

    let h = heading(links, data, FeedFormat::Atom);
    let self_url = h.self_url.clone();
    // An empty feed still needs an `updated`: the epoch says "nothing yet" without inventing.
    let epoch = || DateTime::<FixedOffset>::default();
    let entries = data
        .items
        .iter()
        .map(|article| {
            let when = published(article).unwrap_or_else(epoch);
            let mut links = vec![a::Link {
                href: article.url.clone(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..a::Link::default()
            }];
            if let Some(src) = &article.image {
                links.push(a::Link {
                    href: src.clone(),
                    rel: "enclosure".into(),
                    mime_type: Some(image_type(src).into()),
                    ..a::Link::default()
                });
            }
            let mut authors: Vec<a::Person> = authors(article)
                .into_iter()
                .map(|name| a::Person {
                    name,
                    ..a::Person::default()
                })
                .collect();
            if authors.is_empty() {
                // Atom wants an author on every entry without a feed-level one.
                authors.push(a::Person {
                    name: xml_text(&data.site_name),
                    ..a::Person::default()
                });
            }
            a::Entry {
                title: a::Text::plain(xml_text(&article.title)),
                id: article.url.clone(),
                updated: when,
                published: Some(when),
                authors,
                categories: categories(article)
                    .into_iter()
                    .map(|term| a::Category {
                        term,
                        ..a::Category::default()
                    })
                    .collect(),
                links,
                summary: Some(a::Text::plain(xml_text(&article.summary))),
                content: Some(a::Content {
                    value: Some(content_html(article)),
                    content_type: Some("html".into()),
                    ..a::Content::default()
                }),
                ..a::Entry::default()
            }
        })
        .collect();
    let feed = a::Feed {
        title: a::Text::plain(h.title),
        id: h.page_url.clone(),
        updated: data.items.first().and_then(published).unwrap_or_else(epoch),
        subtitle: Some(a::Text::plain(h.description)),
        generator: Some(a::Generator {
            value: "Rongmei".into(),
            ..a::Generator::default()
        }),
        links: vec![
            a::Link {
                href: self_url,
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..a::Link::default()
            },
            a::Link {
                href: h.page_url,
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..a::Link::default()
            },
        ],
        lang: Some("zh-CN".into()),
        entries,
        ..a::Feed::default()
    };
    feed.to_string()
}

/// The media type a picture's file name says (our uploads are JPEG, PNG, GIF or WebP).
fn image_type(src: &str) -> &'static str {
    let lower = src.to_ascii_lowercase();
    if lower.ends_with(".png") {
        "image/png"
    } else if lower.ends_with(".gif") {
        "image/gif"
    } else if lower.ends_with(".webp") {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

#[derive(Serialize)]
struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    description: String,
    language: &'static str,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    title: String,
    content_html: String,
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
}

#[derive(Serialize)]
struct JsonAuthor {
    name: String,
}

fn json(links: &Links, data: &FeedData) -> String {
    let h = heading(links, data, FeedFormat::Json);
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        feed_url: h.self_url.clone(),
        title: h.title,
        home_page_url: h.page_url,
        description: h.description,
        language: "zh-CN",
        items: data
            .items
            .iter()
            .map(|a| JsonItem {
                id: a.url.clone(),
                url: a.url.clone(),
                title: xml_text(&a.title),
                content_html: content_html(a),
                summary: xml_text(&a.summary),
                image: a.image.clone(),
                date_published: published(a).map(|t| t.to_rfc3339()),
                authors: authors(a)
                    .into_iter()
                    .map(|name| JsonAuthor { name })
                    .collect(),
                tags: categories(a),
            })
            .collect(),
    };
    // Serialising plain strings and vectors cannot fail; an empty object would still be JSON.
    serde_json::to_string(&feed).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_are_dropped_and_the_rest_kept() {
        assert_eq!(
            xml_text("标题\u{8}\u{0}\u{b}\u{c}\u{1f}\u{fffe}\u{ffff} 🎉\t\n"),
            "标题 🎉\t\n"
        );
    }

    #[test]
    fn image_types_follow_the_file_name() {
        assert_eq!(image_type("https://x/a.PNG"), "image/png");
        assert_eq!(image_type("https://x/a.jpg"), "image/jpeg");
        assert_eq!(image_type("https://x/a.webp"), "image/webp");
    }
}

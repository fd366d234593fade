//! Sitemaps for Google and Baidu: the site's pages and every published article with its last
//! content change and first picture, split into children before either limit (50,000 URLs,
//! 10 MB — Baidu's), a Google News sitemap of the last 48 hours, and `robots.txt` naming them.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rongmei_app::public::SitemapData;
use rongmei_core::Links;

use crate::feeds::xml_text;

/// URLs one sitemap may list (the protocol's limit).
pub const MAX_URLS: usize = 50_000;
/// Bytes one sitemap may take, uncompressed (Baidu's limit; the protocol allows 50 MB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Baidu ignores longer addresses.
pub const MAX_LOC_BYTES: usize = 256;
/// A Google News sitemap lists what was published this recently, at most [`NEWS_MAX`].
pub const NEWS_HOURS: i64 = 48;
pub const NEWS_MAX: usize = 1000;

const URLSET_OPEN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// The whole set, written at once.
pub struct SitemapSet {
    /// The sitemaps listing the URLs, each within both limits.
    pub children: Vec<String>,
    /// What `/sitemap.xml` answers: the only child while one is enough, else the index.
    pub root: String,
    pub news: String,
}

/// One URL as a sitemap lists it.
struct Entry {
    loc: String,
    lastmod: Option<DateTime<Utc>>,
    image: Option<String>,
}

fn escape(s: &str) -> String {
    xml_text(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn w3c(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Entry {
    fn xml(&self) -> String {
        let mut out = format!("<url><loc>{}</loc>", escape(&self.loc));
        if let Some(t) = &self.lastmod {
            out.push_str(&format!("<lastmod>{}</lastmod>", w3c(t)));
        }
        if let Some(img) = &self.image {
            out.push_str(&format!(
                "<image:image><image:loc>{}</image:loc></image:image>",
                escape(img)
            ));
        }
        out.push_str("</url>\n");
        out
    }
}

/// Sitemaps listing `entries`, a new one begun before either limit would be passed.
fn split(entries: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut children = Vec::new();
    let mut current = String::from(URLSET_OPEN);
    let mut count = 0;
    for e in entries {
        if count == MAX_URLS || current.len() + e.len() + URLSET_CLOSE.len() > MAX_BYTES {
            current.push_str(URLSET_CLOSE);
            children.push(std::mem::replace(&mut current, String::from(URLSET_OPEN)));
            count = 0;
        }
        current.push_str(&e);
        count += 1;
    }
    current.push_str(URLSET_CLOSE);
    children.push(current);
    children
}

/// Writes the sitemaps, the index when there is more than one, and the news sitemap.
pub fn build(links: &Links, data: &SitemapData, now: DateTime<Utc>) -> SitemapSet {
    let newest = data.articles.iter().map(|a| a.lastmod).max();
    let pages = std::iter::once(Entry {
        loc: links.absolute(&links.home()),
        lastmod: newest,
        image: None,
    })
    .chain(data.columns.iter().map(|c| Entry {
        loc: links.column_url(&c.slug),
        lastmod: None,
        image: None,
    }))
    .chain(data.specials.iter().map(|slug| Entry {
        loc: links.special_url(slug),
        lastmod: None,
        image: None,
    }));
    let articles = data.articles.iter().map(|a| Entry {
        loc: links.article_url(a.id),
        lastmod: Some(a.lastmod),
        image: a.image.as_deref().map(|src| links.absolute(src)),
    });
    let entries = pages
        .chain(articles)
        // An address Baidu would ignore is left out rather than failing the whole file.
        .filter(|e| e.loc.len() <= MAX_LOC_BYTES)
        .map(|mut e| {
            e.image = e.image.filter(|i| i.len() <= MAX_LOC_BYTES);
            e.xml()
        });
    let children = split(entries);
    let root = if children.len() == 1 {
        children[0].clone()
    } else {
        index(links, &children, data)
    };
    SitemapSet {
        news: news(links, data, now),
        root,
        children,
    }
}

/// The index of the children; each child's `lastmod` is the latest among its articles.
fn index(links: &Links, children: &[String], data: &SitemapData) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // Children follow the article order, so each child's newest change is found by counting.
    let mut articles = data.articles.iter();
    for (n, child) in children.iter().enumerate() {
        let urls = child.matches("<url>").count();
        let pages = if n == 0 {
            1 + data.columns.len() + data.specials.len()
        } else {
            0
        };
        let latest = articles
            .by_ref()
            .take(urls.saturating_sub(pages))
            .map(|a| a.lastmod)
            .max();
        out.push_str(&format!(
            "<sitemap><loc>{}</loc>",
            escape(&links.absolute(&links.sitemap_child(n + 1)))
        ));
        if let Some(t) = latest {
            out.push_str(&format!("<lastmod>{}</lastmod>", w3c(&t)));
        }
        out.push_str("</sitemap>\n");
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// Google News: what was published in the last 48 hours, newest first, at most 1,000.
fn news(links: &Links, data: &SitemapData, now: DateTime<Utc>) -> String {
    let since = now - Duration::hours(NEWS_HOURS);
    let mut recent: Vec<_> = data
        .articles
        .iter()
        .filter_map(|a| a.published_at.map(|t| (t, a)))
        .filter(|(t, _)| t.with_timezone(&Utc) >= since && t.with_timezone(&Utc) <= now)
        .collect();
    recent.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for (t, a) in recent.into_iter().take(NEWS_MAX) {
        out.push_str(&format!(
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name><news:language>zh-cn</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>\n",
            escape(&links.article_url(a.id)),
            escape(&data.site_name),
            t.to_rfc3339_opts(SecondsFormat::Secs, true),
            escape(&a.title),
        ));
    }
    out.push_str(URLSET_CLOSE);
    out
}

/// `robots.txt`: everything public may be crawled, the newsroom, admin pages and API may not,
/// and the sitemaps are named.
pub fn robots(links: &Links) -> String {
    let mut out = String::from("User-agent: *\n");
    for p in links.private_prefixes() {
        out.push_str(&format!("Disallow: {p}\n"));
    }
    out.push_str(&format!(
        "Allow: /\n\nSitemap: {}\nSitemap: {}\n",
        links.sitemap_url(),
        links.news_sitemap_url()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_split_before_either_limit() {
        let entry =
            |i: usize| format!("<url><loc>https://news.example.edu.cn/articles/{i}</loc></url>\n");
        // 120,001 articles and a page: three children, the last one short.
        let children = split((0..120_002).map(entry));
        assert_eq!(children.len(), 3);
        let counts: Vec<usize> = children
            .iter()
            .map(|c| c.matches("<url>").count())
            .collect();
        assert_eq!(counts, vec![50_000, 50_000, 20_002]);
        assert!(
            children
                .iter()
                .all(|c| c.len() <= MAX_BYTES && c.ends_with(URLSET_CLOSE))
        );
        // Long entries: the byte limit comes first.
        let long = |i: usize| format!("<url><loc>https://x/{i}/{}</loc></url>\n", "a".repeat(400));
        let children = split((0..60_000).map(long));
        assert!(children.len() >= 3, "{}", children.len());
        assert!(children.iter().all(|c| c.len() <= MAX_BYTES));
        assert_eq!(
            children
                .iter()
                .map(|c| c.matches("<url>").count())
                .sum::<usize>(),
            60_000
        );
    }

    #[test]
    fn text_is_escaped_and_cleaned() {
        assert_eq!(escape("a&b<c>\u{8}\"'"), "a&amp;b&lt;c&gt;&quot;&apos;");
    }
}

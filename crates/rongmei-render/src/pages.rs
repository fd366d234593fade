//! The public pages: article (live, preview, export), home, column, search and error.

use askama::Template;
use rongmei_app::site::nav::SiteInfo;
use rongmei_app::site::pages::{ArticleData, ColumnData, HomeData};
use rongmei_core::{Article, Column, Links};
use rongmei_store::ArticleSummary;

use crate::assets::{CSS_VERSION, SUGGEST_JS_VERSION};
use crate::error::RenderError;

/// Where the live view count goes in a rendered article page.
const VIEWS_MARKER: &str = "<!--rongmei:views-->";

/// What every page carries around its content.
pub struct Chrome<'a> {
    pub name: &'a str,
    pub nav: &'a [Column],
    pub css_version: &'static str,
    pub suggest_version: &'static str,
    pub links: &'a Links,
    /// Where the search form goes: this site's search page, or the live server's.
    pub search_action: String,
    /// The API's address for the footer; a static copy without a live server has none.
    pub api_link: Option<String>,
    /// The page is a static copy: what needs the server (search) says so.
    pub exported: bool,
}

/// Renders pages with the site's links.
#[derive(Debug, Clone)]
pub struct Renderer {
    links: Links,
    served: Served,
}

/// Where the rendered pages are served from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Served {
    /// By this server.
    Live,
    /// As static files; search, the API and view counts are answered by the live server at
    /// `api_base`, or, without one, under the same host (a proxy sends `/api/` and `/search`
    /// there).
    Export { api_base: Option<String> },
}

/// Who an article page is for.
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    /// Readers of this server: the page counts its view here (the script covers cached copies).
    Live { view_token: &'a str },
    /// Newsroom staff previewing: nothing is counted.
    Preview,
    /// A static copy: the script counts on the live server of [`Renderer::for_export`].
    Export { view_token: &'a str },
}

/// An article page with a hole where the live view count goes.
#[derive(Debug, Clone)]
pub struct ArticleHtml {
    pub prefix: String,
    pub suffix: String,
}

impl ArticleHtml {
    /// The page with this count (or a placeholder, on a static copy) in its hole.
    pub fn with_views(&self, views: impl std::fmt::Display) -> String {
        format!("{}{views}{}", self.prefix, self.suffix)
    }
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage<'a> {
    site: Chrome<'a>,
    a: &'a Article,
    body_html: String,
    views_marker: &'static str,
    view_token: &'a str,
    views_url: String,
    newer: &'a Option<ArticleSummary>,
    older: &'a Option<ArticleSummary>,
    count_views: bool,
    /// Staff are looking at an article readers cannot see yet: the page must say so.
    unpublished_preview: bool,
    /// The people, organisations and places it mentions, each linking to its page.
    entities: Vec<crate::entity_links::EntityGroup>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    site: Chrome<'a>,
    specials: &'a [rongmei_core::Special],
    pictures: &'a [rongmei_store::PictureArticle],
    latest: &'a [ArticleSummary],
    popular: &'a [ArticleSummary],
    blocks: &'a [rongmei_app::site::pages::ColumnBlock],
}

impl HomePage<'_> {
    /// The `srcset` of a stored picture: a 960-wide version (`NAME-960.jpg`) always has a
    /// 320-wide sibling, so a phone loads the small one. Originals and pictures on other hosts
    /// have none.
    fn srcset(&self, src: &str) -> Option<String> {
        picture_srcset(src)
    }
}

pub(crate) fn picture_srcset(src: &str) -> Option<String> {
    use rongmei_media::{THUMB_WIDTHS, URL_PREFIX};
    let [small, display] = THUMB_WIDTHS;
    let rest = src.strip_prefix(URL_PREFIX)?;
    let (stem, ext) = rest.rsplit_once('.')?;
    let base = stem.strip_suffix(&format!("-{display}"))?;
    if !matches!(ext, "jpg" | "png") || base.is_empty() {
        return None;
    }
    Some(format!(
        "{URL_PREFIX}{base}-{small}.{ext} {small}w, {src} {display}w"
    ))
}

#[derive(Template)]
#[template(path = "column.html")]
struct ColumnPage<'a> {
    site: Chrome<'a>,
    column: &'a Column,
    parent: &'a Option<Column>,
    children: &'a [Column],
    items: &'a [ArticleSummary],
    page: i64,
    pages: i64,
    total: i64,
}

#[derive(Template)]
#[template(path = "special.html")]
struct SpecialPage<'a> {
    site: Chrome<'a>,
    special: &'a rongmei_core::Special,
    items: &'a [ArticleSummary],
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    site: Chrome<'a>,
    heading: &'a str,
    message: &'a str,
}

/// One search hit as the results page lists it.
pub struct SearchHit {
    pub id: i64,
    pub title_html: String,
    pub snippet_html: String,
    pub date: Option<String>,
    pub column_name: String,
    pub column_slug: String,
    /// A partial match: the query's words it holds, joined with 、.
    pub partial: Option<String>,
    /// Found by reading the query as pinyin.
    pub pinyin: bool,
}

/// The search page: the form as the reader filled it, and the results or the error.
#[derive(Default)]
pub struct SearchView {
    pub q: String,
    pub column: String,
    pub from: String,
    pub to: String,
    pub by_date: bool,
    pub error: Option<String>,
    pub searched: bool,
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<SearchHit>,
    pub page: usize,
    pub pages: usize,
    /// The query string without `page`, for pager links.
    pub base_query: String,
    /// What the reader probably meant, with the query string that searches it.
    pub did_you_mean: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    site: Chrome<'a>,
    q: &'a str,
    column: &'a str,
    from: &'a str,
    to: &'a str,
    by_date: bool,
    error: &'a Option<String>,
    searched: bool,
    total: usize,
    took: String,
    hits: &'a [SearchHit],
    page: usize,
    pages: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
    did_you_mean: &'a Option<(String, String)>,
}

/// How long a search took, for people: a fast search is `<1 毫秒`, never `0.0 毫秒`.
pub fn took_label(ms: f64) -> String {
    // NaN is not something a timer gives, but not something a reader should see either.
    if ms.is_nan() || ms < 1.0 {
        "<1 毫秒".to_string()
    } else if ms < 10.0 {
        format!("{ms:.1} 毫秒")
    } else {
        format!("{ms:.0} 毫秒")
    }
}

impl Renderer {
    pub fn new(links: Links) -> Renderer {
        Renderer {
            links,
            served: Served::Live,
        }
    }

    /// Pages for a static copy whose live server (search, API, view counts) is at `api_base`;
    /// `None` when the static host passes those paths on to it.
    pub fn for_export(links: Links, api_base: Option<String>) -> Renderer {
        Renderer {
            links,
            served: Served::Export { api_base },
        }
    }

    /// The live server's base URL, for an export that names one.
    fn api_base(&self) -> Option<&str> {
        match &self.served {
            Served::Export { api_base } => api_base.as_deref(),
            Served::Live => None,
        }
    }

    pub fn links(&self) -> &Links {
        &self.links
    }

    pub(crate) fn chrome<'a>(&'a self, site: &'a SiteInfo) -> Chrome<'a> {
        Chrome {
            name: &site.name,
            nav: &site.nav,
            css_version: CSS_VERSION.as_str(),
            suggest_version: SUGGEST_JS_VERSION.as_str(),
            links: &self.links,
            search_action: self.links.search_on(self.api_base()),
            api_link: match &self.served {
                Served::Export { api_base: None } => None,
                _ => Some(self.links.api_articles_on(self.api_base())),
            },
            exported: self.served != Served::Live,
        }
    }

    /// The one article renderer: the page readers get, whatever asks for it.
    pub fn article(
        &self,
        site: &SiteInfo,
        data: &ArticleData,
        mode: Mode<'_>,
    ) -> Result<ArticleHtml, RenderError> {
        let a = &data.article;
        let (view_token, views_url, count_views) = match mode {
            Mode::Live { view_token } => (view_token, self.links.api_views(a.id, None), true),
            Mode::Preview => ("", String::new(), false),
            Mode::Export { view_token } => (
                view_token,
                self.links.api_views(a.id, self.api_base()),
                true,
            ),
        };
        let html = ArticlePage {
            site: self.chrome(site),
            body_html: a.body.to_html(),
            a,
            views_marker: VIEWS_MARKER,
            view_token,
            views_url,
            newer: &data.newer,
            older: &data.older,
            count_views,
            unpublished_preview: matches!(mode, Mode::Preview) && !a.is_public(),
            entities: crate::entity_links::groups(&self.links, &data.mentions),
        }
        .render()?;
        let (prefix, suffix) = html.split_once(VIEWS_MARKER).unwrap_or((html.as_str(), ""));
        Ok(ArticleHtml {
            prefix: prefix.to_string(),
            suffix: suffix.to_string(),
        })
    }

    pub fn home(&self, site: &SiteInfo, data: &HomeData) -> Result<String, RenderError> {
        Ok(HomePage {
            site: self.chrome(site),
            specials: &data.specials,
            pictures: &data.pictures,
            latest: &data.latest,
            popular: &data.popular,
            blocks: &data.blocks,
        }
        .render()?)
    }

    pub fn column(&self, site: &SiteInfo, data: &ColumnData) -> Result<String, RenderError> {
        Ok(ColumnPage {
            site: self.chrome(site),
            column: &data.column,
            parent: &data.parent,
            children: &data.children,
            items: &data.items,
            page: data.page,
            pages: data.pages,
            total: data.total,
        }
        .render()?)
    }

    pub fn special(
        &self,
        site: &SiteInfo,
        data: &rongmei_app::site::specials::SpecialData,
    ) -> Result<String, RenderError> {
        Ok(SpecialPage {
            site: self.chrome(site),
            special: &data.special,
            items: &data.items,
        }
        .render()?)
    }

    pub fn search(&self, site: &SiteInfo, v: &SearchView) -> Result<String, RenderError> {
        let page_url = |p: usize| self.links.search(&format!("{}&page={p}", v.base_query));
        Ok(SearchPage {
            site: self.chrome(site),
            q: &v.q,
            column: &v.column,
            from: &v.from,
            to: &v.to,
            by_date: v.by_date,
            error: &v.error,
            searched: v.searched,
            total: v.total,
            took: took_label(v.took_ms),
            hits: &v.hits,
            page: v.page,
            pages: v.pages,
            prev_url: (v.page > 1).then(|| page_url(v.page - 1)),
            next_url: (v.page < v.pages).then(|| page_url(v.page + 1)),
            did_you_mean: &v.did_you_mean,
        }
        .render()?)
    }

    /// An error as a site page; a page that cannot be rendered still says what happened.
    pub fn error(&self, site: &SiteInfo, heading: &str, message: &str) -> String {
        ErrorPage {
            site: self.chrome(site),
            heading,
            message,
        }
        .render()
        .unwrap_or_else(|_| format!("<!doctype html><title>{heading}</title><h1>{heading}</h1>"))
    }
}

#[cfg(test)]
mod tests {
    use super::took_label;

    #[test]
    fn search_time_never_reads_zero() {
        assert_eq!(took_label(0.0), "<1 毫秒");
        assert_eq!(took_label(0.04), "<1 毫秒");
        assert_eq!(took_label(0.999), "<1 毫秒");
        assert_eq!(took_label(-1.0), "<1 毫秒");
        assert_eq!(took_label(f64::NAN), "<1 毫秒");
        assert_eq!(took_label(1.0), "1.0 毫秒");
        assert_eq!(took_label(3.46), "3.5 毫秒");
        assert_eq!(took_label(12.4), "12 毫秒");
        assert_eq!(took_label(250.0), "250 毫秒");
        for ms in [0.0, 0.01, 0.5, 0.9, 1.2, 9.99, 42.0] {
            let label = took_label(ms);
            assert!(
                !label.starts_with("0 ") && !label.starts_with("0.0"),
                "{ms}: {label}"
            );
        }
    }
}

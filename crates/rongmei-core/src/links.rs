//! Every URL Rongmei writes, in one place: pages, feeds, the API and the newsroom.
//!
//! Paths (`/articles/7`) go into pages, where the browser resolves them; absolute URLs
//! (`https://news.example.edu.cn/articles/7`) go wherever a page leaves the site: canonical
//! links, the API's `url`, feeds, sitemaps, webhook payloads and exports. Both start from the
//! configured base URL, never from a request's `Host`. A base URL with a path
//! (`https://www.example.edu.cn/news`) puts that path in front of every path, for a site served
//! under a prefix by a proxy that strips it.

use std::borrow::Borrow;
use std::fmt::Display;

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("base URL {0:?} is not an absolute http(s) URL (e.g. https://news.example.edu.cn)")]
    NotAbsolute(String),
    #[error("base URL {0:?} must not carry a query or a fragment")]
    HasQuery(String),
}

/// Builds every URL of the site from its base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `https://news.example.edu.cn` or `https://www.example.edu.cn/news`: no trailing slash.
    base: String,
    /// The base URL's path without a trailing slash: `""` or `/news`.
    prefix: String,
}

/// The three feed formats, by the file names the contract gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    pub fn file_name(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }
}

impl Links {
    pub fn new(base_url: &str) -> Result<Links, LinkError> {
        let parsed =
            Url::parse(base_url.trim()).map_err(|_| LinkError::NotAbsolute(base_url.into()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(LinkError::NotAbsolute(base_url.into()));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(LinkError::HasQuery(base_url.into()));
        }
        let prefix = parsed.path().trim_end_matches('/').to_string();
        let origin = parsed.origin().ascii_serialization();
        Ok(Links {
            base: format!("{origin}{prefix}"),
            prefix,
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A site path (starting with `/`) as an absolute URL. Values that already are absolute
    /// URLs (an imported image on another host) are returned unchanged.
    pub fn absolute(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            return path.to_string();
        }
        if path.starts_with("//") {
            // Protocol-relative: take the base URL's scheme.
            let scheme = self.base.split(':').next().unwrap_or("https");
            return format!("{scheme}:{path}");
        }
        match path.strip_prefix(&self.prefix) {
            Some(rest) if !self.prefix.is_empty() && (rest.is_empty() || rest.starts_with('/')) => {
                format!("{}{rest}", self.base)
            }
            _ => format!("{}{}", origin_of(&self.base), self.path(path)),
        }
    }

    /// The base URL's path (`""` or `/news`), which every site path starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    // ------------------------------------------------------------ public site

    pub fn home(&self) -> String {
        self.path("/")
    }

    pub fn article(&self, id: impl Display) -> String {
        self.path(&format!("/articles/{id}"))
    }

    pub fn article_url(&self, id: impl Display) -> String {
        format!("{}/articles/{id}", self.base)
    }

    pub fn column(&self, slug: &str) -> String {
        self.path(&format!("/columns/{}", encode_segment(slug)))
    }

    /// A feed of the whole site, or of one column.
    pub fn feed(&self, format: FeedFormat, column: Option<&str>) -> String {
        match column {
            None => self.path(&format!("/{}", format.file_name())),
            Some(slug) => self.path(&format!(
                "/columns/{}/{}",
                encode_segment(slug),
                format.file_name()
            )),
        }
    }

    pub fn feed_url(&self, format: FeedFormat, column: Option<&str>) -> String {
        self.absolute(&self.feed(format, column))
    }

    /// What crawlers are asked to stay out of: the newsroom, the admin pages and the API.
    pub fn private_prefixes(&self) -> [String; 3] {
        [
            self.path("/newsroom"),
            self.path("/admin/"),
            self.path("/api/"),
        ]
    }

    /// The sitemap, or the index of the sitemaps when one is not enough.
    pub fn sitemap_url(&self) -> String {
        self.absolute(&self.path("/sitemap.xml"))
    }

    /// The `n`th child sitemap (from 1) of the index.
    pub fn sitemap_child(&self, n: usize) -> String {
        self.path(&format!("/sitemaps/{n}.xml"))
    }

    pub fn news_sitemap_url(&self) -> String {
        self.absolute(&self.path("/sitemap-news.xml"))
    }

    pub fn column_url(&self, slug: &str) -> String {
        format!("{}/columns/{}", self.base, encode_segment(slug))
    }

    /// A page of a column's listing; page 1 is the column itself. Pages are paths, not
    /// `?page=`, so a static export serves each from its own file.
    pub fn column_page(&self, slug: &str, page: i64) -> String {
        if page <= 1 {
            self.column(slug)
        } else {
            format!("{}/page/{page}", self.column(slug))
        }
    }

    pub fn special(&self, slug: &str) -> String {
        self.path(&format!("/specials/{}", encode_segment(slug)))
    }

    /// A special's feed.
    pub fn special_feed(&self, format: FeedFormat, slug: &str) -> String {
        self.path(&format!(
            "/specials/{}/{}",
            encode_segment(slug),
            format.file_name()
        ))
    }

    pub fn api_specials(&self) -> String {
        self.path("/api/v1/specials")
    }

    pub fn newsroom_specials(&self) -> String {
        self.path("/newsroom/specials")
    }

    pub fn special_url(&self, slug: &str) -> String {
        format!("{}/specials/{}", self.base, encode_segment(slug))
    }

    /// An entity's page (`/people/成进`, `/organizations/…`, `/places/…`).
    pub fn entity(&self, kind: impl Borrow<crate::entity::EntityKind>, name: &str) -> String {
        let kind = *kind.borrow();
        self.path(&format!("/{}/{}", kind.segment(), encode_segment(name)))
    }

    /// Page `page` (from 1) of an entity's articles.
    pub fn entity_page(
        &self,
        kind: impl Borrow<crate::entity::EntityKind>,
        name: &str,
        page: i64,
    ) -> String {
        let kind = *kind.borrow();
        if page <= 1 {
            self.entity(kind, name)
        } else {
            format!("{}?page={page}", self.entity(kind, name))
        }
    }

    /// The index of every entity of a kind (`/people`).
    pub fn entities(&self, kind: impl Borrow<crate::entity::EntityKind>) -> String {
        self.path(&format!("/{}", kind.borrow().segment()))
    }

    /// Where editors merge, split and rename entities.
    pub fn newsroom_entity_actions(&self) -> String {
        self.path("/newsroom/entities")
    }

    /// Where editors correct what extraction found in one article.
    pub fn newsroom_entities(&self, article_id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{article_id}/entities"))
    }

    /// The search page; `query` is an already encoded query string (`q=…&page=2`), or empty.
    pub fn search(&self, query: &str) -> String {
        if query.is_empty() {
            self.path("/search")
        } else {
            self.path(&format!("/search?{query}"))
        }
    }

    pub fn stylesheet(&self, version: &str) -> String {
        self.path(&format!("/static/site.css?v={version}"))
    }

    /// The script that offers suggestions under the search boxes.
    pub fn suggest_script(&self, version: &str) -> String {
        self.path(&format!("/static/suggest.js?v={version}"))
    }

    /// Suggestions for what has been typed (`?q=` is added by the script).
    pub fn api_search_suggest(&self) -> String {
        self.path("/api/v1/search/suggest")
    }

    /// An uploaded file by its name under the media folder (`ab/abcdef….jpg`).
    pub fn media(&self, name: &str) -> String {
        self.path(&format!("/media/{name}"))
    }

    pub fn feed_rss(&self) -> String {
        self.path("/feed.xml")
    }

    pub fn feed_atom(&self) -> String {
        self.path("/atom.xml")
    }

    pub fn feed_json(&self) -> String {
        self.path("/feed.json")
    }

    pub fn column_feed_rss(&self, slug: &str) -> String {
        format!("{}/feed.xml", self.column(slug))
    }

    pub fn column_feed_atom(&self, slug: &str) -> String {
        format!("{}/atom.xml", self.column(slug))
    }

    pub fn column_feed_json(&self, slug: &str) -> String {
        format!("{}/feed.json", self.column(slug))
    }

    pub fn sitemap(&self) -> String {
        self.path("/sitemap.xml")
    }

    // ------------------------------------------------------------ API

    pub fn api_articles(&self) -> String {
        self.path("/api/v1/articles")
    }

    pub fn api_article(&self, id: impl Display) -> String {
        self.path(&format!("/api/v1/articles/{id}"))
    }

    /// The search page of the live server at `api_base` (a static export's search form), or
    /// this site's.
    pub fn search_on(&self, api_base: Option<&str>) -> String {
        match api_base {
            Some(b) => format!("{}/search", b.trim_end_matches('/')),
            None => self.search(""),
        }
    }

    /// The API's article list on the live server at `api_base`, or on this site.
    pub fn api_articles_on(&self, api_base: Option<&str>) -> String {
        match api_base {
            Some(b) => format!("{}/api/v1/articles", b.trim_end_matches('/')),
            None => self.api_articles(),
        }
    }

    /// Where a page reports a view; `api_base` is another server's base URL for a static
    /// export, or `None` for this site.
    pub fn api_views(&self, id: impl Display, api_base: Option<&str>) -> String {
        match api_base {
            Some(b) => format!("{}/api/v1/articles/{id}/views", b.trim_end_matches('/')),
            None => self.path(&format!("/api/v1/articles/{id}/views")),
        }
    }

    pub fn api_newsroom_article(&self, id: impl Display) -> String {
        self.path(&format!("/api/v1/newsroom/articles/{id}"))
    }

    // ------------------------------------------------------------ newsroom and analytics

    pub fn newsroom(&self) -> String {
        self.path("/newsroom")
    }

    /// The sign-in page, sending the browser back to `next` afterwards.
    pub fn newsroom_login(&self, next: Option<&str>) -> String {
        match next {
            Some(n) => format!(
                "{}?{}",
                self.path("/newsroom/login"),
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", n)
                    .finish()
            ),
            None => self.path("/newsroom/login"),
        }
    }

    pub fn newsroom_logout(&self) -> String {
        self.path("/newsroom/logout")
    }

    pub fn newsroom_queue(&self) -> String {
        self.path("/newsroom/queue")
    }

    /// The audit log, for one article and/or one person when given.
    pub fn newsroom_audit(&self, article: Option<i64>, login: Option<&str>) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(a) = article {
            q.append_pair("article", &a.to_string());
        }
        if let Some(l) = login {
            q.append_pair("user", l);
        }
        let q = q.finish();
        if q.is_empty() {
            self.path("/newsroom/audit")
        } else {
            format!("{}?{q}", self.path("/newsroom/audit"))
        }
    }

    pub fn newsroom_users(&self) -> String {
        self.path("/newsroom/users")
    }

    pub fn newsroom_user(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/users/{id}"))
    }

    /// The API's documentation page, rendered from the OpenAPI description.
    pub fn newsroom_api_docs(&self) -> String {
        self.path("/newsroom/api")
    }

    /// The OpenAPI description itself.
    pub fn openapi(&self) -> String {
        self.path("/api/openapi.json")
    }

    /// The admin's page of webhook endpoints (推送地址).
    pub fn newsroom_webhooks(&self) -> String {
        self.path("/newsroom/webhooks")
    }

    /// One endpoint's page: its delivery log and buttons.
    pub fn newsroom_webhook(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/webhooks/{id}"))
    }

    /// Where an endpoint page's buttons post (`rotate`, `enable`, `disable`, `delete`, or
    /// `replay` with the delivery's id in the form).
    pub fn newsroom_webhook_action(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/webhooks/{id}/actions"))
    }

    /// The admin's page of publication-check dictionaries.
    pub fn newsroom_dictionaries(&self) -> String {
        self.path("/newsroom/dictionaries")
    }

    /// Where the page's form saves one dictionary (`sensitive` or `expressions`).
    pub fn newsroom_dictionary(&self, name: &str) -> String {
        self.path(&format!("/newsroom/dictionaries/{name}"))
    }

    /// One dictionary in the API, as text.
    pub fn api_dictionary(&self, name: &str) -> String {
        self.path(&format!("/api/v1/dictionaries/{name}"))
    }

    pub fn newsroom_password(&self) -> String {
        self.path("/newsroom/password")
    }

    pub fn newsroom_script(&self) -> String {
        self.path("/newsroom/editor.js")
    }

    pub fn newsroom_new_article(&self) -> String {
        self.path("/newsroom/articles/new")
    }

    /// Where the new-article form posts.
    pub fn newsroom_articles(&self) -> String {
        self.path("/newsroom/articles")
    }

    /// One article's workspace.
    pub fn newsroom_article(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{id}"))
    }

    pub fn newsroom_edit(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{id}/edit"))
    }

    pub fn newsroom_actions(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{id}/actions"))
    }

    pub fn newsroom_comments(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{id}/comments"))
    }

    pub fn newsroom_images(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{id}/images"))
    }

    pub fn newsroom_preview(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{id}/preview"))
    }

    /// An article as a WeChat draft and a Weibo post.
    pub fn newsroom_channels(&self, id: impl Display) -> String {
        self.path(&format!("/newsroom/articles/{id}/channels"))
    }

    /// An article's history, comparing two revisions when given.
    pub fn newsroom_history(&self, id: impl Display, from_to: Option<(i64, i64)>) -> String {
        match from_to {
            Some((f, t)) => self.path(&format!("/newsroom/articles/{id}/history?from={f}&to={t}")),
            None => self.path(&format!("/newsroom/articles/{id}/history")),
        }
    }

    pub fn analytics(&self) -> String {
        self.path("/admin/analytics")
    }

    pub fn analytics_article(&self, id: impl Display) -> String {
        self.path(&format!("/admin/analytics/articles/{id}"))
    }

    pub fn analytics_csv(&self) -> String {
        self.path("/admin/analytics/views.csv")
    }

    /// A path inside the site, for checking a `next=` target: true when `path` is one of the
    /// newsroom's own pages (no other host, no scheme-relative trick).
    pub fn is_newsroom_path(&self, path: &str) -> bool {
        path.starts_with(&self.newsroom())
            && !path.starts_with("//")
            && !path.contains('\\')
            && !path.contains("://")
    }
}

fn origin_of(base: &str) -> &str {
    // `scheme://host[:port]` is everything before the third slash.
    match base.match_indices('/').nth(2) {
        Some((i, _)) => &base[..i],
        None => base,
    }
}

/// A column or special slug as one path segment. Slugs are ASCII by construction; anything
/// else (an imported slug) is percent-encoded rather than trusted.
fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests;

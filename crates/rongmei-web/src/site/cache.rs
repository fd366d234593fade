//! Rendered public pages kept in memory on this node, dropped when the article changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use rongmei_core::FeedFormat;
use rongmei_render::sitemaps::SitemapSet;

/// An article page rendered once, with a hole where the live view count goes.
pub struct CachedArticle {
    pub prefix: Bytes,
    pub suffix: Bytes,
    pub db_views: i64,
    /// Hash of the rendered page without its count: changes when anything shown changes.
    pub content_tag: String,
    pub rendered_at: Instant,
}

#[derive(Clone)]
struct ArticleWeight;

impl quick_cache::Weighter<i64, Arc<CachedArticle>> for ArticleWeight {
    fn weight(&self, _: &i64, v: &Arc<CachedArticle>) -> u64 {
        (v.prefix.len() + v.suffix.len() + 128) as u64
    }
}

/// A feed written once, until an article changes.
pub struct CachedFeed {
    pub body: Bytes,
    pub etag: String,
    /// When it was written: its `Last-Modified` (an edit to an old article changes the feed
    /// without changing any publication date).
    pub written: SystemTime,
    pub written_at: Instant,
}

/// A feed: its format and, for a column's feed, the column's slug.
type FeedKey = (FeedFormat, Option<String>);

/// Rendered article pages kept in memory; bounded so 100,000 articles do not mean 100,000 pages.
const ARTICLE_CACHE_BYTES: u64 = 48 * 1024 * 1024;

pub struct PageCache {
    articles: quick_cache::sync::Cache<i64, Arc<CachedArticle>, ArticleWeight>,
    home: Mutex<Option<(Instant, Bytes, String)>>,
    feeds: Mutex<HashMap<FeedKey, Arc<CachedFeed>>>,
    sitemaps: Mutex<Option<(Instant, Arc<SitemapSet>)>>,
}

impl PageCache {
    pub fn new() -> PageCache {
        PageCache {
            articles: quick_cache::sync::Cache::with_weighter(
                4096,
                ARTICLE_CACHE_BYTES,
                ArticleWeight,
            ),
            home: Mutex::new(None),
            feeds: Mutex::new(HashMap::new()),
            sitemaps: Mutex::new(None),
        }
    }

    pub fn article(&self, id: i64) -> Option<Arc<CachedArticle>> {
        self.articles.get(&id)
    }

    pub fn keep_article(&self, id: i64, page: Arc<CachedArticle>) {
        self.articles.insert(id, page);
    }

    /// The database count of an article rendered recently, without asking the database.
    pub fn live_views(&self, article_id: i64) -> Option<i64> {
        self.articles.get(&article_id).map(|a| a.db_views)
    }

    pub fn home(&self) -> Option<(Instant, Bytes, String)> {
        self.home.lock().ok().and_then(|h| h.clone())
    }

    pub fn keep_home(&self, body: Bytes, etag: String) {
        if let Ok(mut h) = self.home.lock() {
            *h = Some((Instant::now(), body, etag));
        }
    }

    pub fn feed(&self, format: FeedFormat, column: Option<&str>) -> Option<Arc<CachedFeed>> {
        let key = (format, column.map(str::to_string));
        self.feeds.lock().ok()?.get(&key).cloned()
    }

    pub fn keep_feed(&self, format: FeedFormat, column: Option<&str>, feed: Arc<CachedFeed>) {
        if let Ok(mut f) = self.feeds.lock() {
            f.insert((format, column.map(str::to_string)), feed);
        }
    }

    /// The sitemaps written at `Instant`, if any.
    pub fn sitemaps(&self) -> Option<(Instant, Arc<SitemapSet>)> {
        self.sitemaps.lock().ok()?.clone()
    }

    pub fn keep_sitemaps(&self, set: Arc<SitemapSet>) {
        if let Ok(mut s) = self.sitemaps.lock() {
            *s = Some((Instant::now(), set));
        }
    }

    /// Drops what shows the article: its page, the home page, every feed and the sitemaps (any
    /// of them may list it, and they are cheap to write again).
    pub fn invalidate(&self, article_id: i64) {
        self.articles.remove(&article_id);
        if let Ok(mut h) = self.home.lock() {
            *h = None;
        }
        if let Ok(mut f) = self.feeds.lock() {
            f.clear();
        }
        if let Ok(mut s) = self.sitemaps.lock() {
            *s = None;
        }
    }
}

impl Default for PageCache {
    fn default() -> Self {
        Self::new()
    }
}

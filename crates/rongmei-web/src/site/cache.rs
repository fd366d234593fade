//! Rendered public pages kept in memory on this node, dropped when the article changes.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;

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

/// Rendered article pages kept in memory; bounded so 100,000 articles do not mean 100,000 pages.
const ARTICLE_CACHE_BYTES: u64 = 48 * 1024 * 1024;

pub struct PageCache {
    articles: quick_cache::sync::Cache<i64, Arc<CachedArticle>, ArticleWeight>,
    home: Mutex<Option<(Instant, Bytes, String)>>,
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

    pub fn invalidate(&self, article_id: i64) {
        self.articles.remove(&article_id);
        if let Ok(mut h) = self.home.lock() {
            *h = None;
        }
    }
}

impl Default for PageCache {
    fn default() -> Self {
        Self::new()
    }
}

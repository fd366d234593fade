//! The one public projection of an article: what the API answers and what feeds, exports and
//! renderings for other platforms start from. URLs in it are absolute, from the configured base.

use rongmei_core::{Article, ArticleStatus, Byline, Column, format_display_time};
use serde::Serialize;

use crate::app::App;
use crate::error::AppError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicArticle {
    pub id: i64,
    pub title: String,
    pub label: Option<String>,
    pub column: String,
    pub column_name: String,
    pub tags: Vec<String>,
    pub bylines: Vec<Byline>,
    /// RFC 3339 with the article's own offset.
    pub published_at: Option<String>,
    /// As the page prints it: `2023-06-01 22:05`.
    pub published_display: Option<String>,
    pub views: i64,
    pub summary: String,
    /// The body with absolute links and image addresses.
    pub body_html: String,
    pub body_text: String,
    pub url: String,
    /// The cover (chosen in the editor, else the first picture of the body), absolute: what
    /// feeds and other platforms show.
    pub image: Option<String>,
}

/// One page of the public listing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicListing {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<PublicArticle>,
}

impl App {
    /// The projection of a public article, with the views this node counted but has not written.
    pub fn project(&self, a: &Article) -> PublicArticle {
        PublicArticle {
            id: a.id,
            title: a.title.clone(),
            label: a.label.clone(),
            column: a.column.slug.clone(),
            column_name: a.column.name.clone(),
            tags: a.tags.clone(),
            bylines: a.bylines.clone(),
            published_at: a.published_at.map(|t| t.to_rfc3339()),
            published_display: a.published_at.as_ref().map(format_display_time),
            views: a.views + self.counter().unflushed(a.id),
            summary: a.summary.clone(),
            body_html: self.absolute_html(&a.body.to_html()),
            body_text: a.body.to_text(),
            url: self.links().article_url(a.id),
            image: a.shown_cover().map(|src| self.links().absolute(src)),
        }
    }

    /// A published article. A retracted one is gone (410, with its notice) as on the page;
    /// anything else not public (draft, scheduled, unknown) is not found.
    pub async fn published(&self, id: i64) -> Result<Article, AppError> {
        let store = self.store();
        if let Some(article) = store.article(id).await?.filter(Article::is_public) {
            return Ok(article);
        }
        if let Some(m) = store.article_meta(id).await?
            && m.status == ArticleStatus::Retracted
        {
            let reason = m
                .retracted_reason
                .filter(|r| !r.trim().is_empty())
                .map(|r| format!("撤稿说明：{r}"))
                .unwrap_or_default();
            return Err(AppError::Gone(format!(
                "本文已撤稿，不再提供阅读。{reason}"
            )));
        }
        Err(AppError::NotFound(
            "找不到这篇文章，它可能已被删除或地址有误。".into(),
        ))
    }

    /// Published articles, newest first, optionally of one column (slug or name).
    pub async fn published_listing(
        &self,
        column: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<PublicListing, AppError> {
        let column_id = self.column_named(column).await?.map(|c| c.id);
        let listing = self
            .store()
            .published_full(column_id, page, per_page)
            .await?;
        Ok(PublicListing {
            total: listing.total,
            page,
            per_page,
            items: listing.items.iter().map(|a| self.project(a)).collect(),
        })
    }

    /// The column a request names by slug or name (none when it names none); an unknown one is
    /// not found.
    async fn column_named(&self, column: Option<&str>) -> Result<Option<Column>, AppError> {
        match column.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(c) => self
                .store()
                .find_column(c)
                .await?
                .map(Some)
                .ok_or_else(|| AppError::NotFound(format!("没有名为 {c:?} 的栏目"))),
        }
    }

    /// Everything the sitemaps list.
    pub async fn sitemap_data(&self) -> Result<SitemapData, AppError> {
        let articles = self.store().sitemap_articles().await?;
        self.sitemap_data_of(articles).await
    }

    /// The sitemaps' data around articles already read (the static export has them from its
    /// listing), oldest id first.
    pub async fn sitemap_data_of(
        &self,
        articles: Vec<rongmei_store::SitemapArticle>,
    ) -> Result<SitemapData, AppError> {
        Ok(SitemapData {
            site_name: self.config().site_name.clone(),
            columns: self.store().list_columns().await?,
            specials: self
                .store()
                .list_specials()
                .await?
                .into_iter()
                .map(|s| s.slug)
                .collect(),
            articles,
        })
    }

    /// What a feed of the whole site or of one column (slug or name) shows: the newest
    /// [`FEED_ITEMS`] published articles. Drafts, scheduled and retracted articles are never
    /// among them: only what the public listing has.
    pub async fn feed_data(&self, column: Option<&str>) -> Result<FeedData, AppError> {
        let column = self.column_named(column).await?;
        let listing = self
            .store()
            .published_full(column.as_ref().map(|c| c.id), 1, FEED_ITEMS)
            .await?;
        Ok(FeedData {
            site_name: self.config().site_name.clone(),
            column,
            special: None,
            items: listing.items.iter().map(|a| self.project(a)).collect(),
        })
    }
}

/// What the sitemaps list: the columns and every published article.
pub struct SitemapData {
    pub site_name: String,
    pub columns: Vec<Column>,
    /// The specials' slugs: each has a page.
    pub specials: Vec<String>,
    pub articles: Vec<rongmei_store::SitemapArticle>,
}

/// Articles a feed carries: readers' apps poll often and keep what they have seen.
pub const FEED_ITEMS: i64 = 20;

/// A feed's content, before it is written in one of the formats.
pub struct FeedData {
    pub site_name: String,
    /// The column, for a column's feed.
    pub column: Option<Column>,
    /// The special, for a special's feed.
    pub special: Option<rongmei_core::Special>,
    /// Newest first.
    pub items: Vec<PublicArticle>,
}

//! The data of the home, column and article pages. Only public articles ever leave here.

use std::sync::Arc;

use rongmei_core::{Article, Column};
use rongmei_store::ArticleSummary;

use super::nav::SiteInfo;
use crate::app::App;
use crate::error::AppError;

/// Articles per column page.
pub const PER_PAGE: i64 = 20;

pub struct ColumnBlock {
    pub column: Column,
    pub articles: Vec<ArticleSummary>,
}

/// How many pictures the home page's 图片新闻 strip shows.
pub const PICTURES: i64 = 5;

pub struct HomeData {
    /// Featured specials: a banner each.
    pub specials: Vec<rongmei_core::Special>,
    /// 图片新闻: the latest articles with a cover.
    pub pictures: Vec<rongmei_store::PictureArticle>,
    pub latest: Vec<ArticleSummary>,
    pub popular: Vec<ArticleSummary>,
    pub blocks: Vec<ColumnBlock>,
}

pub struct ColumnData {
    pub column: Column,
    pub parent: Option<Column>,
    pub children: Vec<Column>,
    pub items: Vec<ArticleSummary>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
}

/// A public article with its neighbours in the same listing.
pub struct ArticleData {
    pub article: Article,
    pub newer: Option<ArticleSummary>,
    pub older: Option<ArticleSummary>,
    /// What it mentions (knowledge), for the page's block of links.
    pub mentions: Vec<rongmei_store::Mention>,
}

impl App {
    /// The navigation and name every public page carries.
    pub async fn site_info(&self) -> Result<Arc<SiteInfo>, AppError> {
        self.site_cache().get(self.store()).await
    }

    /// The last navigation seen, for pages shown while the database is unreachable.
    pub fn site_fallback(&self) -> Arc<SiteInfo> {
        self.site_cache().fallback()
    }

    pub async fn home_data(&self, site: &SiteInfo) -> Result<HomeData, AppError> {
        let store = self.store();
        let specials = self.featured_specials().await?;
        let pictures = store.picture_news(PICTURES).await?;
        let latest = store.published(None, 1, 8).await?.items;
        let popular = store.most_viewed(10).await?;
        let mut blocks = Vec::new();
        for column in site.nav.iter().take(6) {
            let articles = store.published(Some(column.id), 1, 6).await?.items;
            blocks.push(ColumnBlock {
                column: column.clone(),
                articles,
            });
        }
        Ok(HomeData {
            specials,
            pictures,
            latest,
            popular,
            blocks,
        })
    }

    /// One page of a column's listing; a page past the end is not found.
    pub async fn column_data(&self, slug: &str, page: i64) -> Result<ColumnData, AppError> {
        let store = self.store();
        let column = store
            .column_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("没有名为 {slug} 的栏目。")))?;
        let listing = store.published(Some(column.id), page, PER_PAGE).await?;
        let pages = ((listing.total + PER_PAGE - 1) / PER_PAGE).max(1);
        if page > pages {
            return Err(AppError::NotFound(format!(
                "{}只有 {pages} 页。",
                column.name
            )));
        }
        let columns = store.list_columns().await?;
        let parent = column
            .parent_id
            .and_then(|p| columns.iter().find(|c| c.id == p).cloned());
        let children = columns
            .iter()
            .filter(|c| c.parent_id == Some(column.id))
            .cloned()
            .collect();
        Ok(ColumnData {
            column,
            parent,
            children,
            items: listing.items,
            page,
            pages,
            total: listing.total,
        })
    }

    /// A public article with its neighbours; see [`App::published`] for what is not public.
    pub async fn public_article(&self, id: i64) -> Result<ArticleData, AppError> {
        let article = self.published(id).await?;
        let store = self.store();
        let (newer, older) = store.neighbours(&article).await?;
        let mentions = store.article_mentions(id).await?;
        Ok(ArticleData {
            article,
            newer,
            older,
            mentions,
        })
    }

    /// Any article with its neighbours when public: the newsroom's preview shows an article
    /// exactly as readers will get it.
    pub async fn preview_article(
        &self,
        actor: &crate::actor::Actor,
        id: i64,
    ) -> Result<ArticleData, AppError> {
        actor.member()?;
        let article = self.any_article(id).await?;
        let (newer, older) = if article.is_public() {
            self.store().neighbours(&article).await?
        } else {
            (None, None)
        };
        let mentions = self.store().article_mentions(id).await?;
        Ok(ArticleData {
            article,
            newer,
            older,
            mentions,
        })
    }
}

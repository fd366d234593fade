//! The public site as a whole, for the static export: every published article's place, the
//! column pages and each article's neighbours, computed from one listing in memory. Page by page
//! the live site asks the database; a whole-site export would ask it 100,000 times.

use std::collections::HashMap;

use rongmei_core::{Article, Column};
use rongmei_store::{ArticleSummary, ListedArticle};

use super::pages::{ArticleData, ColumnData, PER_PAGE};
use crate::app::App;
use crate::error::AppError;

/// Every published article, newest first, with the columns.
pub struct SiteListing {
    articles: Vec<ListedArticle>,
    columns: Vec<Column>,
    /// Position of each article in `articles`, and in its column's `own` list.
    at: HashMap<i64, (usize, usize)>,
    /// For each column, the positions of its own articles (not its children's), newest first:
    /// the listing that "上一篇/下一篇" walk, as [`rongmei_store::Store::neighbours`] does.
    own: HashMap<i64, Vec<usize>>,
}

impl App {
    /// The whole public listing, read once.
    pub async fn site_listing(&self) -> Result<SiteListing, AppError> {
        let articles = self.store().site_listing().await?;
        let columns = self.store().list_columns().await?;
        Ok(SiteListing::new(articles, columns))
    }

    /// Whole published articles by id (those no longer published are left out).
    pub async fn published_articles(&self, ids: &[i64]) -> Result<Vec<Article>, AppError> {
        Ok(self.store().published_by_ids(ids).await?)
    }
}

impl SiteListing {
    pub fn new(articles: Vec<ListedArticle>, columns: Vec<Column>) -> SiteListing {
        let mut at = HashMap::with_capacity(articles.len());
        let mut own: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            let list = own.entry(a.column_id).or_default();
            at.insert(a.summary.id, (i, list.len()));
            list.push(i);
        }
        SiteListing {
            articles,
            columns,
            at,
            own,
        }
    }

    pub fn articles(&self) -> &[ListedArticle] {
        &self.articles
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// What the sitemaps list, oldest id first (as the live sitemaps order it, so that an
    /// article keeps its place and one edit changes one sitemap).
    pub fn sitemap_articles(&self) -> Vec<rongmei_store::SitemapArticle> {
        let mut out: Vec<_> = self.articles.iter().map(|a| a.sitemap_entry()).collect();
        out.sort_by_key(|a| a.id);
        out
    }

    pub fn get(&self, id: i64) -> Option<&ListedArticle> {
        self.at.get(&id).map(|&(i, _)| &self.articles[i])
    }

    /// The newer and the older article in the same column.
    pub fn neighbours(&self, id: i64) -> (Option<&ArticleSummary>, Option<&ArticleSummary>) {
        let Some(&(i, k)) = self.at.get(&id) else {
            return (None, None);
        };
        let Some(list) = self.own.get(&self.articles[i].column_id) else {
            return (None, None);
        };
        let pick = |k: Option<usize>| {
            k.and_then(|k| list.get(k))
                .map(|&i| &self.articles[i].summary)
        };
        (pick(k.checked_sub(1)), pick(Some(k + 1)))
    }

    /// An article's page data, with its neighbours from the listing.
    pub fn article_data(&self, article: Article) -> ArticleData {
        let (newer, older) = self.neighbours(article.id);
        // A static copy has no knowledge block: its links would lead to pages it does not hold.
        ArticleData {
            newer: newer.cloned(),
            older: older.cloned(),
            article,
            mentions: Vec::new(),
        }
    }

    /// Every page of every column's listing, as the live site pages them: a column lists its
    /// own articles and its children's, [`PER_PAGE`] a page, and an empty column has one page
    /// that says so.
    pub fn column_pages(&self) -> impl Iterator<Item = ColumnData> + '_ {
        let parent_of: HashMap<i64, Option<i64>> =
            self.columns.iter().map(|c| (c.id, c.parent_id)).collect();
        self.columns.iter().flat_map(move |column| {
            let items: Vec<&ArticleSummary> = self
                .articles
                .iter()
                .filter(|a| {
                    a.column_id == column.id
                        || parent_of.get(&a.column_id).copied().flatten() == Some(column.id)
                })
                .map(|a| &a.summary)
                .collect();
            let total = items.len() as i64;
            let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
            let parent = column
                .parent_id
                .and_then(|p| self.columns.iter().find(|c| c.id == p).cloned());
            let children: Vec<Column> = self
                .columns
                .iter()
                .filter(|c| c.parent_id == Some(column.id))
                .cloned()
                .collect();
            (1..=pages).map(move |page| {
                let start = ((page - 1) * PER_PAGE) as usize;
                ColumnData {
                    column: column.clone(),
                    parent: parent.clone(),
                    children: children.clone(),
                    items: items
                        .iter()
                        .skip(start)
                        .take(PER_PAGE as usize)
                        .map(|s| (*s).clone())
                        .collect(),
                    page,
                    pages,
                    total,
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: i64, column_id: i64) -> ListedArticle {
        ListedArticle {
            lastmod: chrono::DateTime::default(),
            cover: None,
            summary: ArticleSummary {
                id,
                title: format!("第{id}篇"),
                label: None,
                column_slug: format!("c{column_id}"),
                column_name: format!("栏目{column_id}"),
                published_at: None,
                summary: String::new(),
                views: 0,
            },
            column_id,
            updated_at: 0,
        }
    }

    fn column(id: i64, parent_id: Option<i64>) -> Column {
        Column {
            id,
            slug: format!("c{id}"),
            name: format!("栏目{id}"),
            parent_id,
        }
    }

    #[test]
    fn neighbours_walk_the_articles_own_column_newest_first() {
        // Newest first: 9 (col 1), 8 (col 2), 7 (col 1), 6 (col 1).
        let l = SiteListing::new(
            vec![listed(9, 1), listed(8, 2), listed(7, 1), listed(6, 1)],
            vec![column(1, None), column(2, None)],
        );
        let ids = |(n, o): (Option<&ArticleSummary>, Option<&ArticleSummary>)| {
            (n.map(|s| s.id), o.map(|s| s.id))
        };
        assert_eq!(ids(l.neighbours(9)), (None, Some(7)));
        assert_eq!(ids(l.neighbours(7)), (Some(9), Some(6)));
        assert_eq!(ids(l.neighbours(6)), (Some(7), None));
        assert_eq!(ids(l.neighbours(8)), (None, None));
        assert_eq!(ids(l.neighbours(5)), (None, None));
    }

    #[test]
    fn a_column_pages_its_own_and_its_childrens_articles() {
        let mut articles: Vec<ListedArticle> = (1..=25).rev().map(|id| listed(id, 2)).collect();
        articles.push(listed(100, 1));
        let l = SiteListing::new(
            articles,
            vec![column(1, None), column(2, Some(1)), column(3, None)],
        );
        let pages: Vec<ColumnData> = l.column_pages().collect();
        let of = |id: i64| {
            pages
                .iter()
                .filter(|p| p.column.id == id)
                .collect::<Vec<_>>()
        };
        let parent = of(1);
        assert_eq!(parent.len(), 2, "26 articles, 20 a page");
        assert_eq!(parent[0].total, 26);
        assert_eq!(parent[0].items[0].id, 25);
        assert_eq!(parent[1].items.len(), 6);
        assert_eq!(parent[1].items.last().map(|s| s.id), Some(100));
        assert_eq!(parent[0].children.len(), 1);
        let child = of(2);
        assert_eq!(child.len(), 2);
        assert_eq!(child[0].parent.as_ref().map(|p| p.id), Some(1));
        let empty = of(3);
        assert_eq!(empty.len(), 1, "an empty column still has its page");
        assert!(empty[0].items.is_empty());
    }
}

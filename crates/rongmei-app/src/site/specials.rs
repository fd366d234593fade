//! Specials (专题): their pages, feeds and API for readers, and their making for editors
//! (chiefs and admins), who name a special, describe it, give it a banner, and list its
//! articles in the order it shows them.

use rongmei_core::special::valid_slug;
use rongmei_core::{Role, Special};
use rongmei_store::{ArticleSummary, SpecialInput};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;
use crate::public::{FEED_ITEMS, FeedData};

/// How many articles a special's page shows.
pub const SPECIAL_PAGE_ITEMS: i64 = 200;

/// A special's page: the special and its published articles in order.
pub struct SpecialData {
    pub special: Special,
    pub items: Vec<ArticleSummary>,
}

/// A special as the API lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpecialJson {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The banner's absolute address.
    pub cover: Option<String>,
    pub featured: bool,
    pub url: String,
    /// Its published articles, in its order.
    pub articles: Vec<SpecialArticleJson>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SpecialArticleJson {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub published_at: Option<String>,
}

/// What an editor sends: the special's fields and its articles' ids in order.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SpecialForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The banner picture's address (an uploaded picture's `/media/…` address).
    #[serde(default)]
    pub cover: Option<String>,
    #[serde(default)]
    pub position: i64,
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub articles: Vec<i64>,
}

const EDITORS: &[Role] = &[Role::Chief, Role::Admin];

impl App {
    async fn special_named(&self, slug: &str) -> Result<Special, AppError> {
        self.store()
            .special_by_slug(slug)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("没有名为 {slug} 的专题。")))
    }

    pub async fn special_data(&self, slug: &str) -> Result<SpecialData, AppError> {
        let special = self.special_named(slug).await?;
        let items = self
            .store()
            .special_articles(special.id, SPECIAL_PAGE_ITEMS)
            .await?;
        Ok(SpecialData { special, items })
    }

    /// Every special, in the editors' order.
    pub async fn specials(&self) -> Result<Vec<Special>, AppError> {
        Ok(self.store().list_specials().await?)
    }

    /// Featured specials, for the home page's banners.
    pub async fn featured_specials(&self) -> Result<Vec<Special>, AppError> {
        Ok(self
            .store()
            .list_specials()
            .await?
            .into_iter()
            .filter(|s| s.featured)
            .collect())
    }

    /// A special's feed: its newest published articles.
    pub async fn special_feed_data(&self, slug: &str) -> Result<FeedData, AppError> {
        let special = self.special_named(slug).await?;
        let items = self
            .store()
            .special_feed_articles(special.id, FEED_ITEMS)
            .await?;
        Ok(FeedData {
            site_name: self.config().site_name.clone(),
            column: None,
            items: items.iter().map(|a| self.project(a)).collect(),
            special: Some(special),
        })
    }

    /// Every special with its published articles, for `GET /api/v1/specials`.
    pub async fn specials_json(&self) -> Result<Vec<SpecialJson>, AppError> {
        let links = &self.config().links;
        let mut out = Vec::new();
        for s in self.store().list_specials().await? {
            let items = self
                .store()
                .special_articles(s.id, SPECIAL_PAGE_ITEMS)
                .await?;
            out.push(SpecialJson {
                url: links.special_url(&s.slug),
                cover: s.cover.as_deref().map(|c| links.absolute(c)),
                articles: items
                    .iter()
                    .map(|a| SpecialArticleJson {
                        id: a.id,
                        title: a.title.clone(),
                        url: links.article_url(a.id),
                        published_at: a.published_at.map(|t| t.to_rfc3339()),
                    })
                    .collect(),
                slug: s.slug,
                name: s.name,
                description: s.description,
                featured: s.featured,
            });
        }
        Ok(out)
    }

    /// The specials and, for one being edited, its article ids in order.
    pub async fn specials_for_editing(
        &self,
        actor: &Actor,
        slug: Option<&str>,
    ) -> Result<(Vec<Special>, Option<(Special, Vec<i64>)>), AppError> {
        actor.require_any(EDITORS)?;
        let all = self.store().list_specials().await?;
        let editing = match slug {
            Some(slug) => {
                let s = self.special_named(slug).await?;
                let ids = self.store().special_article_ids(s.id).await?;
                Some((s, ids))
            }
            None => None,
        };
        Ok((all, editing))
    }

    /// Creates the special `slug` or replaces it; chiefs and admins only.
    pub async fn save_special(
        &self,
        actor: &Actor,
        slug: &str,
        form: SpecialForm,
    ) -> Result<(), AppError> {
        actor.require_any(EDITORS)?;
        let slug = slug.trim();
        if !valid_slug(slug) {
            return Err(AppError::field(
                "slug",
                "专题地址只能用小写字母、数字和连字符（1 到 64 个字符），例如 er-shi-da",
            ));
        }
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::field("name", "请填写专题名称（最多 60 个字）"));
        }
        if form.description.chars().count() > 2000 {
            return Err(AppError::field("description", "专题介绍最多 2000 个字"));
        }
        let cover = form
            .cover
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if let Some(c) = &cover
            && !(c.starts_with('/') || c.starts_with("https://") || c.starts_with("http://"))
        {
            return Err(AppError::field(
                "cover",
                "题图须是上传后的图片地址或 http(s) 地址",
            ));
        }
        if form.articles.len() > 1000 {
            return Err(AppError::field("articles", "一个专题最多收 1000 篇稿件"));
        }
        let input = SpecialInput {
            slug: slug.to_string(),
            name: name.to_string(),
            description: rongmei_html::sanitize_text_field(&form.description),
            cover,
            position: form.position,
            featured: form.featured,
            articles: form.articles,
        };
        self.store()
            .save_special(&input)
            .await
            .map_err(|e| match e {
                rongmei_store::StoreError::Invalid(m) => AppError::field("articles", m),
                other => other.into(),
            })?;
        self.store()
            .audit_account(
                actor.as_user(),
                actor.login(),
                "special_save",
                &actor.ip,
                serde_json::json!({"slug": input.slug, "name": input.name, "articles": input.articles, "featured": input.featured}),
            )
            .await?;
        Ok(())
    }

    pub async fn delete_special(&self, actor: &Actor, slug: &str) -> Result<(), AppError> {
        actor.require_any(EDITORS)?;
        if !self.store().delete_special(slug).await? {
            return Err(AppError::NotFound(format!("没有名为 {slug} 的专题。")));
        }
        self.store()
            .audit_account(
                actor.as_user(),
                actor.login(),
                "special_delete",
                &actor.ip,
                serde_json::json!({ "slug": slug }),
            )
            .await?;
        Ok(())
    }
}

//! Knowledge on the public side: an article's entities (the API contract's shape), an entity's
//! page and the index of each kind. Only published articles count.

use rongmei_core::EntityKind;
use rongmei_store::{ArticleSummary, EntityCount, EntityRecord, Mention, RoleSpan, TimelineEntry};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::error::AppError;

/// Articles on one page of an entity's list.
pub const PER_PAGE: i64 = 20;
/// Entities on one page of an index.
pub const INDEX_PER_PAGE: i64 = 100;

/// `GET /api/v1/articles/{id}/entities`, as the contract gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ArticleEntities {
    pub people: Vec<PersonOut>,
    pub organizations: Vec<NameOut>,
    pub places: Vec<NameOut>,
    pub dates: Vec<DateOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PersonOut {
    /// As the article writes it.
    pub name: String,
    pub roles: Vec<String>,
    /// The name of the entity's page (differs from `name` for another written form).
    pub entity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct NameOut {
    pub name: String,
    pub entity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DateOut {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// As written (5月23日).
    pub text: String,
}

impl ArticleEntities {
    pub fn from_mentions(mentions: &[Mention], dates: &[rongmei_store::DatedMention]) -> Self {
        let mut out = ArticleEntities::default();
        for m in mentions {
            match m.kind {
                EntityKind::Person => out.people.push(PersonOut {
                    name: m.written.clone(),
                    roles: m.roles.clone(),
                    entity: m.entity.clone(),
                }),
                EntityKind::Organization => out.organizations.push(NameOut {
                    name: m.written.clone(),
                    entity: m.entity.clone(),
                }),
                EntityKind::Place => out.places.push(NameOut {
                    name: m.written.clone(),
                    entity: m.entity.clone(),
                }),
            }
        }
        out.dates = dates
            .iter()
            .map(|d| DateOut {
                date: d.date.clone(),
                text: d.written.clone(),
            })
            .collect();
        out
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.organizations.is_empty() && self.places.is_empty()
    }
}

/// An entity's public page.
#[derive(Debug, Clone, Serialize)]
pub struct EntityPage {
    pub entity: EntityRecord,
    /// Published articles that mention it, newest first.
    pub items: Vec<ArticleSummary>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub roles: Vec<RoleSpan>,
    pub related: Vec<EntityCount>,
    pub timeline: Vec<TimelineEntry>,
}

/// What a name leads to.
#[derive(Debug, Clone)]
pub enum EntityLookup {
    Found(Box<EntityPage>),
    /// Another written form of the entity of this name: its page is the one to show.
    Moved(String),
}

/// One page of the index of a kind.
#[derive(Debug, Clone, Serialize)]
pub struct EntityIndex {
    pub kind: EntityKind,
    pub q: String,
    pub items: Vec<EntityCount>,
    pub page: i64,
    pub has_more: bool,
}

impl App {
    /// The entities of a published article; unpublished and retracted ones are not found.
    pub async fn public_article_entities(&self, id: i64) -> Result<ArticleEntities, AppError> {
        self.published(id).await?;
        let store = self.store();
        Ok(ArticleEntities::from_mentions(
            &store.article_mentions(id).await?,
            &store.article_dates(id).await?,
        ))
    }

    /// The page of the entity `name` leads to, when a published article mentions it.
    pub async fn entity_page(
        &self,
        kind: EntityKind,
        name: &str,
        page: i64,
    ) -> Result<EntityLookup, AppError> {
        let missing = || AppError::NotFound(format!("没有关于“{name}”的{}页面", kind.label()));
        let store = self.store();
        let (id, canonical) = store
            .entity_by_alias(kind, name)
            .await?
            .ok_or_else(missing)?;
        if canonical != name {
            return Ok(EntityLookup::Moved(canonical));
        }
        let entity = store.entity(id).await?.ok_or_else(missing)?;
        let page = page.max(1);
        let (items, total) = store
            .entity_articles(id, PER_PAGE, (page - 1).saturating_mul(PER_PAGE))
            .await?;
        if total == 0 {
            return Err(missing());
        }
        Ok(EntityLookup::Found(Box::new(EntityPage {
            entity,
            items,
            total,
            page,
            pages: (total + PER_PAGE - 1) / PER_PAGE,
            roles: store.entity_roles(id).await?,
            related: store.related_entities(id, 24).await?,
            timeline: store.entity_timeline(id, 50).await?,
        })))
    }

    /// Entities of a kind that published articles mention, most mentioned first.
    pub async fn entity_index(
        &self,
        kind: EntityKind,
        q: &str,
        page: i64,
    ) -> Result<EntityIndex, AppError> {
        let q: String = q.trim().chars().take(40).collect();
        let page = page.clamp(1, 10_000);
        let mut items = self
            .store()
            .list_entities(kind, &q, INDEX_PER_PAGE + 1, (page - 1) * INDEX_PER_PAGE)
            .await?;
        let has_more = items.len() as i64 > INDEX_PER_PAGE;
        items.truncate(INDEX_PER_PAGE as usize);
        Ok(EntityIndex {
            kind,
            q,
            items,
            page,
            has_more,
        })
    }

    /// Published articles mentioning every named entity (a search facet); `None` when a name
    /// leads to no entity (then nothing can match).
    pub async fn articles_mentioning(
        &self,
        names: &[(EntityKind, String)],
    ) -> Result<Option<Vec<i64>>, AppError> {
        let mut ids = Vec::new();
        for (kind, name) in names {
            match self.store().entity_by_alias(*kind, name).await? {
                Some((id, _)) => ids.push(id),
                None => return Ok(None),
            }
        }
        Ok(Some(self.store().articles_mentioning_all(&ids).await?))
    }
}

//! What newsroom members read: an article with what they may do to it, lists, revisions, the
//! audit log, and checks of text not yet saved.

use rongmei_checks::Hit;
use rongmei_core::workflow::{available_actions, may_edit, waiting_for};
use rongmei_core::{Action, Article, ArticleStatus, Column};
use rongmei_store::{ArticleMeta, AuditEntry, AuditFilter, NewsroomItem, Revision};
use serde::{Deserialize, Serialize};

use super::input::{BylineInput, MAX_BODY_BYTES, TagsInput, parse_bylines, parse_tags};
use crate::actor::Actor;
use crate::app::App;
use crate::error::AppError;

/// One article as the newsroom sees it: content, state, and what the reader may do next.
#[derive(Debug, Clone)]
pub struct NewsroomArticle {
    pub article: Article,
    pub meta: ArticleMeta,
    pub actions: Vec<Action>,
    pub may_edit: bool,
    pub hits: Vec<Hit>,
    /// The author's display name.
    pub author: Option<String>,
}

/// Text checked before it is saved.
#[derive(Debug, Clone, Deserialize)]
pub struct ChecksInput {
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub tags: Option<TagsInput>,
    #[serde(default)]
    pub bylines: Option<Vec<BylineInput>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub blocks: bool,
    pub hits: Vec<Hit>,
    /// A dictionary file that failed to load (the previous version stays in force).
    pub dictionary_error: Option<String>,
}

impl App {
    pub(crate) async fn article_meta(&self, id: i64) -> Result<ArticleMeta, AppError> {
        self.store()
            .article_meta(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no article with id {id}")))
    }

    pub(crate) async fn any_article(&self, id: i64) -> Result<Article, AppError> {
        self.store()
            .article(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no article with id {id}")))
    }

    /// The publication checks on an article as stored.
    pub fn article_hits(&self, a: &Article) -> Vec<Hit> {
        self.checks()
            .current()
            .check_article(&a.title, &a.body, &a.tags, &a.bylines)
    }

    /// Any article, in any state, for a newsroom member.
    pub async fn newsroom_article(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<NewsroomArticle, AppError> {
        let user = actor.member()?;
        let meta = self.article_meta(id).await?;
        let article = self.any_article(id).await?;
        let passed = self.store().stages_passed_by(id, user.id).await?;
        let actions = available_actions(
            user,
            meta.author_id,
            meta.status,
            &passed,
            chrono::Utc::now(),
        );
        let author = match meta.author_id {
            Some(uid) => self.store().user(uid).await?.map(|u| u.name),
            None => None,
        };
        Ok(NewsroomArticle {
            may_edit: may_edit(user, meta.author_id, meta.status).is_ok(),
            hits: self.article_hits(&article),
            actions,
            author,
            article,
            meta,
        })
    }

    /// An article to edit: refused when the member may not edit it in its state.
    pub async fn article_to_edit(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<NewsroomArticle, AppError> {
        let a = self.newsroom_article(actor, id).await?;
        may_edit(actor.member()?, a.meta.author_id, a.meta.status)?;
        Ok(a)
    }

    /// Articles in these states, optionally only the acting member's own.
    pub async fn newsroom_items(
        &self,
        actor: &Actor,
        statuses: &[ArticleStatus],
        mine: bool,
        limit: i64,
    ) -> Result<Vec<NewsroomItem>, AppError> {
        let user = actor.member()?;
        Ok(self
            .store()
            .newsroom_items(statuses, mine.then_some(user.id), limit.clamp(1, 500))
            .await?)
    }

    /// Articles waiting for this member: in a state their roles act on, not written by them.
    pub async fn waiting_items(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<NewsroomItem>, AppError> {
        let user = actor.member()?;
        let mut states: Vec<ArticleStatus> = user
            .roles
            .iter()
            .flat_map(|r| waiting_for(*r).iter().copied())
            .collect();
        states.dedup();
        let items = self.store().newsroom_items(&states, None, limit).await?;
        Ok(items
            .into_iter()
            .filter(|i| i.author_id != Some(user.id))
            .collect())
    }

    /// Every revision of an article, oldest first.
    pub async fn revisions(&self, actor: &Actor, id: i64) -> Result<Vec<Revision>, AppError> {
        actor.member()?;
        self.article_meta(id).await?;
        Ok(self.store().revisions(id).await?)
    }

    /// All columns, for the editor's choice.
    pub async fn columns(&self) -> Result<Vec<Column>, AppError> {
        Ok(self.store().list_columns().await?)
    }

    /// Reads the audit log. An article's history is open to the newsroom; a person's or the
    /// whole log to admins and chiefs (and one's own lines to oneself).
    pub async fn audit_log(
        &self,
        actor: &Actor,
        article_id: Option<i64>,
        login: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, AppError> {
        let user = actor.member()?;
        let actor_id = match login.map(str::trim).filter(|s| !s.is_empty()) {
            Some(l) => Some(
                self.store()
                    .user_for_login(l)
                    .await?
                    .map(|(u, _)| u.id)
                    .ok_or_else(|| AppError::NotFound(format!("no user {l:?}")))?,
            ),
            None => None,
        };
        let privileged = actor.sees_all_audit();
        let own = actor_id == Some(user.id);
        if article_id.is_none() && !privileged && !own {
            return Err(AppError::Forbidden(
                "the whole audit log and other people's are for admins and chiefs; ask for one article with ?article=ID".into(),
            ));
        }
        if article_id.is_some() && actor_id.is_some() && !privileged && !own {
            return Err(AppError::Forbidden(
                "other people's audit lines are for admins and chiefs".into(),
            ));
        }
        let filter = AuditFilter {
            article_id,
            actor_id,
        };
        Ok(self.store().audit_log(filter, limit.clamp(1, 5000)).await?)
    }

    /// The publication checks on text not saved yet (the editor's live checks).
    pub fn check_text(&self, actor: &Actor, input: &ChecksInput) -> Result<CheckReport, AppError> {
        actor.member()?;
        let body = rongmei_html::body_from_html(&input.body);
        let tags = parse_tags(input.tags.as_ref());
        let bylines = parse_bylines(input.bylines.as_deref());
        let hits = self.checks().current().check_article(
            &rongmei_html::sanitize_text_field(&input.title),
            &body,
            &tags,
            &bylines,
        );
        Ok(CheckReport {
            blocks: rongmei_checks::blocks(&hits),
            hits,
            dictionary_error: self.checks().last_error(),
        })
    }

    /// What the editor inserts when something is pasted: the one sanitiser, run on the server,
    /// so a paste from Word or WeChat looks in the editor as it will when saved.
    pub fn clean_paste(&self, actor: &Actor, html: &str) -> Result<String, AppError> {
        actor.member()?;
        if html.len() > MAX_BODY_BYTES {
            return Err(AppError::TooLarge(
                "pasted content is larger than 2 MB".into(),
            ));
        }
        Ok(rongmei_html::body_from_html(html).to_html())
    }
}

//! What newsroom members read: an article with what they may do to it, lists, revisions, the
//! audit log, and checks of text not yet saved.

use rongmei_checks::Hit;
use rongmei_core::workflow::{available_actions, may_edit, may_read, waiting_for};
use rongmei_core::{Action, Article, ArticleStatus, Column};
use rongmei_store::{ArticleMeta, AuditEntry, AuditFilter, NewsroomItem, Revision};
use serde::{Deserialize, Serialize};

use super::input::{BylineInput, MAX_BODY_BYTES, TagsInput, check_key, parse_bylines, parse_tags};
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
    /// What others changed after the author submitted it, for the next reviewer to see.
    pub since_submitted: Option<SinceSubmitted>,
}

/// Changes made to an article in review by someone other than its author.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SinceSubmitted {
    /// The revision the author submitted.
    pub submitted_revision: i64,
    pub revision: i64,
    /// Who edited since, by login, in order, without repeats.
    pub editors: Vec<String>,
    /// The word diff of the title, when it changed (HTML with `<ins>`/`<del>`).
    pub title_diff_html: Option<String>,
    /// The word diff of the body text (HTML with `<ins>`/`<del>`).
    pub body_diff_html: String,
    pub added: usize,
    pub removed: usize,
}

/// The refusal for an article the member may not read (a draft, or a stage not theirs).
pub(crate) fn not_yours(status: ArticleStatus) -> AppError {
    if status == ArticleStatus::Draft {
        AppError::Forbidden("这是别人尚未送审的草稿，只有作者本人可以查看".into())
    } else {
        AppError::Forbidden("这篇稿件还没有送到你的审核环节，暂时无权查看".into())
    }
}

/// Text checked before it is saved.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ChecksInput {
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub tags: Option<TagsInput>,
    #[serde(default)]
    pub bylines: Option<Vec<BylineInput>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
            .ok_or_else(|| AppError::NotFound(format!("没有编号为 {id} 的稿件")))
    }

    pub(crate) async fn any_article(&self, id: i64) -> Result<Article, AppError> {
        self.store()
            .article(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("没有编号为 {id} 的稿件")))
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
        if !may_read(user, meta.author_id, meta.status) {
            return Err(not_yours(meta.status));
        }
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
        let since_submitted = self.since_submitted(&meta).await?;
        Ok(NewsroomArticle {
            since_submitted,
            may_edit: may_edit(user, meta.author_id, meta.status).is_ok(),
            hits: self.article_hits(&article),
            actions,
            author,
            article,
            meta,
        })
    }

    /// An article for the people's channels (a WeChat draft, a Weibo post): any member who
    /// may read it renders it once it has passed 终审 (approved, scheduled or published).
    pub async fn article_for_channels(&self, actor: &Actor, id: i64) -> Result<Article, AppError> {
        let user = actor.member()?;
        let meta = self.article_meta(id).await?;
        if !may_read(user, meta.author_id, meta.status) {
            return Err(not_yours(meta.status));
        }
        use ArticleStatus as S;
        if !matches!(meta.status, S::Approved | S::Scheduled | S::Published) {
            return Err(AppError::Conflict(format!(
                "稿件现在是「{}」：终审通过后才能生成微信、微博版本",
                rongmei_core::workflow::status_label(meta.status)
            )));
        }
        self.any_article(id).await
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

    /// What others changed since the author last submitted the article (none for a draft, or
    /// when only the author has written since).
    async fn since_submitted(
        &self,
        meta: &ArticleMeta,
    ) -> Result<Option<SinceSubmitted>, AppError> {
        if meta.status == ArticleStatus::Draft {
            return Ok(None);
        }
        let Some(submitted) = self.store().submitted_revision(meta.id).await? else {
            return Ok(None);
        };
        if submitted >= meta.revision {
            return Ok(None);
        }
        let revs = self.store().revisions(meta.id).await?;
        let Some(old) = revs.iter().find(|r| r.number == submitted) else {
            return Ok(None);
        };
        let Some(new) = revs.last() else {
            return Ok(None);
        };
        let mut editors: Vec<String> = Vec::new();
        for r in revs.iter().filter(|r| r.number > submitted) {
            if r.editor_id != meta.author_id
                && let Some(login) = &r.editor_login
                && !editors.contains(login)
            {
                editors.push(login.clone());
            }
        }
        if editors.is_empty() {
            return Ok(None);
        }
        let (added, removed) = rongmei_diff::stats(&old.body_text, &new.body_text);
        Ok(Some(SinceSubmitted {
            submitted_revision: submitted,
            revision: new.number,
            editors,
            title_diff_html: (old.title != new.title)
                .then(|| rongmei_diff::inline_html(&old.title, &new.title)),
            body_diff_html: rongmei_diff::inline_html(&old.body_text, &new.body_text),
            added,
            removed,
        }))
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
        let items = self
            .store()
            .newsroom_items(statuses, mine.then_some(user.id), limit.clamp(1, 500))
            .await?;
        Ok(items
            .into_iter()
            .filter(|i| may_read(user, i.author_id, i.status))
            .collect())
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
        let user = actor.member()?;
        let meta = self.article_meta(id).await?;
        if !may_read(user, meta.author_id, meta.status) {
            return Err(not_yours(meta.status));
        }
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
            Some(l) => Some({
                check_key("user", "登录名", l, rongmei_core::user::MAX_LOGIN_CHARS)?;
                self.store()
                    .user_for_login(l)
                    .await?
                    .map(|(u, _)| u.id)
                    .ok_or_else(|| AppError::NotFound(format!("没有登录名为 {l:?} 的用户")))?
            }),
            None => None,
        };
        let privileged = actor.sees_all_audit();
        let own = actor_id == Some(user.id);
        if article_id.is_none() && !privileged && !own {
            return Err(AppError::Forbidden(
                "完整的操作日志和他人的记录只对管理员和终审开放；可按稿件查看（?article=稿件编号）"
                    .into(),
            ));
        }
        if article_id.is_some() && actor_id.is_some() && !privileged && !own {
            return Err(AppError::Forbidden(
                "他人的操作记录只对管理员和终审开放".into(),
            ));
        }
        if let Some(id) = article_id
            && !privileged
        {
            let meta = self.article_meta(id).await?;
            if !may_read(user, meta.author_id, meta.status) {
                return Err(not_yours(meta.status));
            }
        }
        let filter = AuditFilter {
            article_id,
            actor_id,
        };
        let mut lines = self.store().audit_log(filter, limit.clamp(1, 5000)).await?;
        if !privileged {
            // Client addresses are personal data: admins and chiefs see them, nobody else.
            for l in &mut lines {
                l.ip = String::new();
            }
        }
        Ok(lines)
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
            return Err(AppError::TooLarge("粘贴的内容超过 2 MB".into()));
        }
        Ok(rongmei_html::body_from_html(html).to_html())
    }
}

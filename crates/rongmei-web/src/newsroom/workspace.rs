//! One article's workspace: its state, the actions the member may take, the publication checks,
//! the timeline; and the forms that act on it.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::articles::reads::SinceSubmitted;
use rongmei_checks::Hit;
use rongmei_core::workflow::status_label;
use rongmei_core::{Action, Article, ArticleStatus, Links};
use rongmei_render::Mode;
use rongmei_store::ArticleMeta;
use serde::Deserialize;

use super::audit::{TimelineView, timeline};
use super::frame::{Frame, form_error, html_response, page, see_other};
use super::media::read_upload;
use crate::error::WebResult;
use crate::extract::{ArticleId, Member, PageMember};
use crate::state::AppState;

pub struct ActionView {
    pub action: &'static str,
    pub label: &'static str,
    pub needs_comment: bool,
    pub needs_at: bool,
    pub danger: bool,
}

fn action_view(a: Action) -> ActionView {
    ActionView {
        action: a.as_str(),
        label: a.label(),
        needs_comment: matches!(a, Action::Reject | Action::Retract),
        needs_at: a == Action::Schedule,
        danger: matches!(a, Action::Reject | Action::Retract),
    }
}

#[derive(Template)]
#[template(path = "newsroom/article.html")]
struct WorkspacePage<'a> {
    links: &'a Links,
    frame: Frame,
    a: Article,
    m: ArticleMeta,
    status_label: &'static str,
    author: Option<String>,
    actions: Vec<ActionView>,
    may_edit: bool,
    hits: Vec<Hit>,
    blocked: bool,
    timeline: Vec<TimelineView>,
    since_submitted: Option<SinceSubmitted>,
    error: Option<String>,
    notice: Option<String>,
}

impl WorkspacePage<'_> {
    /// The history page comparing the submitted revision with the current one.
    /// Past 终审: the WeChat and Weibo versions can be made.
    fn channels_ready(&self) -> bool {
        use rongmei_core::ArticleStatus as S;
        matches!(self.a.status, S::Approved | S::Scheduled | S::Published)
    }

    /// Names found in the article are curated by reviewers, chiefs and admins.
    fn may_curate(&self) -> bool {
        rongmei_app::knowledge::curation::is_curator(&self.frame.user)
    }

    fn compare_link(&self, c: &SinceSubmitted) -> String {
        self.links
            .newsroom_history(self.a.id, Some((c.submitted_revision, c.revision)))
    }
}

#[derive(Deserialize, Default)]
pub struct WorkspaceQuery {
    saved: Option<String>,
    done: Option<String>,
}

async fn workspace(
    state: &AppState,
    m: &Member,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> WebResult<Response> {
    let a = state.app().newsroom_article(&m.actor, id).await?;
    let entries = state.app().audit_log(&m.actor, Some(id), None, 500).await?;
    page(
        status,
        &WorkspacePage {
            links: state.links(),
            status_label: status_label(a.meta.status),
            may_edit: a.may_edit,
            blocked: rongmei_checks::blocks(&a.hits),
            hits: a.hits,
            actions: a.actions.into_iter().map(action_view).collect(),
            author: a.author,
            timeline: timeline(entries),
            since_submitted: a.since_submitted,
            a: a.article,
            m: a.meta,
            error,
            notice,
            frame: Frame::of(&m.session),
        },
    )
}

/// The workspace again with the error of a form that failed.
async fn failed(state: &AppState, m: &Member, id: i64, e: AppError) -> WebResult<Response> {
    let (status, message) = form_error(&e);
    workspace(state, m, id, status, Some(message), None).await
}

pub async fn article_page(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    Query(q): Query<WorkspaceQuery>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let notice = if q.saved.is_some() {
        Some("已保存。".to_string())
    } else {
        q.done
            .as_deref()
            .and_then(ArticleStatus::parse)
            .map(|s| format!("操作成功，稿件现在的状态：{}。", status_label(s)))
    };
    workspace(&state, &m, id, StatusCode::OK, None, notice).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    comment: Option<String>,
    at: Option<String>,
    /// The state the page showed (a hidden field): the action is for that state only.
    status: Option<String>,
}

pub async fn action_submit(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    PageMember(m): PageMember,
    Form(f): Form<ActionForm>,
) -> WebResult<Response> {
    let Some(action) = Action::parse(&f.action) else {
        return workspace(
            &state,
            &m,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!("未知操作 {:?}", f.action)),
            None,
        )
        .await;
    };
    match state
        .app()
        .act(
            &m.actor,
            id,
            action,
            f.comment.as_deref(),
            f.at.as_deref(),
            f.status.as_deref().and_then(ArticleStatus::parse),
        )
        .await
    {
        // A reviewer who returned a draft may no longer open it: back to their queue.
        Ok(ArticleStatus::Draft) if action == Action::Reject => Ok(see_other(&format!(
            "{}?returned={id}",
            state.links().newsroom_queue()
        ))),
        Ok(to) => Ok(see_other(&format!(
            "{}?done={}",
            state.links().newsroom_article(id),
            to.as_str()
        ))),
        Err(e) => failed(&state, &m, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    comment: String,
}

pub async fn comment_submit(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    PageMember(m): PageMember,
    Form(f): Form<CommentForm>,
) -> WebResult<Response> {
    match state.app().comment(&m.actor, id, &f.comment).await {
        Ok(()) => Ok(see_other(&format!(
            "{}#timeline",
            state.links().newsroom_article(id)
        ))),
        Err(e) => failed(&state, &m, id, e).await,
    }
}

/// The image upload that works without JavaScript: the picture is appended to the body.
pub async fn image_submit(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    PageMember(m): PageMember,
    multipart: Multipart,
) -> WebResult<Response> {
    let result = async {
        // Whoever may not edit the article is refused before the upload is stored.
        state.app().article_to_edit(&m.actor, id).await?;
        let upload = read_upload(multipart).await?;
        let caption = upload.field("caption").unwrap_or_default().to_string();
        let stored = state
            .app()
            .upload_image(&m.actor, upload.bytes, upload.file_name)
            .await?;
        state
            .app()
            .append_image(&m.actor, id, &stored.url, &caption)
            .await
    };
    match result.await {
        Ok(_) => Ok(see_other(&format!(
            "{}?saved=1",
            state.links().newsroom_article(id)
        ))),
        Err(e) => failed(&state, &m, id, e).await,
    }
}

/// The article exactly as the public page will show it, whatever its state: the same renderer
/// readers get, so what is approved is what appears.
pub async fn preview(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let data = state.app().preview_article(&m.actor, id).await?;
    let site = state.app().site_info().await?;
    let html = state.render().article(&site, &data, Mode::Preview)?;
    Ok(html_response(
        StatusCode::OK,
        html.with_views(data.article.views),
    ))
}

//! The desk: the dashboard and the review queue.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_core::workflow::status_label;
use rongmei_core::{ArticleStatus, Links};
use rongmei_store::NewsroomItem;
use serde::Deserialize;

use super::frame::{Frame, page};
use crate::error::WebResult;
use crate::extract::PageMember;
use crate::state::AppState;

pub struct ItemView {
    pub item: NewsroomItem,
    pub status_label: &'static str,
}

pub fn views_of(items: Vec<NewsroomItem>) -> Vec<ItemView> {
    items
        .into_iter()
        .map(|item| ItemView {
            status_label: status_label(item.status),
            item,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "newsroom/dashboard.html")]
struct DashboardPage<'a> {
    links: &'a Links,
    frame: Frame,
    drafts: Vec<ItemView>,
    in_review: Vec<ItemView>,
    waiting: Vec<ItemView>,
    published: Vec<ItemView>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let app = state.app();
    let drafts = app
        .newsroom_items(&m.actor, &[ArticleStatus::Draft], true, 50)
        .await?;
    let in_review = app
        .newsroom_items(
            &m.actor,
            &[
                ArticleStatus::Submitted,
                ArticleStatus::FirstPassed,
                ArticleStatus::SecondPassed,
                ArticleStatus::Approved,
                ArticleStatus::Scheduled,
            ],
            true,
            50,
        )
        .await?;
    let waiting = app.waiting_items(&m.actor, 50).await?;
    let published = app
        .newsroom_items(&m.actor, &[ArticleStatus::Published], false, 15)
        .await?;
    page(
        StatusCode::OK,
        &DashboardPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            drafts: views_of(drafts),
            in_review: views_of(in_review),
            waiting: views_of(waiting),
            published: views_of(published),
        },
    )
}

#[derive(Template)]
#[template(path = "newsroom/queue.html")]
struct QueuePage<'a> {
    links: &'a Links,
    frame: Frame,
    heading: String,
    items: Vec<ItemView>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    /// The article just returned to its author (the reviewer lands here, as the draft is no
    /// longer theirs to open).
    returned: Option<i64>,
}

pub async fn queue(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    let items = state.app().waiting_items(&m.actor, 500).await?;
    page(
        StatusCode::OK,
        &QueuePage {
            links: state.links(),
            heading: format!("审核队列（{}）", m.session.user.roles_label()),
            frame: Frame::of(&m.session),
            items: views_of(items),
            notice: q
                .returned
                .map(|id| format!("第 {id} 号稿件已退回作者修改。")),
        },
    )
}

//! The audit log as a page, and the timeline every article's workspace shows.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_core::workflow::status_label;
use rongmei_core::{Action, ArticleStatus, Links};
use rongmei_store::AuditEntry;
use serde::Deserialize;

use super::frame::{Frame, page};
use crate::error::WebResult;
use crate::extract::PageMember;
use crate::state::AppState;

pub struct TimelineView {
    pub entry: AuditEntry,
    pub from_label: &'static str,
    pub to_label: &'static str,
    pub action_label: &'static str,
}

fn action_label(s: &str) -> &'static str {
    match s {
        "create" => "创建",
        "edit" => "修改",
        "comment" => "评论",
        "login" => "登录",
        "logout" => "退出",
        "password" => "修改密码",
        "user_add" => "添加用户",
        "user_change" => "修改用户",
        other => Action::parse(other).map(Action::label).unwrap_or("其他"),
    }
}

fn state_label(s: Option<&str>) -> &'static str {
    s.and_then(ArticleStatus::parse)
        .map(status_label)
        .unwrap_or("")
}

pub fn timeline(entries: Vec<AuditEntry>) -> Vec<TimelineView> {
    entries
        .into_iter()
        .map(|entry| TimelineView {
            from_label: state_label(entry.from_state.as_deref()),
            to_label: state_label(entry.to_state.as_deref()),
            action_label: action_label(&entry.action),
            entry,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "newsroom/audit.html")]
struct AuditPage<'a> {
    links: &'a Links,
    frame: Frame,
    article: String,
    login: String,
    entries: Vec<TimelineView>,
}

#[derive(Deserialize)]
pub struct AuditPageQuery {
    article: Option<String>,
    user: Option<String>,
}

/// An article id from a filter field; junk is not found.
pub fn article_filter(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| AppError::NotFound(format!("no article with id {s:?}"))),
    }
}

pub async fn audit(
    State(state): State<AppState>,
    Query(q): Query<AuditPageQuery>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let article_id = article_filter(q.article.as_deref())?;
    // Without a filter, members see their own lines; admins and chiefs see everyone's.
    let login = match q.user.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(l) => Some(l.to_string()),
        None if article_id.is_none() && !m.actor.sees_all_audit() => {
            Some(m.session.user.login.clone())
        }
        None => None,
    };
    let entries = state
        .app()
        .audit_log(&m.actor, article_id, login.as_deref(), 1000)
        .await?;
    page(
        StatusCode::OK,
        &AuditPage {
            links: state.links(),
            article: q.article.clone().unwrap_or_default(),
            login: login.unwrap_or_default(),
            entries: timeline(entries),
            frame: Frame::of(&m.session),
        },
    )
}

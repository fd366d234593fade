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

/// The audit name of the command line (`rongmei user add …`).
const CLI_LOGIN: &str = "cli";
/// Audit names of the server's own tasks start with this (`system:scheduler`).
const SYSTEM_PREFIX: &str = "system:";

impl TimelineView {
    /// Whether the line was written by an account, whose lines the log can filter by. The
    /// command line and the scheduler are no account: a link to "their" lines would only 404.
    pub fn actor_is_member(&self) -> bool {
        self.entry.actor_id.is_some()
    }

    /// Who acted, as a person reads it: the login, or what the machine was doing.
    pub fn actor_name(&self) -> &str {
        actor_name(self.entry.actor_id, &self.entry.actor_login)
    }

    /// Where the request came from; the machine's own lines say `local`.
    pub fn ip_label(&self) -> &str {
        match self.entry.ip.as_str() {
            "local" => "本机",
            ip => ip,
        }
    }
}

fn actor_name(actor_id: Option<i64>, login: &str) -> &str {
    if actor_id.is_some() {
        return login;
    }
    match login {
        CLI_LOGIN => "命令行",
        "system:scheduler" => "定时发布",
        l if l.starts_with(SYSTEM_PREFIX) => "系统",
        l => l,
    }
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
        "dictionary_saved" => "修改审校词库",
        "webhook_add" => "添加推送地址",
        "webhook_delete" => "删除推送地址",
        "webhook_rotate" => "更换推送密钥",
        "webhook_enable" => "启用推送地址",
        "webhook_disable" => "停用推送地址",
        "webhook_replay" => "重新推送",
        "special_save" => "保存专题",
        "special_delete" => "删除专题",
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
            .ok_or_else(|| AppError::NotFound(format!("没有编号为 {s:?} 的稿件"))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_are_named_in_chinese() {
        assert_eq!(actor_name(None, "cli"), "命令行");
        assert_eq!(actor_name(None, "system:scheduler"), "定时发布");
        assert_eq!(actor_name(None, "system:reindex"), "系统");
        assert_eq!(actor_name(Some(3), "reporter"), "reporter");
        // An account that happens to be called `cli` is still that account.
        assert_eq!(actor_name(Some(4), "cli"), "cli");
    }

    #[test]
    fn every_recorded_action_has_a_chinese_label() {
        for a in [
            "create",
            "edit",
            "comment",
            "login",
            "logout",
            "password",
            "user_add",
            "user_change",
            "dictionary_saved",
            "webhook_add",
            "webhook_delete",
            "webhook_rotate",
            "webhook_enable",
            "webhook_disable",
            "webhook_replay",
            "special_save",
            "special_delete",
            "submit",
            "approve",
            "reject",
            "publish",
            "schedule",
            "retract",
        ] {
            let label = action_label(a);
            assert!(
                label != "其他" && !label.chars().any(|c| c.is_ascii_alphabetic()),
                "{a}: {label}"
            );
        }
    }
}

//! An article's revisions, and the word diff between any two of them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_core::{Article, Links};
use serde::Deserialize;

use super::frame::{Frame, page};
use crate::error::WebResult;
use crate::extract::{ArticleId, PageMember};
use crate::state::AppState;

pub struct RevisionView {
    pub number: i64,
    pub who: String,
    pub when: String,
    pub title: String,
    pub chars: usize,
}

#[derive(Template)]
#[template(path = "newsroom/history.html")]
struct HistoryPage<'a> {
    links: &'a Links,
    frame: Frame,
    a: Article,
    revisions: Vec<RevisionView>,
    from: i64,
    to: i64,
    title_diff: Option<String>,
    meta_changes: Vec<(String, String, String)>,
    rows: Vec<rongmei_diff::Row>,
    added: usize,
    removed: usize,
}

impl HistoryPage<'_> {
    fn row_class(&self, r: &rongmei_diff::Row) -> &'static str {
        match r.change {
            rongmei_diff::RowChange::Same => "same",
            rongmei_diff::RowChange::Changed => "changed",
            rongmei_diff::RowChange::Added => "added",
            rongmei_diff::RowChange::Removed => "removed",
        }
    }
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub async fn history(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    Query(q): Query<HistoryQuery>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let art = state.app().newsroom_article(&m.actor, id).await?.article;
    let revs = state.app().revisions(&m.actor, id).await?;
    let columns = state.app().columns().await?;
    let last = revs.last().map(|r| r.number).unwrap_or(0);
    let to =
        q.to.filter(|n| revs.iter().any(|r| r.number == *n))
            .unwrap_or(last);
    let from = q
        .from
        .filter(|n| revs.iter().any(|r| r.number == *n))
        .unwrap_or((to - 1).max(1));
    let old = revs.iter().find(|r| r.number == from);
    let new = revs.iter().find(|r| r.number == to);
    let (title_diff, rows, added, removed, meta_changes) = match (old, new) {
        (Some(o), Some(n)) => {
            let title_diff =
                (o.title != n.title).then(|| rongmei_diff::inline_html(&o.title, &n.title));
            let side = rongmei_diff::side_by_side(&o.body_text, &n.body_text);
            let (added, removed) = rongmei_diff::stats(&o.body_text, &n.body_text);
            let mut meta = Vec::new();
            if o.tags != n.tags {
                meta.push(("标签".to_string(), o.tags.join("，"), n.tags.join("，")));
            }
            let by = |r: &rongmei_store::Revision| {
                r.bylines
                    .iter()
                    .map(|b| format!("{}：{}", b.role, b.name))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            if o.bylines != n.bylines {
                meta.push(("署名".to_string(), by(o), by(n)));
            }
            if o.summary != n.summary {
                meta.push(("摘要".to_string(), o.summary.clone(), n.summary.clone()));
            }
            if o.column_id != n.column_id {
                // A column deleted since keeps showing as its number.
                let name = |id: i64| {
                    columns
                        .iter()
                        .find(|c| c.id == id)
                        .map_or_else(|| format!("#{id}"), |c| c.name.clone())
                };
                meta.push(("栏目".to_string(), name(o.column_id), name(n.column_id)));
            }
            (title_diff, side.rows, added, removed, meta)
        }
        _ => (None, Vec::new(), 0, 0, Vec::new()),
    };
    let revisions = revs
        .iter()
        .map(|r| RevisionView {
            number: r.number,
            who: r.editor_login.clone().unwrap_or_default(),
            when: r
                .created_at
                .with_timezone(&rongmei_core::SHANGHAI)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            title: r.title.clone(),
            chars: r.body_text.chars().count(),
        })
        .collect();
    let view = HistoryPage {
        links: state.links(),
        frame: Frame::of(&m.session),
        a: art,
        revisions,
        from,
        to,
        title_diff,
        meta_changes,
        rows,
        added,
        removed,
    };
    page(StatusCode::OK, &view)
}

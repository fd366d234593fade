//! The publication-check dictionaries: the admin's page and the API (`text/plain` in the file
//! format, so `curl -T sensitive.txt` is an import and a `GET` an export).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use rongmei_app::AppError;
use rongmei_app::dictionaries::DictionarySaved;
use rongmei_checks::DictionaryKind;
use rongmei_core::Links;
use serde::Deserialize;

use super::frame::{Frame, form_error, page};
use crate::api::openapi::{InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{Member, PageMember};
use crate::state::AppState;

fn kind_of(name: &str) -> Result<DictionaryKind, AppError> {
    DictionaryKind::parse(name).ok_or_else(|| {
        AppError::NotFound(format!(
            "没有这个词库：{name}（可用的是 sensitive 与 expressions）"
        ))
    })
}

/// `GET /api/v1/dictionaries/{name}`.
#[utoipa::path(
    get, path = "/api/v1/dictionaries/{name}", operation_id = "get_dictionary", tag = "tools", security(("bearer" = []), ("session_cookie" = [])),
    params(("name" = String, Path, description = "`sensitive` or `expressions`")),
    responses((status = 200, description = "The dictionary in its file format", body = String, content_type = "text/plain"), MemberErrors, InputErrors)
)]
pub async fn api_get(
    State(state): State<AppState>,
    m: Member,
    Path(name): Path<String>,
) -> WebResult<Response> {
    let text = state.app().dictionary(&m.actor, kind_of(&name)?).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// `PUT /api/v1/dictionaries/{name}` (admins): replaces it, or 422 naming the bad line.
#[utoipa::path(
    put, path = "/api/v1/dictionaries/{name}", operation_id = "put_dictionary", tag = "tools", security(("bearer" = []), ("session_cookie" = [])),
    params(("name" = String, Path, description = "`sensitive` or `expressions`")),
    request_body(content = String, content_type = "text/plain", description = "The whole dictionary in its file format"),
    responses((status = 200, description = "Saved (admins); in force on every node within seconds", body = rongmei_app::dictionaries::DictionarySaved), MemberErrors, InputErrors)
)]
pub async fn api_put(
    State(state): State<AppState>,
    m: Member,
    Path(name): Path<String>,
    text: String,
) -> WebResult<Json<DictionarySaved>> {
    let kind = kind_of(&name)?;
    Ok(Json(
        state.app().save_dictionary(&m.actor, kind, &text).await?,
    ))
}

struct Shown {
    name: &'static str,
    title: &'static str,
    format: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "newsroom/dictionaries.html")]
struct DictionariesPage<'a> {
    links: &'a Links,
    frame: Frame,
    dictionaries: Vec<Shown>,
    error: Option<String>,
    notice: Option<String>,
}

/// The page; `edited` keeps what an admin typed into a dictionary whose save was refused.
async fn dictionaries_page(
    state: &AppState,
    m: &Member,
    status: StatusCode,
    outcome: Result<String, String>,
    edited: Option<(DictionaryKind, String)>,
) -> WebResult<Response> {
    m.actor.require_any(&[rongmei_core::Role::Admin])?;
    let mut dictionaries = Vec::new();
    for kind in DictionaryKind::ALL {
        let text = match &edited {
            Some((k, text)) if *k == kind => text.clone(),
            _ => state.app().dictionary(&m.actor, kind).await?,
        };
        let (title, format) = match kind {
            DictionaryKind::Sensitive => (
                "敏感词",
                "格式：词语<Tab>block（拦截发布）| warn（提示）| allow（放行包含敏感词的正常词语）[<Tab>说明]",
            ),
            DictionaryKind::Expressions => (
                "规范表述",
                "格式：错误写法<Tab>规范写法（或 = 表示这是正确写法）[<Tab>说明]",
            ),
        };
        dictionaries.push(Shown {
            name: kind.name(),
            title,
            format,
            text,
        });
    }
    let (error, notice) = match outcome {
        Ok(n) if n.is_empty() => (None, None),
        Ok(n) => (None, Some(n)),
        Err(e) => (Some(e), None),
    };
    page(
        status,
        &DictionariesPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            dictionaries,
            error,
            notice,
        },
    )
}

pub async fn show(State(state): State<AppState>, PageMember(m): PageMember) -> WebResult<Response> {
    dictionaries_page(&state, &m, StatusCode::OK, Ok(String::new()), None).await
}

#[derive(Deserialize)]
pub struct SaveForm {
    text: String,
}

pub async fn save_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    Path(name): Path<String>,
    Form(f): Form<SaveForm>,
) -> WebResult<Response> {
    let kind = kind_of(&name)?;
    // Browsers send CR LF from a textarea; the stored text keeps the file format's LF.
    let text = f.text.replace("\r\n", "\n");
    match state.app().save_dictionary(&m.actor, kind, &text).await {
        Ok(s) => {
            let notice = format!(
                "已保存：共 {} 条，新增 {} 条，删除 {} 条。所有节点将在两秒内生效。",
                s.entries, s.added, s.removed
            );
            dictionaries_page(&state, &m, StatusCode::OK, Ok(notice), None).await
        }
        Err(e @ AppError::Forbidden(_)) => Err(e.into()),
        Err(e) => {
            let (status, message) = form_error(&e);
            dictionaries_page(
                &state,
                &m,
                status,
                Err(format!("未保存：{message}")),
                Some((kind, text)),
            )
            .await
        }
    }
}

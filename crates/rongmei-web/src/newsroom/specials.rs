//! Specials (专题) in the newsroom and the API: chiefs and admins name a special, describe it,
//! give it a banner and list its articles in order; `GET /api/v1/specials` lists them for all.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::site::specials::{SpecialForm, SpecialJson};
use rongmei_core::{Links, Special};
use serde::Deserialize;

use super::frame::{Frame, form_error, page};
use crate::api::openapi::{InputErrors, MemberErrors};
use crate::api::public::json_response;
use crate::error::WebResult;
use crate::extract::{JsonBody, Member, PageMember};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/specials", tag = "public",
    responses(
        (status = 200, description = "Every special with its published articles in order", body = Vec<SpecialJson>),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`"),
        (status = 503, description = "The database is unreachable for a moment", body = crate::api::openapi::ErrorBody),
    )
)]
pub async fn api_list(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    json_response(&headers, &state.app().specials_json().await?)
}

#[utoipa::path(
    put, path = "/api/v1/specials/{slug}", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("slug" = String, Path, description = "The special's address: lower-case letters, digits and `-`")),
    request_body = SpecialForm,
    responses((status = 204, description = "Created or replaced (chiefs and admins)"), MemberErrors, InputErrors)
)]
pub async fn api_put(
    State(state): State<AppState>,
    m: Member,
    Path(slug): Path<String>,
    JsonBody(form): JsonBody<SpecialForm>,
) -> WebResult<StatusCode> {
    state.app().save_special(&m.actor, &slug, form).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete, path = "/api/v1/specials/{slug}", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("slug" = String, Path, description = "The special's address")),
    responses((status = 204, description = "Removed; its articles stay (chiefs and admins)"), MemberErrors, InputErrors)
)]
pub async fn api_delete(
    State(state): State<AppState>,
    m: Member,
    Path(slug): Path<String>,
) -> WebResult<StatusCode> {
    state.app().delete_special(&m.actor, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the form shows: a special being edited, or a new one.
struct Editing {
    slug: String,
    name: String,
    description: String,
    cover: String,
    position: i64,
    featured: bool,
    /// One article id a line, in order.
    articles: String,
    is_new: bool,
}

#[derive(Template)]
#[template(path = "newsroom/specials.html")]
struct SpecialsPage<'a> {
    links: &'a Links,
    frame: Frame,
    specials: Vec<Special>,
    editing: Editing,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct EditQuery {
    edit: Option<String>,
}

async fn specials_page(
    state: &AppState,
    m: &Member,
    status: StatusCode,
    edit: Option<&str>,
    outcome: Result<Option<String>, (String, Editing)>,
) -> WebResult<Response> {
    let (specials, editing) = state.app().specials_for_editing(&m.actor, edit).await?;
    let (error, notice, editing) = match outcome {
        Err((e, form)) => (Some(e), None, form),
        Ok(notice) => (
            None,
            notice,
            match editing {
                Some((s, ids)) => Editing {
                    articles: ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    slug: s.slug,
                    name: s.name,
                    description: s.description,
                    cover: s.cover.unwrap_or_default(),
                    position: s.position,
                    featured: s.featured,
                    is_new: false,
                },
                None => Editing {
                    slug: String::new(),
                    name: String::new(),
                    description: String::new(),
                    cover: String::new(),
                    position: 0,
                    featured: false,
                    articles: String::new(),
                    is_new: true,
                },
            },
        ),
    };
    page(
        status,
        &SpecialsPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            specials,
            editing,
            error,
            notice,
        },
    )
}

/// `/newsroom/specials[?edit=slug]`.
pub async fn show(
    State(state): State<AppState>,
    Query(q): Query<EditQuery>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    specials_page(&state, &m, StatusCode::OK, q.edit.as_deref(), Ok(None)).await
}

#[derive(Deserialize)]
pub struct SaveForm {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    cover: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    featured: Option<String>,
    #[serde(default)]
    articles: String,
}

/// Article ids from the form's list: one a line (or separated by spaces and commas); an
/// article's address works too (`…/articles/123`).
fn article_ids(text: &str) -> Result<Vec<i64>, AppError> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let id = t.trim_end_matches('/').rsplit('/').next().unwrap_or(t);
            id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                AppError::field("articles", format!("「{t}」不是稿件编号或稿件地址"))
            })
        })
        .collect()
}

pub async fn save_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    Form(f): Form<SaveForm>,
) -> WebResult<Response> {
    let editing = Editing {
        slug: f.slug.trim().to_string(),
        name: f.name.clone(),
        description: f.description.replace("\r\n", "\n"),
        cover: f.cover.clone(),
        position: f.position.trim().parse().unwrap_or(0),
        featured: f.featured.is_some(),
        articles: f.articles.replace("\r\n", "\n"),
        is_new: false,
    };
    let result = match article_ids(&f.articles) {
        Ok(articles) => {
            let form = SpecialForm {
                name: f.name.clone(),
                description: editing.description.clone(),
                cover: Some(f.cover.clone()),
                position: editing.position,
                featured: editing.featured,
                articles,
            };
            state
                .app()
                .save_special(&m.actor, &editing.slug, form)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let notice = format!("专题「{}」已保存。", editing.name.trim());
            let slug = editing.slug.clone();
            specials_page(&state, &m, StatusCode::OK, Some(&slug), Ok(Some(notice))).await
        }
        Err(e @ AppError::Forbidden(_)) => Err(e.into()),
        Err(e) => {
            let (status, message) = form_error(&e);
            specials_page(
                &state,
                &m,
                status,
                None,
                Err((format!("未保存：{message}"), editing)),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_lists_take_ids_and_addresses() {
        assert_eq!(
            article_ids("12\n7, https://news.example.edu.cn/articles/30/\n").expect("ids"),
            [12, 7, 30]
        );
        assert!(article_ids("12 abc").is_err());
    }
}

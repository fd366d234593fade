//! The editor: writing a new article and editing one, with the form kept on errors.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::articles::input::{ArticleInput, TagsInput, bylines_from_lines};
use rongmei_checks::Hit;
use rongmei_core::{Article, Column, Links};
use serde::Deserialize;

use super::frame::{Frame, form_error, page, see_other};
use crate::error::WebResult;
use crate::extract::{ArticleId, PageMember};
use crate::state::AppState;

#[derive(Default)]
pub struct EditorValues {
    pub title: String,
    pub column: String,
    pub tags: String,
    pub bylines: String,
    pub summary: String,
    pub body: String,
    /// The chosen cover; empty: the body's first picture.
    pub cover: String,
    /// The body's pictures, to choose the cover from.
    pub pictures: Vec<String>,
    pub revision: i64,
}

#[derive(Template)]
#[template(path = "newsroom/editor.html")]
struct EditorPage<'a> {
    links: &'a Links,
    frame: Frame,
    heading: String,
    form_action: String,
    article_id: Option<i64>,
    v: EditorValues,
    columns: Vec<Column>,
    hits: Vec<Hit>,
    error: Option<String>,
}

impl EditorPage<'_> {
    fn column_selected(&self, c: &Column) -> bool {
        self.v.column == c.slug || self.v.column == c.name
    }
}

#[derive(Deserialize)]
pub struct EditorForm {
    title: String,
    column: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    bylines: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    cover: String,
    revision: Option<i64>,
}

impl EditorForm {
    fn input(&self) -> ArticleInput {
        ArticleInput {
            title: self.title.clone(),
            column: self.column.clone(),
            body: self.body.clone(),
            summary: Some(self.summary.clone()),
            tags: Some(TagsInput::Text(self.tags.clone())),
            bylines: Some(bylines_from_lines(&self.bylines)),
            cover: Some(self.cover.clone()),
        }
    }

    fn values(&self) -> EditorValues {
        EditorValues {
            title: self.title.clone(),
            column: self.column.clone(),
            tags: self.tags.clone(),
            bylines: self.bylines.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            cover: self.cover.clone(),
            pictures: pictures_of(&rongmei_html::body_from_html(&self.body)),
            revision: self.revision.unwrap_or(0),
        }
    }
}

fn values_of(a: &Article, revision: i64) -> EditorValues {
    EditorValues {
        title: a.title.clone(),
        column: a.column.slug.clone(),
        // The 【label】 is derived from the title again on save.
        tags: a
            .tags
            .iter()
            .filter(|t| Some(t.as_str()) != a.label.as_deref())
            .cloned()
            .collect::<Vec<_>>()
            .join("，"),
        bylines: a
            .bylines
            .iter()
            .map(|b| format!("{}：{}", b.role, b.name))
            .collect::<Vec<_>>()
            .join("\n"),
        summary: a.summary.clone(),
        body: a.body.to_html(),
        cover: a.chosen_cover().unwrap_or_default().to_string(),
        pictures: pictures_of(&a.body),
        revision,
    }
}

/// The pictures of a body, in order, each once.
fn pictures_of(body: &rongmei_core::Body) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for src in rongmei_html::image_sources(body) {
        if !out.contains(&src) {
            out.push(src);
        }
    }
    out
}

pub async fn new_form(
    State(state): State<AppState>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    page(
        StatusCode::OK,
        &EditorPage {
            links: state.links(),
            heading: "新建稿件".into(),
            form_action: state.links().newsroom_articles(),
            article_id: None,
            // No column: the reporter picks one (a default would file every hurried article
            // under it).
            v: EditorValues {
                bylines: format!("文字：{}", m.session.user.name),
                ..Default::default()
            },
            columns: state.app().columns().await?,
            hits: Vec::new(),
            error: None,
            frame: Frame::of(&m.session),
        },
    )
}

/// The form again, as it was sent, with the error above it.
async fn with_error(
    state: &AppState,
    m: &crate::extract::Member,
    article_id: Option<i64>,
    f: &EditorForm,
    e: AppError,
) -> WebResult<Response> {
    let (status, message) = form_error(&e);
    let (heading, form_action) = match article_id {
        Some(id) => ("编辑稿件".to_string(), state.links().newsroom_edit(id)),
        None => ("新建稿件".to_string(), state.links().newsroom_articles()),
    };
    page(
        status,
        &EditorPage {
            links: state.links(),
            heading,
            form_action,
            article_id,
            v: f.values(),
            columns: state.app().columns().await?,
            hits: Vec::new(),
            error: Some(message),
            frame: Frame::of(&m.session),
        },
    )
}

pub async fn create_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    Form(f): Form<EditorForm>,
) -> WebResult<Response> {
    match state.app().create_article(&m.actor, &f.input()).await {
        Ok(w) => Ok(see_other(&format!(
            "{}?saved=1",
            state.links().newsroom_article(w.id)
        ))),
        Err(e) => with_error(&state, &m, None, &f, e).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let a = state.app().article_to_edit(&m.actor, id).await?;
    page(
        StatusCode::OK,
        &EditorPage {
            links: state.links(),
            heading: format!("编辑：{}", a.article.title),
            form_action: state.links().newsroom_edit(id),
            article_id: Some(id),
            v: values_of(&a.article, a.meta.revision),
            columns: state.app().columns().await?,
            hits: a.hits,
            error: None,
            frame: Frame::of(&m.session),
        },
    )
}

pub async fn edit_submit(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    PageMember(m): PageMember,
    Form(f): Form<EditorForm>,
) -> WebResult<Response> {
    match state
        .app()
        .edit_article(&m.actor, id, &f.input().into(), f.revision)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "{}?saved=1",
            state.links().newsroom_article(id)
        ))),
        Err(e) => with_error(&state, &m, Some(id), &f, e).await,
    }
}

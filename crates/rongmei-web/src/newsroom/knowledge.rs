//! Curation of knowledge in the newsroom: per article, what extraction found with its evidence,
//! and forms to confirm, reject, rename or add a name; merge, split and rename of entities. The
//! same through the API for tools.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::knowledge::curation::{ArticleKnowledge, CorrectionForm, EntityForm};
use rongmei_app::knowledge::pages::ArticleEntities;
use rongmei_core::{EntityKind, Links, Verdict};
use serde::{Deserialize, Serialize};

use super::frame::{Frame, form_error, page, see_other};
use crate::api::openapi::{InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{ArticleId, JsonBody, Member, PageMember};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "newsroom/entities.html")]
struct EntitiesPage<'a> {
    links: &'a Links,
    frame: Frame,
    k: ArticleKnowledge,
    rejected: Vec<(EntityKind, String)>,
    kinds: [EntityKind; 3],
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct Notice {
    done: Option<String>,
}

async fn show_page(
    state: &AppState,
    m: &Member,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> WebResult<Response> {
    let k = state.app().article_knowledge(&m.actor, id).await?;
    let rejected = k
        .corrections
        .iter()
        .filter(|c| c.verdict == Verdict::Rejected)
        .map(|c| (c.kind, c.written.clone()))
        .collect();
    page(
        status,
        &EntitiesPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            k,
            rejected,
            kinds: EntityKind::ALL,
            error,
            notice,
        },
    )
}

/// `/newsroom/articles/{id}/entities`.
pub async fn show(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    Query(n): Query<Notice>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    let notice = n.done.map(|_| "已保存。".to_string());
    show_page(&state, &m, id, StatusCode::OK, None, notice).await
}

/// A correction from the page; the page again, with the result or the error.
pub async fn correct_submit(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    PageMember(m): PageMember,
    Form(f): Form<CorrectionForm>,
) -> WebResult<Response> {
    match state.app().correct_knowledge(&m.actor, id, f).await {
        Ok(()) => Ok(see_other(&format!(
            "{}?done=1",
            state.links().newsroom_entities(id)
        ))),
        Err(e @ (AppError::Invalid(..) | AppError::NotFound(_) | AppError::Conflict(_))) => {
            let (status, message) = form_error(&e);
            show_page(&state, &m, id, status, Some(message), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EntitySubmit {
    #[serde(flatten)]
    form: EntityForm,
    /// The article page the editor came from (a string: numbers do not survive `flatten`).
    article: Option<String>,
}

/// Merge, split or rename from an article's page; back to it.
pub async fn entity_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    Form(f): Form<EntitySubmit>,
) -> WebResult<Response> {
    let back = f
        .article
        .as_deref()
        .and_then(|a| a.trim().parse::<i64>().ok())
        .filter(|a| *a > 0);
    let kind = EntityKind::parse(f.form.kind.trim()).unwrap_or(EntityKind::Person);
    match (state.app().edit_entity(&m.actor, f.form).await, back) {
        (Ok(_), Some(id)) => Ok(see_other(&format!(
            "{}?done=1",
            state.links().newsroom_entities(id)
        ))),
        (Ok(name), None) => Ok(see_other(&state.links().entity(kind, &name))),
        (
            Err(e @ (AppError::Invalid(..) | AppError::NotFound(_) | AppError::Conflict(_))),
            Some(id),
        ) => {
            let (status, message) = form_error(&e);
            show_page(&state, &m, id, status, Some(message), None).await
        }
        (Err(e), _) => Err(e.into()),
    }
}

/// What an article's knowledge looks like to the newsroom's API.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiKnowledge {
    entities: ArticleEntities,
    /// Whether extraction has read the article's current version.
    current: bool,
}

#[utoipa::path(
    post, path = "/api/v1/articles/{id}/entities", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    request_body = CorrectionForm,
    responses(
        (status = 200, description = "Corrected (reviewers, chiefs and admins) and extracted again; the article's entities now", body = ApiKnowledge),
        MemberErrors, InputErrors
    )
)]
pub async fn api_correct(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
    JsonBody(form): JsonBody<CorrectionForm>,
) -> WebResult<axum::Json<ApiKnowledge>> {
    state.app().correct_knowledge(&m.actor, id, form).await?;
    let k = state.app().article_knowledge(&m.actor, id).await?;
    Ok(axum::Json(ApiKnowledge {
        entities: ArticleEntities::from_mentions(&k.mentions, &k.dates),
        current: k.current,
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiEntityName {
    /// The entity to look at next (the one merged into, split off or renamed).
    name: String,
}

#[utoipa::path(
    post, path = "/api/v1/entities", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    request_body = EntityForm,
    responses(
        (status = 200, description = "Merged, split or renamed (reviewers, chiefs and admins)", body = ApiEntityName),
        MemberErrors, InputErrors
    )
)]
pub async fn api_edit_entity(
    State(state): State<AppState>,
    m: Member,
    JsonBody(form): JsonBody<EntityForm>,
) -> WebResult<axum::Json<ApiEntityName>> {
    let name = state.app().edit_entity(&m.actor, form).await?;
    Ok(axum::Json(ApiEntityName { name }))
}

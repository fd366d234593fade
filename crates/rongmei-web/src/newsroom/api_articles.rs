//! The newsroom's JSON API for articles: writing, the review workflow, revisions and the audit
//! log.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;
use rongmei_app::articles::input::{ArticleInput, ArticlePatch};
use rongmei_app::articles::reads::SinceSubmitted;
use rongmei_checks::Hit;
use rongmei_core::{Action, ArticleStatus, Byline};
use rongmei_store::NewsroomItem;
use serde::{Deserialize, Serialize};

use super::audit::article_filter;
use crate::api::openapi::{InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{ArticleId, JsonBody, Member};
use crate::state::AppState;

/// What a write answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WriteResult {
    id: i64,
    status: ArticleStatus,
    revision: i64,
    checks: Vec<Hit>,
}

impl From<rongmei_app::articles::write::Written> for WriteResult {
    fn from(w: rongmei_app::articles::write::Written) -> Self {
        WriteResult {
            id: w.id,
            status: w.status,
            revision: w.revision,
            checks: w.hits,
        }
    }
}

#[utoipa::path(
    post, path = "/api/v1/articles", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    request_body = rongmei_app::articles::input::ArticleInput,
    responses((status = 201, description = "A new draft; `Location` is its newsroom address", body = WriteResult), MemberErrors, InputErrors)
)]
pub async fn create_article(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<ArticleInput>,
) -> WebResult<Response> {
    let w = state.app().create_article(&m.actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, state.links().api_newsroom_article(w.id))],
        Json(WriteResult::from(w)),
    )
        .into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EditInput {
    #[serde(flatten)]
    article: ArticlePatch,
    /// The revision the edit was based on; a newer stored one makes the edit a 409.
    #[serde(default)]
    revision: Option<i64>,
}

#[utoipa::path(
    put, path = "/api/v1/articles/{id}", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    request_body = EditInput,
    responses((status = 200, description = "Saved as a new revision", body = WriteResult), MemberErrors, InputErrors)
)]
pub async fn edit_article(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
    JsonBody(input): JsonBody<EditInput>,
) -> WebResult<Json<WriteResult>> {
    let w = state
        .app()
        .edit_article(&m.actor, id, &input.article, input.revision)
        .await?;
    Ok(Json(WriteResult::from(w)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActionInput {
    #[schema(value_type = Action)]
    action: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    at: Option<String>,
    /// The state the client saw the article in. When given and someone has moved the article on
    /// since, the action is refused with 409 instead of being applied to the new state.
    #[serde(default)]
    status: Option<ArticleStatus>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionResult {
    id: i64,
    status: ArticleStatus,
}

#[utoipa::path(
    post, path = "/api/v1/articles/{id}/actions", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    request_body = ActionInput,
    responses((status = 200, description = "Done; the article's new state", body = ActionResult), MemberErrors, InputErrors)
)]
pub async fn article_action(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
    JsonBody(input): JsonBody<ActionInput>,
) -> WebResult<Json<ActionResult>> {
    let action = Action::parse(&input.action).ok_or_else(|| {
        AppError::field(
            "action",
            "须为 submit（送审）、approve（通过）、reject（退回）、publish（发布）、schedule（定时发布）或 retract（撤稿）之一",
        )
    })?;
    let status = state
        .app()
        .act(
            &m.actor,
            id,
            action,
            input.comment.as_deref(),
            input.at.as_deref(),
            input.status,
        )
        .await?;
    Ok(Json(ActionResult { id, status }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CommentInput {
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    comment: String,
}

#[utoipa::path(
    post, path = "/api/v1/articles/{id}/comments", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    request_body = CommentInput,
    responses((status = 201, description = "Added to the article's audit log"), MemberErrors, InputErrors)
)]
pub async fn add_comment(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
    JsonBody(input): JsonBody<CommentInput>,
) -> WebResult<StatusCode> {
    state.app().comment(&m.actor, id, &input.comment).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RevisionJson {
    number: i64,
    who: Option<String>,
    when: String,
    what: String,
    title: String,
    column_id: i64,
    tags: Vec<String>,
    bylines: Vec<Byline>,
    summary: String,
    body_html: String,
    body_text: String,
}

#[utoipa::path(
    get, path = "/api/v1/articles/{id}/revisions", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses((status = 200, description = "Every revision, oldest first", body = Vec<RevisionJson>), MemberErrors, InputErrors)
)]
pub async fn revisions(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
) -> WebResult<Json<Vec<RevisionJson>>> {
    let revs = state.app().revisions(&m.actor, id).await?;
    Ok(Json(
        revs.into_iter()
            .map(|r| RevisionJson {
                number: r.number,
                who: r.editor_login,
                when: r.created_at.to_rfc3339(),
                what: format!("revision {}", r.number),
                title: r.title,
                column_id: r.column_id,
                tags: r.tags,
                bylines: r.bylines,
                summary: r.summary,
                body_html: r.body.to_html(),
                body_text: r.body_text,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    mine: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemList {
    items: Vec<NewsroomItem>,
}

#[utoipa::path(
    get, path = "/api/v1/newsroom/articles", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(
        ("status" = Option<String>, Query, pattern = r"^((draft|submitted|first_passed|second_passed|approved|scheduled|published|retracted)(,(draft|submitted|first_passed|second_passed|approved|scheduled|published|retracted))*)?$", description = "States separated by commas (`draft,submitted`)"),
        ("mine" = Option<String>, Query, description = "`1` or `true` for one's own articles only"),
        ("limit" = Option<i64>, Query, description = "At most this many, 1 to 500 (default 50)"),
    ),
    responses((status = 200, description = "Articles the member may read, newest change first", body = ItemList), MemberErrors, InputErrors)
)]
pub async fn newsroom_list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    m: Member,
) -> WebResult<Json<ItemList>> {
    let statuses: Vec<ArticleStatus> = match q.status.as_deref() {
        None | Some("") => ArticleStatus::ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|s| {
                ArticleStatus::parse(s.trim())
                    .ok_or_else(|| AppError::field("status", "未知的稿件状态"))
            })
            .collect::<Result<_, _>>()?,
    };
    let mine = matches!(q.mine.as_deref(), Some("1" | "true"));
    let items = state
        .app()
        .newsroom_items(&m.actor, &statuses, mine, q.limit.unwrap_or(50))
        .await?;
    Ok(Json(ItemList { items }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewsroomArticleJson {
    id: i64,
    title: String,
    column: String,
    tags: Vec<String>,
    bylines: Vec<Byline>,
    summary: String,
    body_html: String,
    body_text: String,
    status: ArticleStatus,
    revision: i64,
    author_id: Option<i64>,
    scheduled_at: Option<String>,
    retracted_reason: Option<String>,
    published_at: Option<String>,
    actions: Vec<Action>,
    may_edit: bool,
    checks: Vec<Hit>,
    /// What reviewers changed after the author submitted it (absent when nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_since_submitted: Option<SinceSubmitted>,
}

#[utoipa::path(
    get, path = "/api/v1/newsroom/articles/{id}", tag = "articles", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses((status = 200, description = "The article as the newsroom sees it", body = NewsroomArticleJson), MemberErrors, InputErrors)
)]
pub async fn newsroom_article(
    State(state): State<AppState>,
    ArticleId(id): ArticleId,
    m: Member,
) -> WebResult<Json<NewsroomArticleJson>> {
    let a = state.app().newsroom_article(&m.actor, id).await?;
    let art = a.article;
    Ok(Json(NewsroomArticleJson {
        id,
        body_html: art.body.to_html(),
        body_text: art.body.to_text(),
        title: art.title,
        column: art.column.slug,
        tags: art.tags,
        bylines: art.bylines,
        summary: art.summary,
        status: a.meta.status,
        revision: a.meta.revision,
        author_id: a.meta.author_id,
        scheduled_at: a.meta.scheduled_at.map(|t| t.to_rfc3339()),
        retracted_reason: a.meta.retracted_reason,
        published_at: art.published_at.map(|t| t.to_rfc3339()),
        actions: a.actions,
        may_edit: a.may_edit,
        checks: a.hits,
        changed_since_submitted: a.since_submitted,
    }))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    article: Option<String>,
    user: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditLine {
    id: i64,
    who: String,
    when: String,
    what: String,
    article_id: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    comment: Option<String>,
    /// The client address, for admins and chiefs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
    detail: serde_json::Value,
}

#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit", security(("bearer" = []), ("session_cookie" = [])),
    params(
        ("article" = Option<i64>, Query, minimum = 1, description = "One article's lines"),
        ("user" = Option<String>, Query, max_length = 32, pattern = r"^[^\u0000-\u001F\u007F]*$", description = "One login's lines"),
        ("limit" = Option<i64>, Query, description = "At most this many, 1 to 5000 (default 500)"),
    ),
    responses((status = 200, description = "Audit lines the member may see, oldest first", body = Vec<AuditLine>), MemberErrors, InputErrors)
)]
pub async fn audit(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
    m: Member,
) -> WebResult<Json<Vec<AuditLine>>> {
    let article_id = article_filter(q.article.as_deref())?;
    let entries = state
        .app()
        .audit_log(
            &m.actor,
            article_id,
            q.user.as_deref(),
            q.limit.unwrap_or(500),
        )
        .await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditLine {
                id: e.id,
                who: e.actor_login,
                when: e.at.to_rfc3339(),
                what: e.action,
                article_id: e.article_id,
                from: e.from_state,
                to: e.to_state,
                comment: e.comment,
                ip: (!e.ip.is_empty()).then_some(e.ip),
                detail: e.detail,
            })
            .collect(),
    ))
}

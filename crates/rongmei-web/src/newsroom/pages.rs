//! The editor's pages, rendered on the server. Every form works without JavaScript; the small
//! committed script (`/newsroom/editor.js`) only adds rich editing, paste clean-up, image upload
//! in place and live checks.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use rongmei_checks::Hit;
use rongmei_core::workflow::{available_actions, may_edit, status_label};
use rongmei_core::{Action, Article, ArticleStatus, Column, Role, User};
use rongmei_store::{ArticleMeta, AuditEntry, NewsroomItem, UserRecord};
use serde::Deserialize;

use super::api::{UserInput, UserPatch, audit_filter, parse_id};
use super::auth::{self, Authed, PageAuth};
use super::ops::{self, ArticleInput, TagsInput};
use crate::AppState;
use crate::client::{Peer, client_ip, user_agent};
use crate::error::AppError;

pub const EDITOR_JS: &str = include_str!("../../static/editor.js");

/// What the newsroom frame shows on every page.
pub struct Frame {
    pub user: User,
    pub csrf: String,
}

impl Frame {
    fn new(_state: &AppState, a: &Authed) -> Frame {
        Frame {
            user: a.user.clone(),
            csrf: a.csrf_token.clone(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_admin()
    }

    pub fn sees_all_audit(&self) -> bool {
        self.user.has(Role::Admin) || self.user.has(Role::Chief)
    }
}

fn html_response(status: StatusCode, body: String) -> Response {
    let mut resp = (status, Html(body)).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

#[derive(Template)]
#[template(path = "newsroom/message.html")]
struct MessagePage<'a> {
    frame: Option<&'a Frame>,
    heading: &'a str,
    message: String,
}

/// An error as a newsroom page, with the status that fits.
fn error_page(_state: &AppState, frame: Option<&Frame>, e: AppError) -> Response {
    if let AppError::Internal(detail) = &e {
        tracing::error!(%detail, "newsroom request failed");
    }
    let status = e.status();
    let heading = match status {
        StatusCode::NOT_FOUND => "找不到 (404)",
        StatusCode::FORBIDDEN => "没有权限 (403)",
        StatusCode::CONFLICT => "状态冲突 (409)",
        StatusCode::UNPROCESSABLE_ENTITY => "无法处理 (422)",
        StatusCode::TOO_MANY_REQUESTS => "请求过于频繁 (429)",
        StatusCode::UNAUTHORIZED => "请先登录 (401)",
        _ => "出错了",
    };
    let message = match &e {
        AppError::Internal(_) => "服务器内部错误，请稍后再试。".to_string(),
        other => other.to_string(),
    };
    let page = MessagePage {
        frame,
        heading,
        message,
    };
    match page.render() {
        Ok(body) => html_response(status, body),
        Err(_) => (status, heading.to_string()).into_response(),
    }
}

fn render<T: Template>(state: &AppState, frame: &Frame, status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => html_response(status, body),
        Err(e) => error_page(state, Some(frame), e.into()),
    }
}

fn ip_of(state: &AppState, headers: &HeaderMap, peer: std::net::SocketAddr) -> String {
    client_ip(headers, peer, state.config().trust_proxy).to_string()
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ---------------------------------------------------------------- sign in / out

#[derive(Template)]
#[template(path = "newsroom/login.html")]
struct LoginPage<'a> {
    site_name: &'a str,
    next: &'a str,
    login: &'a str,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only newsroom paths are followed after signing in: no open redirect.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/newsroom") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/newsroom".to_string(),
    }
}

pub async fn login_form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    let site_name = state.config().site_name.clone();
    let next = safe_next(q.next.as_deref());
    let page = LoginPage {
        site_name: &site_name,
        next: &next,
        login: "",
        error: None,
    };
    match page.render() {
        Ok(b) => html_response(StatusCode::OK, b),
        Err(e) => error_page(&state, None, e.into()),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let result = match auth::check_same_origin(&headers) {
        Ok(()) => {
            let ip = ip_of(&state, &headers, peer);
            auth::sign_in(&state, &f.login, &f.password, &ip, user_agent(&headers)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => {
            let mut resp = see_other(&next);
            resp.headers_mut().insert(
                header::SET_COOKIE,
                auth::set_cookie(
                    &s.token,
                    auth::is_https(&headers, state.config().trust_proxy),
                ),
            );
            resp
        }
        Err(e) => {
            let status = e.status();
            let message = match &e {
                AppError::Unauthorized(_) => "用户名或密码错误。".to_string(),
                AppError::TooManyRequests(_) => "失败次数过多，请 15 分钟后再试。".to_string(),
                AppError::Internal(_) => "服务器内部错误，请稍后再试。".to_string(),
                other => other.to_string(),
            };
            let site_name = state.config().site_name.clone();
            let page = LoginPage {
                site_name: &site_name,
                next: &next,
                login: &f.login,
                error: Some(message),
            };
            match page.render() {
                Ok(b) => html_response(status, b),
                Err(e) => error_page(&state, None, e.into()),
            }
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<CsrfForm>,
) -> Response {
    let frame = Frame::new(&state, &a);
    if let Err(e) = a.check_csrf(&headers, f.csrf.as_deref()) {
        return error_page(&state, Some(&frame), e);
    }
    let ip = ip_of(&state, &headers, peer);
    let done = async {
        state.store().delete_session(&a.token_hash).await?;
        state
            .store()
            .audit_account(
                Some(&a.user),
                &a.user.login,
                "logout",
                &ip,
                serde_json::json!({}),
            )
            .await?;
        Ok::<_, AppError>(())
    };
    match done.await {
        Ok(()) => {
            let mut resp = see_other("/newsroom/login");
            resp.headers_mut()
                .insert(header::SET_COOKIE, auth::clear_cookie());
            resp
        }
        Err(e) => error_page(&state, Some(&frame), e),
    }
}

// ---------------------------------------------------------------- dashboard and lists

pub struct ItemView {
    pub item: NewsroomItem,
    pub status_label: &'static str,
}

fn views_of(items: Vec<NewsroomItem>) -> Vec<ItemView> {
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
struct DashboardPage {
    frame: Frame,
    drafts: Vec<ItemView>,
    in_review: Vec<ItemView>,
    waiting: Vec<ItemView>,
    published: Vec<ItemView>,
}

fn waiting_states(user: &User) -> Vec<ArticleStatus> {
    let mut states: Vec<ArticleStatus> = user
        .roles
        .iter()
        .flat_map(|r| rongmei_core::workflow::waiting_for(*r).iter().copied())
        .collect();
    states.dedup();
    states
}

/// Articles waiting for this user: in a state their roles act on, not written by them.
async fn waiting_items(
    state: &AppState,
    user: &User,
    limit: i64,
) -> Result<Vec<ItemView>, AppError> {
    let states = waiting_states(user);
    let items = state.store().newsroom_items(&states, None, limit).await?;
    Ok(views_of(
        items
            .into_iter()
            .filter(|i| i.author_id != Some(user.id))
            .collect(),
    ))
}

pub async fn dashboard(State(state): State<AppState>, PageAuth(a): PageAuth) -> Response {
    let frame = Frame::new(&state, &a);
    let load = async {
        let store = state.store();
        let drafts = store
            .newsroom_items(&[ArticleStatus::Draft], Some(a.user.id), 50)
            .await?;
        let in_review = store
            .newsroom_items(
                &[
                    ArticleStatus::Submitted,
                    ArticleStatus::FirstPassed,
                    ArticleStatus::SecondPassed,
                    ArticleStatus::Approved,
                    ArticleStatus::Scheduled,
                ],
                Some(a.user.id),
                50,
            )
            .await?;
        let waiting = waiting_items(&state, &a.user, 50).await?;
        let published = store
            .newsroom_items(&[ArticleStatus::Published], None, 15)
            .await?;
        Ok::<_, AppError>((drafts, in_review, waiting, published))
    };
    match load.await {
        Ok((drafts, in_review, waiting, published)) => {
            let page = DashboardPage {
                drafts: views_of(drafts),
                in_review: views_of(in_review),
                waiting,
                published: views_of(published),
                frame,
            };
            render(&state, &page.frame, StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, Some(&frame), e),
    }
}

#[derive(Template)]
#[template(path = "newsroom/queue.html")]
struct QueuePage {
    frame: Frame,
    heading: String,
    items: Vec<ItemView>,
}

pub async fn queue(State(state): State<AppState>, PageAuth(a): PageAuth) -> Response {
    let frame = Frame::new(&state, &a);
    match waiting_items(&state, &a.user, 500).await {
        Ok(items) => {
            let page = QueuePage {
                heading: format!("审核队列（{}）", a.user.roles_label()),
                items,
                frame,
            };
            render(&state, &page.frame, StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, Some(&frame), e),
    }
}

// ---------------------------------------------------------------- editor

#[derive(Default)]
pub struct EditorValues {
    pub title: String,
    pub column: String,
    pub tags: String,
    pub bylines: String,
    pub summary: String,
    pub body: String,
    pub revision: i64,
}

#[derive(Template)]
#[template(path = "newsroom/editor.html")]
struct EditorPage {
    frame: Frame,
    heading: String,
    form_action: String,
    article_id: Option<i64>,
    v: EditorValues,
    columns: Vec<Column>,
    hits: Vec<Hit>,
    error: Option<String>,
}

impl EditorPage {
    fn column_selected(&self, c: &Column) -> bool {
        self.v.column == c.slug || self.v.column == c.name
    }
}

#[derive(Deserialize)]
pub struct EditorForm {
    csrf: Option<String>,
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
            bylines: Some(ops::bylines_from_lines(&self.bylines)),
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
        revision,
    }
}

async fn editor_columns(state: &AppState) -> Result<Vec<Column>, AppError> {
    Ok(state.store().list_columns().await?)
}

pub async fn new_form(State(state): State<AppState>, PageAuth(a): PageAuth) -> Response {
    let frame = Frame::new(&state, &a);
    match editor_columns(&state).await {
        Ok(columns) => {
            let page = EditorPage {
                heading: "新建稿件".into(),
                form_action: "/newsroom/articles".into(),
                article_id: None,
                v: EditorValues {
                    column: rongmei_core::DEFAULT_COLUMN_SLUG.into(),
                    bylines: format!("文字：{}", a.user.name),
                    ..Default::default()
                },
                columns,
                hits: Vec::new(),
                error: None,
                frame,
            };
            render(&state, &page.frame, StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, Some(&frame), e),
    }
}

async fn editor_with_error(
    state: &AppState,
    frame: Frame,
    heading: String,
    form_action: String,
    article_id: Option<i64>,
    f: &EditorForm,
    e: AppError,
) -> Response {
    let columns = match editor_columns(state).await {
        Ok(c) => c,
        Err(e) => return error_page(state, Some(&frame), e),
    };
    let page = EditorPage {
        heading,
        form_action,
        article_id,
        v: f.values(),
        columns,
        hits: Vec::new(),
        error: Some(e.to_string()),
        frame,
    };
    render(state, &page.frame, e.status(), &page)
}

pub async fn create_submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<EditorForm>,
) -> Response {
    let frame = Frame::new(&state, &a);
    if let Err(e) = a.check_csrf(&headers, f.csrf.as_deref()) {
        return error_page(&state, Some(&frame), e);
    }
    let ip = ip_of(&state, &headers, peer);
    match ops::create(&state, &a.user, &f.input(), &ip).await {
        Ok((id, _)) => see_other(&format!("/newsroom/articles/{id}?saved=1")),
        Err(e) => {
            editor_with_error(
                &state,
                frame,
                "新建稿件".into(),
                "/newsroom/articles".into(),
                None,
                &f,
                e,
            )
            .await
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageAuth(a): PageAuth,
) -> Response {
    let frame = Frame::new(&state, &a);
    let load = async {
        let id = parse_id(&id)?;
        let m = ops::meta(&state, id).await?;
        may_edit(&a.user, m.author_id, m.status)?;
        let art = ops::article(&state, id).await?;
        let columns = editor_columns(&state).await?;
        let hits = ops::check_article_hits(&state, &art);
        Ok::<_, AppError>((art, m, columns, hits))
    };
    match load.await {
        Ok((art, m, columns, hits)) => {
            let page = EditorPage {
                heading: format!("编辑：{}", art.title),
                form_action: format!("/newsroom/articles/{}/edit", art.id),
                article_id: Some(art.id),
                v: values_of(&art, m.revision),
                columns,
                hits,
                error: None,
                frame,
            };
            render(&state, &page.frame, StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, Some(&frame), e),
    }
}

pub async fn edit_submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<EditorForm>,
) -> Response {
    let frame = Frame::new(&state, &a);
    if let Err(e) = a.check_csrf(&headers, f.csrf.as_deref()) {
        return error_page(&state, Some(&frame), e);
    }
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&frame), e),
    };
    let ip = ip_of(&state, &headers, peer);
    match ops::edit(&state, &a.user, id, &f.input(), f.revision, &ip).await {
        Ok(_) => {
            state.invalidate(id);
            see_other(&format!("/newsroom/articles/{id}?saved=1"))
        }
        Err(e) => {
            editor_with_error(
                &state,
                frame,
                "编辑稿件".into(),
                format!("/newsroom/articles/{id}/edit"),
                Some(id),
                &f,
                e,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- one article's workspace

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

fn timeline(entries: Vec<AuditEntry>) -> Vec<TimelineView> {
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
#[template(path = "newsroom/article.html")]
struct WorkspacePage {
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
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct WorkspaceQuery {
    saved: Option<String>,
    done: Option<String>,
}

async fn workspace(
    state: &AppState,
    a: &Authed,
    id: i64,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let frame = Frame::new(state, a);
    let load = async {
        let m = ops::meta(state, id).await?;
        let art = ops::article(state, id).await?;
        let passed = state.store().stages_passed_by(id, a.user.id).await?;
        let author = match m.author_id {
            Some(uid) => state.store().user(uid).await?.map(|u| u.name),
            None => None,
        };
        let entries = state
            .store()
            .audit_log(
                rongmei_store::AuditFilter {
                    article_id: Some(id),
                    actor_id: None,
                },
                500,
            )
            .await?;
        Ok::<_, AppError>((m, art, passed, author, entries))
    };
    match load.await {
        Ok((m, art, passed, author, entries)) => {
            let actions =
                available_actions(&a.user, m.author_id, m.status, &passed, chrono::Utc::now())
                    .into_iter()
                    .map(action_view)
                    .collect();
            let hits = ops::check_article_hits(state, &art);
            let page = WorkspacePage {
                status_label: status_label(m.status),
                may_edit: may_edit(&a.user, m.author_id, m.status).is_ok(),
                blocked: rongmei_checks::blocks(&hits),
                hits,
                actions,
                author,
                timeline: timeline(entries),
                a: art,
                m,
                error,
                notice,
                frame,
            };
            render(state, &page.frame, status, &page)
        }
        Err(e) => error_page(state, Some(&frame), e),
    }
}

pub async fn article_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WorkspaceQuery>,
    PageAuth(a): PageAuth,
) -> Response {
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&Frame::new(&state, &a)), e),
    };
    let notice = if q.saved.is_some() {
        Some("已保存。".to_string())
    } else {
        q.done
            .as_deref()
            .and_then(ArticleStatus::parse)
            .map(|s| format!("操作成功，稿件现在的状态：{}。", status_label(s)))
    };
    workspace(&state, &a, id, StatusCode::OK, None, notice).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
    action: String,
    comment: Option<String>,
    at: Option<String>,
}

pub async fn action_submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<ActionForm>,
) -> Response {
    let frame = Frame::new(&state, &a);
    if let Err(e) = a.check_csrf(&headers, f.csrf.as_deref()) {
        return error_page(&state, Some(&frame), e);
    }
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&frame), e),
    };
    let Some(action) = Action::parse(&f.action) else {
        return workspace(
            &state,
            &a,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!("未知操作 {:?}", f.action)),
            None,
        )
        .await;
    };
    let ip = ip_of(&state, &headers, peer);
    match ops::act(
        &state,
        &a.user,
        id,
        action,
        f.comment.as_deref(),
        f.at.as_deref(),
        &ip,
    )
    .await
    {
        Ok(to) => see_other(&format!("/newsroom/articles/{id}?done={}", to.as_str())),
        Err(e) => workspace(&state, &a, id, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    csrf: Option<String>,
    comment: String,
}

pub async fn comment_submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<CommentForm>,
) -> Response {
    let frame = Frame::new(&state, &a);
    if let Err(e) = a.check_csrf(&headers, f.csrf.as_deref()) {
        return error_page(&state, Some(&frame), e);
    }
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&frame), e),
    };
    let ip = ip_of(&state, &headers, peer);
    match ops::comment(&state, &a.user, id, &f.comment, &ip).await {
        Ok(()) => see_other(&format!("/newsroom/articles/{id}#timeline")),
        Err(e) => workspace(&state, &a, id, e.status(), Some(e.to_string()), None).await,
    }
}

/// The image upload that works without JavaScript: the picture is appended to the body.
pub async fn image_submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    multipart: Multipart,
) -> Response {
    let frame = Frame::new(&state, &a);
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&frame), e),
    };
    // Multipart fields arrive in form order; the CSRF field is checked once all are read, and
    // nothing is attached to the article before it passes.
    let result = async {
        let (stored, fields) = super::api::store_upload(&state, multipart).await?;
        let fields: HashMap<String, String> = fields.into_iter().collect();
        a.check_csrf(&headers, fields.get("csrf").map(String::as_str))?;
        let ip = ip_of(&state, &headers, peer);
        let caption = fields.get("caption").cloned().unwrap_or_default();
        ops::append_image(&state, &a.user, id, &stored.url, &caption, &ip).await
    };
    match result.await {
        Ok(_) => {
            state.invalidate(id);
            see_other(&format!("/newsroom/articles/{id}?saved=1"))
        }
        Err(e) => workspace(&state, &a, id, e.status(), Some(e.to_string()), None).await,
    }
}

/// The article exactly as the public page will show it, whatever its state.
pub async fn preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageAuth(a): PageAuth,
) -> Response {
    let frame = Frame::new(&state, &a);
    let result = async {
        let id = parse_id(&id)?;
        let art = ops::article(&state, id).await?;
        crate::pages::render_preview(&state, &art).await
    };
    match result.await {
        Ok(html) => html_response(StatusCode::OK, html),
        Err(e) => error_page(&state, Some(&frame), e),
    }
}

// ---------------------------------------------------------------- history

pub struct RevisionView {
    pub number: i64,
    pub who: String,
    pub when: String,
    pub title: String,
    pub chars: usize,
}

#[derive(Template)]
#[template(path = "newsroom/history.html")]
struct HistoryPage {
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

impl HistoryPage {
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
    Path(id): Path<String>,
    Query(q): Query<HistoryQuery>,
    PageAuth(a): PageAuth,
) -> Response {
    let frame = Frame::new(&state, &a);
    let load = async {
        let id = parse_id(&id)?;
        let art = ops::article(&state, id).await?;
        let revs = state.store().revisions(id).await?;
        let columns = state.store().list_columns().await?;
        Ok::<_, AppError>((art, revs, columns))
    };
    let (art, revs, columns) = match load.await {
        Ok(x) => x,
        Err(e) => return error_page(&state, Some(&frame), e),
    };
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
    let page = HistoryPage {
        a: art,
        revisions,
        from,
        to,
        title_diff,
        meta_changes,
        rows,
        added,
        removed,
        frame,
    };
    render(&state, &page.frame, StatusCode::OK, &page)
}

// ---------------------------------------------------------------- audit

#[derive(Template)]
#[template(path = "newsroom/audit.html")]
struct AuditPage {
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

pub async fn audit(
    State(state): State<AppState>,
    Query(q): Query<AuditPageQuery>,
    PageAuth(a): PageAuth,
) -> Response {
    let frame = Frame::new(&state, &a);
    // Without a filter, members see their own lines; admins and chiefs see everyone's.
    let login = match q.user.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(l) => Some(l.to_string()),
        None if q.article.as_deref().is_none_or(|s| s.trim().is_empty())
            && !frame.sees_all_audit() =>
        {
            Some(a.user.login.clone())
        }
        None => None,
    };
    let load = async {
        let filter = audit_filter(&state, &a.user, q.article.as_deref(), login.as_deref()).await?;
        Ok::<_, AppError>(state.store().audit_log(filter, 1000).await?)
    };
    match load.await {
        Ok(entries) => {
            let page = AuditPage {
                article: q.article.clone().unwrap_or_default(),
                login: login.unwrap_or_default(),
                entries: timeline(entries),
                frame,
            };
            render(&state, &page.frame, StatusCode::OK, &page)
        }
        Err(e) => error_page(&state, Some(&frame), e),
    }
}

// ---------------------------------------------------------------- accounts

#[derive(Template)]
#[template(path = "newsroom/users.html")]
struct UsersPage {
    frame: Frame,
    users: Vec<UserRecord>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    notice: Option<String>,
}

impl UsersPage {
    fn roles_of(&self, u: &User) -> String {
        Role::join(&u.roles)
    }
}

async fn users_page(
    state: &AppState,
    a: &Authed,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let frame = Frame::new(state, a);
    if let Err(e) = a.require_any(&[Role::Admin]) {
        return error_page(state, Some(&frame), e);
    }
    match state.store().list_users().await {
        Ok(users) => {
            let page = UsersPage {
                users,
                roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
                error,
                notice,
                frame,
            };
            render(state, &page.frame, status, &page)
        }
        Err(e) => error_page(state, Some(&frame), e.into()),
    }
}

/// The users page after an account change: the notice on success, the error with its status.
async fn users_outcome(
    state: &AppState,
    a: &Authed,
    result: Result<User, AppError>,
    done: &str,
) -> Response {
    match result {
        Ok(u) => {
            let notice = format!("{done} {}。", u.login);
            users_page(state, a, StatusCode::OK, None, Some(notice)).await
        }
        Err(e) => users_page(state, a, e.status(), Some(e.to_string()), None).await,
    }
}

pub async fn users(State(state): State<AppState>, PageAuth(a): PageAuth) -> Response {
    users_page(&state, &a, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct AddUserForm {
    csrf: Option<String>,
    login: String,
    name: Option<String>,
    role: String,
    password: String,
}

pub async fn add_user_submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<AddUserForm>,
) -> Response {
    let result = async {
        a.check_csrf(&headers, f.csrf.as_deref())?;
        a.require_any(&[Role::Admin])?;
        let ip = ip_of(&state, &headers, peer);
        super::api::add_user(
            &state,
            &a.user,
            &UserInput {
                login: f.login.clone(),
                name: f.name.clone(),
                role: f.role.clone(),
                password: f.password.clone(),
            },
            &ip,
        )
        .await
    };
    users_outcome(&state, &a, result.await, "已添加用户").await
}

#[derive(Deserialize)]
pub struct PatchUserForm {
    csrf: Option<String>,
    role: Option<String>,
    disabled: Option<String>,
    password: Option<String>,
}

pub async fn patch_user_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<PatchUserForm>,
) -> Response {
    let result = async {
        a.check_csrf(&headers, f.csrf.as_deref())?;
        a.require_any(&[Role::Admin])?;
        let ip = ip_of(&state, &headers, peer);
        let patch = UserPatch {
            role: f.role.clone().filter(|r| !r.trim().is_empty()),
            disabled: f.disabled.as_deref().map(|d| d == "1"),
            password: f.password.clone().filter(|p| !p.is_empty()),
        };
        super::api::patch_user(&state, &a.user, id, &patch, &ip).await
    };
    users_outcome(&state, &a, result.await, "已更新用户").await
}

#[derive(Template)]
#[template(path = "newsroom/password.html")]
struct PasswordPage {
    frame: Frame,
    error: Option<String>,
    notice: Option<String>,
}

pub async fn password_form(State(state): State<AppState>, PageAuth(a): PageAuth) -> Response {
    let page = PasswordPage {
        frame: Frame::new(&state, &a),
        error: None,
        notice: None,
    };
    render(&state, &page.frame, StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    PageAuth(a): PageAuth,
    Form(f): Form<PasswordForm>,
) -> Response {
    let result = async {
        a.check_csrf(&headers, f.csrf.as_deref())?;
        if f.new != f.confirm {
            return Err(AppError::Unprocessable(
                "两次输入的新密码不一致。".into(),
                None,
            ));
        }
        let ip = ip_of(&state, &headers, peer);
        super::api::change_own_password(&state, &a, &f.current, &f.new, &ip).await
    };
    let (status, error, notice) = match result.await {
        Ok(()) => (
            StatusCode::OK,
            None,
            Some("密码已修改，其他设备上的登录已退出。".to_string()),
        ),
        Err(e) => (e.status(), Some(e.to_string()), None),
    };
    let page = PasswordPage {
        frame: Frame::new(&state, &a),
        error,
        notice,
    };
    render(&state, &page.frame, status, &page)
}

pub async fn editor_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        EDITOR_JS,
    )
        .into_response()
}

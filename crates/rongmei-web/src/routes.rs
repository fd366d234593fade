//! The one route table: every path the server answers, and the layers over all of them.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use rongmei_app::AppError;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::analytics;
use crate::api::{openapi, public};
use crate::error::{WebError, panic_response};
use crate::health;
use crate::layers::{csrf_guard, error_pages, security_headers};
use crate::newsroom::{
    accounts, api_accounts, api_articles, api_docs, api_tools, audit, channels, desk, dictionaries,
    editor, frame, history, knowledge, media, signin, specials, webhooks, workspace,
};
use crate::site::{entities, feeds, pages, search, sitemaps, views};
use crate::state::AppState;

/// Uploads may be up to the media store's limit; every other body keeps axum's 2 MB default.
const UPLOAD_LIMIT: usize = 24 * 1024 * 1024;

/// Every `/api/v1` endpoint; each handler's `#[utoipa::path]` describes it, so the description
/// cannot miss one the router serves.
fn api_routes(uploads: DefaultBodyLimit) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::new()
        .routes(routes!(public::list_articles, api_articles::create_article))
        .routes(routes!(public::get_article, api_articles::edit_article))
        .routes(routes!(views::count_view).layer(views::cross_origin()))
        .routes(routes!(api_articles::article_action))
        .routes(routes!(api_articles::add_comment))
        .routes(routes!(api_articles::revisions))
        .routes(routes!(channels::api_wechat))
        .routes(routes!(channels::api_weibo))
        .routes(routes!(public::list_columns))
        .routes(routes!(
            entities::api_article_entities,
            knowledge::api_correct
        ))
        .routes(routes!(
            entities::api_list_entities,
            knowledge::api_edit_entity
        ))
        .routes(routes!(entities::api_entity))
        .routes(routes!(specials::api_list))
        .routes(routes!(specials::api_put, specials::api_delete))
        .routes(routes!(search::api_search))
        .routes(routes!(search::api_suggest))
        .routes(routes!(
            api_accounts::create_session,
            api_accounts::get_session,
            api_accounts::delete_session
        ))
        .routes(routes!(api_accounts::change_password))
        .routes(routes!(api_articles::newsroom_list))
        .routes(routes!(api_articles::newsroom_article))
        .routes(routes!(api_articles::audit))
        .routes(routes!(api_accounts::list_users, api_accounts::create_user))
        .routes(routes!(api_accounts::update_user))
        .routes(routes!(api_tools::sanitize))
        .routes(routes!(api_tools::run_checks))
        .routes(routes!(dictionaries::api_get, dictionaries::api_put))
        .routes(routes!(media::upload).layer(uploads))
        .routes(routes!(webhooks::api_list, webhooks::api_create))
        .routes(routes!(
            webhooks::api_get,
            webhooks::api_patch,
            webhooks::api_delete
        ))
        .routes(routes!(webhooks::api_rotate))
        .routes(routes!(webhooks::api_deliveries))
        .routes(routes!(webhooks::api_replay))
        .split_for_parts()
}

/// The API's OpenAPI description, as `/api/openapi.json` serves it.
pub fn api_description() -> utoipa::openapi::OpenApi {
    openapi::document(api_routes(DefaultBodyLimit::max(UPLOAD_LIMIT)).1)
}

pub fn router(state: AppState) -> Router {
    // Installed before the first request so that nothing recorded is lost.
    let _ = crate::telemetry::recorder();
    let uploads = DefaultBodyLimit::max(UPLOAD_LIMIT);
    let (api, paths) = api_routes(uploads);
    let description = Arc::new(openapi::document(paths));
    Router::new()
        // The public site.
        .route("/", get(pages::home))
        .route("/articles/{id}", get(pages::article))
        .route("/columns/{slug}", get(pages::column))
        .route("/columns/{slug}/page/{page}", get(pages::column_page))
        .route("/specials/{slug}", get(pages::special))
        .route("/specials/{slug}/feed.xml", get(feeds::special_rss))
        .route("/specials/{slug}/atom.xml", get(feeds::special_atom))
        .route("/specials/{slug}/feed.json", get(feeds::special_json))
        .route("/feed.xml", get(feeds::rss))
        .route("/atom.xml", get(feeds::atom))
        .route("/feed.json", get(feeds::json))
        .route("/columns/{slug}/feed.xml", get(feeds::column_rss))
        .route("/columns/{slug}/atom.xml", get(feeds::column_atom))
        .route("/columns/{slug}/feed.json", get(feeds::column_json))
        .route("/sitemap.xml", get(sitemaps::root))
        .route("/sitemaps/{file}", get(sitemaps::child))
        .route("/sitemap-news.xml", get(sitemaps::news))
        .route("/robots.txt", get(sitemaps::robots))
        .route("/search", get(search::page))
        .route("/people", get(entities::index))
        .route("/people/{name}", get(entities::entity))
        .route("/organizations", get(entities::index))
        .route("/organizations/{name}", get(entities::entity))
        .route("/places", get(entities::index))
        .route("/places/{name}", get(entities::entity))
        .route("/static/site.css", get(pages::stylesheet))
        .route("/static/suggest.js", get(search::suggest_js))
        .route("/media/{*path}", get(media::serve))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        // No icon yet: an empty answer stops browsers asking on every page without a 404.
        .route(
            "/favicon.ico",
            get(|| async {
                (
                    StatusCode::NO_CONTENT,
                    [(header::CACHE_CONTROL, "public, max-age=86400")],
                )
            }),
        )
        // Analytics.
        .route("/admin/analytics", get(analytics::overview))
        .route("/admin/analytics/articles/{id}", get(analytics::article))
        .route("/admin/analytics/views.csv", get(analytics::csv))
        // The newsroom's pages.
        .route("/newsroom", get(desk::dashboard))
        .route(
            "/newsroom/login",
            get(signin::login_form).post(signin::login_submit),
        )
        .route("/newsroom/logout", post(signin::logout))
        .route("/newsroom/queue", get(desk::queue))
        .route("/newsroom/audit", get(audit::audit))
        .route(
            "/newsroom/users",
            get(accounts::users).post(accounts::add_user_submit),
        )
        .route("/newsroom/users/{id}", post(accounts::patch_user_submit))
        .route("/newsroom/dictionaries", get(dictionaries::show))
        .route(
            "/newsroom/specials",
            get(specials::show).post(specials::save_submit),
        )
        .route(
            "/newsroom/dictionaries/{name}",
            post(dictionaries::save_submit),
        )
        .route(
            "/newsroom/password",
            get(accounts::password_form).post(accounts::password_submit),
        )
        .route(
            "/newsroom/webhooks",
            get(webhooks::list).post(webhooks::create_submit),
        )
        .route("/newsroom/webhooks/{id}", get(webhooks::show))
        .route(
            "/newsroom/webhooks/{id}/actions",
            post(webhooks::action_submit),
        )
        .route("/newsroom/api", get(api_docs::docs))
        .route("/newsroom/editor.js", get(frame::editor_js))
        .route("/newsroom/articles/new", get(editor::new_form))
        .route("/newsroom/articles", post(editor::create_submit))
        .route("/newsroom/articles/{id}", get(workspace::article_page))
        .route(
            "/newsroom/articles/{id}/edit",
            get(editor::edit_form).post(editor::edit_submit),
        )
        .route(
            "/newsroom/articles/{id}/actions",
            post(workspace::action_submit),
        )
        .route(
            "/newsroom/articles/{id}/comments",
            post(workspace::comment_submit),
        )
        .route(
            "/newsroom/articles/{id}/images",
            post(workspace::image_submit).layer(uploads),
        )
        .route("/newsroom/articles/{id}/preview", get(workspace::preview))
        .route("/newsroom/articles/{id}/history", get(history::history))
        .route(
            "/newsroom/articles/{id}/entities",
            get(knowledge::show).post(knowledge::correct_submit),
        )
        .route("/newsroom/entities", post(knowledge::entity_submit))
        .route(
            "/newsroom/articles/{id}/channels",
            get(channels::channels_page),
        )
        // The JSON API: every `/api/v1` endpoint, described by its handler's annotation.
        .route(
            "/api/openapi.json",
            get({
                let description = description.clone();
                move || openapi::serve(description.clone())
            }),
        )
        .merge(api)
        .fallback(|uri: axum::http::Uri| async move {
            WebError(AppError::NotFound(format!("没有这个页面：{}", uri.path())))
        })
        .layer(axum::Extension(description))
        .layer(from_fn_with_state(state.clone(), csrf_guard))
        .layer(from_fn_with_state(state.clone(), error_pages))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(crate::telemetry::track))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

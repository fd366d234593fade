//! The one route table: every path the server answers, and the layers over all of them.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, patch, post};
use rongmei_app::AppError;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

use crate::analytics;
use crate::api::public;
use crate::error::{WebError, panic_response};
use crate::health;
use crate::layers::{csrf_guard, error_pages, security_headers};
use crate::newsroom::{
    accounts, api_accounts, api_articles, api_tools, audit, desk, dictionaries, editor, frame,
    history, media, signin, webhooks, workspace,
};
use crate::site::{feeds, pages, search, sitemaps, views};
use crate::state::AppState;

/// Uploads may be up to the media store's limit; every other body keeps axum's 2 MB default.
const UPLOAD_LIMIT: usize = 24 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    // Installed before the first request so that nothing recorded is lost.
    let _ = crate::telemetry::recorder();
    let uploads = DefaultBodyLimit::max(UPLOAD_LIMIT);
    Router::new()
        // The public site.
        .route("/", get(pages::home))
        .route("/articles/{id}", get(pages::article))
        .route("/columns/{slug}", get(pages::column))
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
        .route("/static/site.css", get(pages::stylesheet))
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
        // The JSON API.
        .route(
            "/api/v1/articles",
            get(public::list_articles).post(api_articles::create_article),
        )
        .route(
            "/api/v1/articles/{id}",
            get(public::get_article).put(api_articles::edit_article),
        )
        .route("/api/v1/articles/{id}/views", post(views::count_view))
        .route(
            "/api/v1/articles/{id}/actions",
            post(api_articles::article_action),
        )
        .route(
            "/api/v1/articles/{id}/comments",
            post(api_articles::add_comment),
        )
        .route(
            "/api/v1/articles/{id}/revisions",
            get(api_articles::revisions),
        )
        .route("/api/v1/columns", get(public::list_columns))
        .route("/api/v1/search", get(search::api_search))
        .route(
            "/api/v1/session",
            post(api_accounts::create_session)
                .get(api_accounts::get_session)
                .delete(api_accounts::delete_session),
        )
        .route("/api/v1/me/password", post(api_accounts::change_password))
        .route(
            "/api/v1/newsroom/articles",
            get(api_articles::newsroom_list),
        )
        .route(
            "/api/v1/newsroom/articles/{id}",
            get(api_articles::newsroom_article),
        )
        .route("/api/v1/audit", get(api_articles::audit))
        .route(
            "/api/v1/users",
            get(api_accounts::list_users).post(api_accounts::create_user),
        )
        .route("/api/v1/users/{id}", patch(api_accounts::update_user))
        .route("/api/v1/sanitize", post(api_tools::sanitize))
        .route("/api/v1/checks", post(api_tools::run_checks))
        .route(
            "/api/v1/dictionaries/{name}",
            get(dictionaries::api_get).put(dictionaries::api_put),
        )
        .route("/api/v1/media", post(media::upload).layer(uploads))
        .route(
            "/api/v1/webhooks",
            get(webhooks::api_list).post(webhooks::api_create),
        )
        .route(
            "/api/v1/webhooks/{id}",
            get(webhooks::api_get)
                .patch(webhooks::api_patch)
                .delete(webhooks::api_delete),
        )
        .route("/api/v1/webhooks/{id}/secret", post(webhooks::api_rotate))
        .route(
            "/api/v1/webhooks/{id}/deliveries",
            get(webhooks::api_deliveries),
        )
        .route(
            "/api/v1/webhooks/{id}/deliveries/{delivery}/replay",
            post(webhooks::api_replay),
        )
        .fallback(|uri: axum::http::Uri| async move {
            WebError(AppError::NotFound(format!("没有这个页面：{}", uri.path())))
        })
        .layer(from_fn_with_state(state.clone(), csrf_guard))
        .layer(from_fn_with_state(state.clone(), error_pages))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(crate::telemetry::track))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

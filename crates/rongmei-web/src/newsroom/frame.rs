//! What every newsroom page shares: the signed-in frame, the message page, and HTML responses
//! that no shared cache keeps.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use rongmei_app::AppError;
use rongmei_app::accounts::sessions::Session;
use rongmei_core::{Links, Role, User};

use crate::error::{WebError, WebResult};
use crate::state::AppState;

/// The committed editor script: rich editing, paste clean-up, image upload in place, live checks.
pub const EDITOR_JS: &str = include_str!("../../static/editor.js");

/// What the newsroom frame shows on every page.
pub struct Frame {
    pub user: User,
    pub csrf: String,
}

impl Frame {
    pub fn of(s: &Session) -> Frame {
        Frame {
            user: s.user.clone(),
            csrf: s.csrf_token.clone(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_admin()
    }

    pub fn sees_all_audit(&self) -> bool {
        self.user.has(Role::Admin) || self.user.has(Role::Chief)
    }
}

/// An HTML page no shared cache may keep.
pub fn html_response(status: StatusCode, body: String) -> Response {
    let mut resp = (status, Html(body)).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

/// Renders a newsroom page with this status.
pub fn page<T: Template>(status: StatusCode, t: &T) -> WebResult<Response> {
    let body = t
        .render()
        .map_err(|e| WebError(AppError::Internal(format!("template: {e}"))))?;
    Ok(html_response(status, body))
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[derive(Template)]
#[template(path = "newsroom/message.html")]
struct MessagePage<'a> {
    links: &'a Links,
    frame: Option<&'a Frame>,
    heading: &'a str,
    message: &'a str,
}

/// A message (most often an error) as a newsroom page.
pub fn message_page(
    state: &AppState,
    frame: Option<&Frame>,
    heading: &str,
    message: &str,
) -> String {
    MessagePage {
        links: state.links(),
        frame,
        heading,
        message,
    }
    .render()
    .unwrap_or_else(|_| format!("<!doctype html><title>{heading}</title><h1>{heading}</h1>"))
}

/// The message of an error as a form shows it beside the fields.
pub fn form_error(e: &AppError) -> (StatusCode, String) {
    (crate::error::status_of(e), crate::error::page_message(e))
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

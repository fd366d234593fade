//! Signing in and out with the browser: a session cookie, and no open redirects.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use rongmei_app::AppError;
use rongmei_app::accounts::sessions::SESSION_TTL_MS;
use rongmei_core::Links;
use serde::Deserialize;

use super::frame::{html_response, page, see_other};
use crate::error::{WebResult, status_of};
use crate::extract::{Client, PageMember, SESSION_COOKIE};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "newsroom/login.html")]
struct LoginPage<'a> {
    links: &'a Links,
    site_name: &'a str,
    next: &'a str,
    login: &'a str,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only newsroom paths are followed after signing in: no open redirect, and nothing that
/// cannot stand in a `Location` header (a CR/LF would split the response).
fn safe_next(links: &Links, next: Option<&str>) -> String {
    match next {
        Some(n)
            if links.is_newsroom_path(n)
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() <= 2000
                && !n.chars().any(char::is_control)
                && HeaderValue::from_str(n).is_ok() =>
        {
            n.to_string()
        }
        _ => links.newsroom(),
    }
}

pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_TTL_MS / 1000
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("rm_session=; Path=/"))
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("rm_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Whether the browser reached us over HTTPS (through a trusted proxy), so the cookie can be
/// marked Secure.
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.trust_proxy()
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

pub async fn login_form(
    State(state): State<AppState>,
    Query(q): Query<NextQuery>,
) -> WebResult<Response> {
    let next = safe_next(state.links(), q.next.as_deref());
    page(
        StatusCode::OK,
        &LoginPage {
            links: state.links(),
            site_name: &state.app().config().site_name,
            next: &next,
            login: "",
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> WebResult<Response> {
    let next = safe_next(state.links(), f.next.as_deref());
    let ip = client.ip.to_string();
    match state
        .app()
        .sign_in(&f.login, &f.password, &ip, &client.user_agent)
        .await
    {
        Ok(s) => {
            let mut resp = see_other(&next);
            resp.headers_mut().insert(
                header::SET_COOKIE,
                set_cookie(&s.token, is_https(&state, &headers)),
            );
            Ok(resp)
        }
        Err(e) => {
            let message = crate::error::page_message(&e);
            let body = LoginPage {
                links: state.links(),
                site_name: &state.app().config().site_name,
                next: &next,
                login: &f.login,
                error: Some(message),
            }
            .render()
            .map_err(|e| AppError::Internal(format!("template: {e}")))?;
            Ok(html_response(status_of(&e), body))
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    state.app().sign_out(&m.session, &m.actor).await?;
    let mut resp = see_other(&state.links().newsroom_login(None));
    resp.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie());
    Ok(resp)
}

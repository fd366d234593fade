//! Extractors: typed ids (junk answers 404), JSON bodies with the API's errors, the client's
//! address, and the signed-in member as an application `Actor`.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use rongmei_app::accounts::sessions::Session;
use rongmei_app::{Actor, AppError};

use crate::client::{client_ip, user_agent};
use crate::error::WebError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "rm_session";

/// The TCP peer and the client address behind a trusted local proxy.
pub struct Client {
    pub ip: IpAddr,
    pub user_agent: String,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        Ok(Client {
            ip: client_ip(&parts.headers, peer, state.trust_proxy()),
            user_agent: user_agent(&parts.headers).to_string(),
        })
    }
}

/// Reads the one path parameter as a positive number; anything else is not found.
async fn positive_id(parts: &mut Parts, state: &AppState, what: &str) -> Result<i64, WebError> {
    let Path(raw) = Path::<String>::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound(format!("没有这个编号的{what}")))?;
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| WebError(AppError::NotFound(format!("没有编号为 {raw:?} 的{what}"))))
}

/// `{id}` of an article.
pub struct ArticleId(pub i64);

impl FromRequestParts<AppState> for ArticleId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Ok(ArticleId(positive_id(parts, state, "稿件").await?))
    }
}

/// `{id}` of a newsroom account.
pub struct UserId(pub i64);

impl FromRequestParts<AppState> for UserId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Ok(UserId(positive_id(parts, state, "用户").await?))
    }
}

/// `{id}` of a webhook endpoint.
pub struct WebhookId(pub i64);

impl FromRequestParts<AppState> for WebhookId {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Ok(WebhookId(positive_id(parts, state, "推送地址").await?))
    }
}

/// `{id}/deliveries/{delivery}`: an endpoint and one of its deliveries.
pub struct DeliveryPath {
    pub endpoint: i64,
    pub delivery: i64,
}

impl FromRequestParts<AppState> for DeliveryPath {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let not_found = || WebError(AppError::NotFound("没有这个编号的投递".into()));
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        let num = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
        match (num(&a), num(&b)) {
            (Some(endpoint), Some(delivery)) => Ok(DeliveryPath { endpoint, delivery }),
            _ => Err(not_found()),
        }
    }
}

/// JSON bodies whose errors come back as the API's JSON errors, not axum's plain text.
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(AppError::invalid(format!("请求内容无法读取：{}", e.body_text())).into())
            }
            Err(JsonRejection::BytesRejection(e)) => {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Err(AppError::TooLarge("请求内容过大".into()).into())
                } else {
                    Err(AppError::Malformed("请求内容未能完整读取".into()).into())
                }
            }
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::Malformed(format!(
                "请求内容不是有效的 JSON（{}）",
                e.body_text()
            ))
            .into()),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::Malformed(
                "请以 JSON 提交（Content-Type: application/json）".into(),
            )
            .into()),
            Err(e) => {
                Err(AppError::Malformed(format!("请求内容无法读取（{}）", e.body_text())).into())
            }
        }
    }
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A request's session, looked up once (the CSRF layer leaves it for the extractors).
#[derive(Clone)]
pub struct Resolved(pub Option<Session>);

pub async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Session>, AppError> {
    if let Some(Resolved(s)) = parts.extensions.get::<Resolved>() {
        return Ok(s.clone());
    }
    let token = bearer(&parts.headers).or_else(|| session_cookie(&parts.headers));
    let session = match token {
        Some(t) => state.app().authenticate(t).await?,
        None => None,
    };
    parts.extensions.insert(Resolved(session.clone()));
    Ok(session)
}

/// A signed-in newsroom member (API): a JSON 401 without a valid session.
pub struct Member {
    pub session: Session,
    pub actor: Actor,
}

async fn member(parts: &mut Parts, state: &AppState) -> Result<Option<Member>, AppError> {
    let Some(session) = resolve(parts, state).await? else {
        return Ok(None);
    };
    let Client { ip, .. } = match Client::from_request_parts(parts, state).await {
        Ok(c) => c,
        Err(never) => match never {},
    };
    Ok(Some(Member {
        actor: Actor::user(session.user.clone(), ip.to_string()),
        session,
    }))
}

impl FromRequestParts<AppState> for Member {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        member(parts, state).await?.ok_or_else(|| {
            WebError(AppError::Unauthenticated(
                "sign in first: POST /api/v1/session, then send Authorization: Bearer TOKEN".into(),
            ))
        })
    }
}

/// A signed-in newsroom member (pages): without a session, a redirect to the sign-in page that
/// comes back here.
pub struct PageMember(pub Member);

pub enum SignInFirst {
    To(String),
    Failed(WebError),
}

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        match self {
            SignInFirst::Failed(e) => e.into_response(),
            SignInFirst::To(to) => Redirect::to(&to).into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PageMember {
    type Rejection = SignInFirst;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, SignInFirst> {
        match member(parts, state).await {
            Ok(Some(m)) => Ok(PageMember(m)),
            Ok(None) => {
                let links = state.links();
                let here = if parts.method == Method::GET {
                    parts.uri.path_and_query().map(|p| p.as_str().to_string())
                } else {
                    None
                };
                let next = here.unwrap_or_else(|| links.newsroom());
                Err(SignInFirst::To(links.newsroom_login(Some(&next))))
            }
            Err(e) => Err(SignInFirst::Failed(e.into())),
        }
    }
}

//! Webhook endpoints over HTTP: the admin's pages (推送地址) and the JSON API.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rongmei_app::AppError;
use rongmei_app::webhooks::endpoints::{CreatedWebhook, DeliveryLog, WebhookInput};
use rongmei_app::webhooks::events::{EVENTS, event_label};
use rongmei_core::{Links, SHANGHAI};
use rongmei_store::{DeliveryState, WebhookEndpoint};
use serde::{Deserialize, Serialize};

use super::frame::{Frame, form_error, page, see_other};
use crate::api::openapi::{InputErrors, MemberErrors};
use crate::error::WebResult;
use crate::extract::{DeliveryPath, JsonBody, Member, PageMember, WebhookId};
use crate::state::AppState;

// ---- JSON API ----

#[utoipa::path(
    get, path = "/api/v1/webhooks", operation_id = "list_webhooks", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Every endpoint (admins)", body = Vec<WebhookEndpoint>), MemberErrors)
)]
pub async fn api_list(
    State(state): State<AppState>,
    m: Member,
) -> WebResult<Json<Vec<WebhookEndpoint>>> {
    Ok(Json(state.app().list_webhooks(&m.actor).await?))
}

#[utoipa::path(
    post, path = "/api/v1/webhooks", operation_id = "create_webhook", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    request_body = WebhookInput,
    responses((status = 201, description = "Saved; the secret is shown this once", body = CreatedWebhook), MemberErrors, InputErrors)
)]
pub async fn api_create(
    State(state): State<AppState>,
    m: Member,
    JsonBody(input): JsonBody<WebhookInput>,
) -> WebResult<Response> {
    let created: CreatedWebhook = state.app().create_webhook(&m.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}", operation_id = "get_webhook", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses((status = 200, description = "One endpoint", body = WebhookEndpoint), MemberErrors, InputErrors)
)]
pub async fn api_get(
    State(state): State<AppState>,
    WebhookId(id): WebhookId,
    m: Member,
) -> WebResult<Json<WebhookEndpoint>> {
    Ok(Json(state.app().webhook_endpoint(&m.actor, id).await?))
}

#[utoipa::path(
    delete, path = "/api/v1/webhooks/{id}", operation_id = "delete_webhook", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses((status = 204, description = "Removed with its delivery log"), MemberErrors, InputErrors)
)]
pub async fn api_delete(
    State(state): State<AppState>,
    WebhookId(id): WebhookId,
    m: Member,
) -> WebResult<StatusCode> {
    state.app().delete_webhook(&m.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A change to an endpoint: `{"enabled": false}` stops deliveries, `true` resumes them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WebhookPatch {
    pub enabled: bool,
}

#[utoipa::path(
    patch, path = "/api/v1/webhooks/{id}", operation_id = "update_webhook", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    request_body = WebhookPatch,
    responses((status = 200, description = "Stopped or resumed", body = WebhookEndpoint), MemberErrors, InputErrors)
)]
pub async fn api_patch(
    State(state): State<AppState>,
    WebhookId(id): WebhookId,
    m: Member,
    JsonBody(p): JsonBody<WebhookPatch>,
) -> WebResult<Json<WebhookEndpoint>> {
    Ok(Json(
        state
            .app()
            .set_webhook_enabled(&m.actor, id, p.enabled)
            .await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedSecret {
    pub secret: String,
}

#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/secret", operation_id = "rotate_webhook_secret", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses((status = 200, description = "A new secret; the old one signs too for 24 hours", body = RotatedSecret), MemberErrors, InputErrors)
)]
pub async fn api_rotate(
    State(state): State<AppState>,
    WebhookId(id): WebhookId,
    m: Member,
) -> WebResult<Json<RotatedSecret>> {
    let secret = state.app().rotate_webhook_secret(&m.actor, id).await?;
    Ok(Json(RotatedSecret { secret }))
}

#[utoipa::path(
    get, path = "/api/v1/webhooks/{id}/deliveries", operation_id = "list_webhook_deliveries", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号")),
    responses((status = 200, description = "The newest 200 deliveries with every attempt", body = Vec<DeliveryLog>), MemberErrors, InputErrors)
)]
pub async fn api_deliveries(
    State(state): State<AppState>,
    WebhookId(id): WebhookId,
    m: Member,
) -> WebResult<Json<Vec<DeliveryLog>>> {
    Ok(Json(state.app().webhook_deliveries(&m.actor, id).await?))
}

#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/deliveries/{delivery}/replay", operation_id = "replay_webhook_delivery", tag = "webhooks", security(("bearer" = []), ("session_cookie" = [])),
    params(("id" = i64, Path, minimum = 1, description = "编号"), ("delivery" = i64, Path, minimum = 1, description = "The delivery")),
    responses((status = 202, description = "Queued again, same `webhook-id`"), MemberErrors, InputErrors)
)]
pub async fn api_replay(
    State(state): State<AppState>,
    path: DeliveryPath,
    m: Member,
) -> WebResult<StatusCode> {
    state
        .app()
        .replay_delivery(&m.actor, path.endpoint, path.delivery)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

// ---- Pages ----

/// An instant of the log as the newsroom reads it (Beijing time).
fn at(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&SHANGHAI)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn state_label(s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Pending => "等待发送",
        DeliveryState::Delivered => "已送达",
        DeliveryState::Failed => "失败",
    }
}

#[derive(Template)]
#[template(path = "newsroom/webhooks.html")]
struct ListPage<'a> {
    links: &'a Links,
    frame: Frame,
    endpoints: Vec<WebhookEndpoint>,
    events: &'static [&'static str],
    error: Option<String>,
    /// The secret of an endpoint just made: shown once.
    created: Option<CreatedWebhook>,
    url: String,
}

impl ListPage<'_> {
    fn label(&self, e: &str) -> &'static str {
        event_label(e)
    }

    fn labels(&self, ep: &WebhookEndpoint) -> String {
        ep.events
            .iter()
            .map(|e| event_label(e))
            .collect::<Vec<_>>()
            .join("、")
    }
}

async fn list_page(
    state: &AppState,
    m: &Member,
    status: StatusCode,
    error: Option<String>,
    created: Option<CreatedWebhook>,
    url: String,
) -> WebResult<Response> {
    let endpoints = state.app().list_webhooks(&m.actor).await?;
    page(
        status,
        &ListPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            endpoints,
            events: &EVENTS,
            error,
            created,
            url,
        },
    )
}

pub async fn list(State(state): State<AppState>, PageMember(m): PageMember) -> WebResult<Response> {
    list_page(&state, &m, StatusCode::OK, None, None, String::new()).await
}

fn form_fields(body: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::Malformed("表单内容无法读取，请刷新页面后重试。".into()))
}

fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub async fn create_submit(
    State(state): State<AppState>,
    PageMember(m): PageMember,
    body: Bytes,
) -> WebResult<Response> {
    let fields = form_fields(&body)?;
    let input = WebhookInput {
        url: field(&fields, "url").unwrap_or_default().to_string(),
        events: fields
            .iter()
            .filter(|(k, _)| k == "event")
            .map(|(_, v)| v.clone())
            .collect(),
        secret: field(&fields, "secret").map(str::to_string),
    };
    match state.app().create_webhook(&m.actor, &input).await {
        Ok(created) => {
            list_page(
                &state,
                &m,
                StatusCode::OK,
                None,
                Some(created),
                String::new(),
            )
            .await
        }
        Err(e @ AppError::Forbidden(_)) => Err(e.into()),
        Err(e) => {
            let (status, message) = form_error(&e);
            list_page(&state, &m, status, Some(message), None, input.url).await
        }
    }
}

/// A delivery as one row of the log.
struct DeliveryRow {
    log: DeliveryLog,
    state: &'static str,
    created: String,
    attempts: Vec<AttemptRow>,
}

struct AttemptRow {
    at: String,
    status: String,
    error: String,
    duration_ms: i64,
    node: String,
}

#[derive(Template)]
#[template(path = "newsroom/webhook.html")]
struct EndpointPage<'a> {
    links: &'a Links,
    frame: Frame,
    endpoint: WebhookEndpoint,
    events: String,
    disabled_at: Option<String>,
    deliveries: Vec<DeliveryRow>,
    notice: Option<String>,
    error: Option<String>,
}

async fn endpoint_page(
    state: &AppState,
    m: &Member,
    id: i64,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> WebResult<Response> {
    let endpoint = state.app().webhook_endpoint(&m.actor, id).await?;
    let logs = state.app().webhook_deliveries(&m.actor, id).await?;
    let deliveries = logs
        .into_iter()
        .map(|log| DeliveryRow {
            state: state_label(log.delivery.state),
            created: at(log.delivery.created_at),
            attempts: log
                .attempts
                .iter()
                .map(|a| AttemptRow {
                    at: at(a.attempted_at),
                    status: a
                        .status_code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "—".into()),
                    error: a.error.clone().unwrap_or_default(),
                    duration_ms: a.duration_ms,
                    node: a.node.clone(),
                })
                .collect(),
            log,
        })
        .collect();
    page(
        status,
        &EndpointPage {
            links: state.links(),
            frame: Frame::of(&m.session),
            events: endpoint
                .events
                .iter()
                .map(|e| format!("{}（{e}）", event_label(e)))
                .collect::<Vec<_>>()
                .join("、"),
            disabled_at: endpoint.disabled_at.map(at),
            endpoint,
            deliveries,
            notice,
            error,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    WebhookId(id): WebhookId,
    PageMember(m): PageMember,
) -> WebResult<Response> {
    endpoint_page(&state, &m, id, StatusCode::OK, None, None).await
}

/// The buttons of an endpoint's page.
pub async fn action_submit(
    State(state): State<AppState>,
    WebhookId(id): WebhookId,
    PageMember(m): PageMember,
    body: Bytes,
) -> WebResult<Response> {
    let fields = form_fields(&body)?;
    let app = state.app();
    let result = match field(&fields, "action").unwrap_or_default() {
        "rotate" => app.rotate_webhook_secret(&m.actor, id).await.map(|s| {
            format!("已更换密钥。新密钥（只显示这一次）：{s}。旧密钥在 24 小时内仍会一并签名。")
        }),
        "enable" => app
            .set_webhook_enabled(&m.actor, id, true)
            .await
            .map(|_| "已启用，新的事件会推送到这个地址。".to_string()),
        "disable" => app
            .set_webhook_enabled(&m.actor, id, false)
            .await
            .map(|_| "已停用，等待发送的投递已放弃。".to_string()),
        "delete" => {
            app.delete_webhook(&m.actor, id).await?;
            return Ok(see_other(&state.links().newsroom_webhooks()));
        }
        "replay" => {
            let delivery = field(&fields, "delivery")
                .and_then(|d| d.parse::<i64>().ok())
                .ok_or_else(|| AppError::Malformed("缺少要重新发送的投递编号".into()))?;
            app.replay_delivery(&m.actor, id, delivery)
                .await
                .map(|()| format!("投递 {delivery} 已排入重新发送（webhook-id 不变）。"))
        }
        other => Err(AppError::Malformed(format!(
            "未知操作 {:?}",
            other.chars().take(40).collect::<String>()
        ))),
    };
    match result {
        Ok(notice) => endpoint_page(&state, &m, id, StatusCode::OK, Some(notice), None).await,
        Err(e @ (AppError::Forbidden(_) | AppError::NotFound(_))) => Err(e.into()),
        Err(e) => {
            let (status, message) = form_error(&e);
            endpoint_page(&state, &m, id, status, None, Some(message)).await
        }
    }
}

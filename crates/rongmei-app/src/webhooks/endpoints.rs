//! Managing endpoints and reading their delivery log: admins only, each change in the audit log.

use rongmei_core::Role;
use rongmei_outbound::{OutboundError, new_secret, validate_secret};
use rongmei_store::{WebhookAttempt, WebhookDelivery, WebhookEndpoint};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::events::EVENTS;
use crate::actor::Actor;
use crate::app::App;
use crate::articles::input::check_chars;
use crate::error::AppError;

const MAX_URL_CHARS: usize = 2000;
/// After a rotation the old secret keeps signing this long, so receivers can switch over.
pub const ROTATION_GRACE_MS: i64 = 24 * 3600 * 1000;
/// Deliveries the log shows at most.
pub const LOG_LIMIT: i64 = 200;

/// A new endpoint.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WebhookInput {
    /// An http or https address outside this network (unless the operator allows private ones).
    #[schema(format = "uri", max_length = 2000)]
    pub url: String,
    #[schema(min_items = 1, value_type = Vec<WebhookEvent>)]
    pub events: Vec<String>,
    /// `whsec_…`; a fresh one is made when left out.
    #[serde(default)]
    pub secret: Option<String>,
}

/// An event an endpoint can ask for (schema only: the list is [`EVENTS`]).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum WebhookEvent {
    #[schema(rename = "article.published")]
    Published,
    #[schema(rename = "article.updated")]
    Updated,
    #[schema(rename = "article.retracted")]
    Retracted,
    #[schema(rename = "article.scheduled")]
    Scheduled,
    #[schema(rename = "article.submitted")]
    Submitted,
    #[schema(rename = "article.approved")]
    Approved,
    #[schema(rename = "article.rejected")]
    Rejected,
}

/// A saved endpoint with its secret: the one time the secret is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedWebhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
}

/// A delivery with its attempts, newest delivery first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryLog {
    #[serde(flatten)]
    pub delivery: WebhookDelivery,
    pub attempts: Vec<WebhookAttempt>,
}

fn url_error(e: OutboundError) -> AppError {
    AppError::field("url", e)
}

impl App {
    /// Saves an endpoint after checking its address (never inside the network unless allowed),
    /// its events and its secret.
    pub async fn create_webhook(
        &self,
        actor: &Actor,
        input: &WebhookInput,
    ) -> Result<CreatedWebhook, AppError> {
        actor.require_any(&[Role::Admin])?;
        let raw = input.url.trim();
        check_chars("url", "地址", raw, MAX_URL_CHARS)?;
        if raw.is_empty() {
            return Err(AppError::field("url", "请填写接收地址"));
        }
        let url = url::Url::parse(raw)
            .map_err(|e| AppError::field("url", format!("不是有效的网址（{e}）")))?;
        self.webhooks()
            .policy()
            .check(&url)
            .await
            .map_err(url_error)?;
        let mut events: Vec<String> = Vec::new();
        for e in &input.events {
            let e = e.trim();
            if !EVENTS.contains(&e) {
                return Err(AppError::field(
                    "events",
                    format!(
                        "未知事件 {:?}；可选：{}",
                        e.chars().take(60).collect::<String>(),
                        EVENTS.join("、")
                    ),
                ));
            }
            if !events.iter().any(|x| x == e) {
                events.push(e.to_string());
            }
        }
        if events.is_empty() {
            return Err(AppError::field("events", "请至少选择一个事件"));
        }
        let secret = match input.secret.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => {
                check_chars("secret", "密钥", s, 200)?;
                validate_secret(s).map_err(|e| AppError::field("secret", e))?;
                s.to_string()
            }
            _ => new_secret().map_err(|e| AppError::Internal(e.to_string()))?,
        };
        let now = chrono::Utc::now().timestamp_millis();
        let url = url.to_string();
        let id = self
            .store()
            .create_webhook(&url, &events, &secret, actor.login(), now)
            .await?;
        self.audit_webhook(
            actor,
            "webhook_add",
            json!({"id": id, "url": url, "events": events}),
        )
        .await?;
        Ok(CreatedWebhook {
            id,
            url,
            events,
            secret,
        })
    }

    pub async fn list_webhooks(&self, actor: &Actor) -> Result<Vec<WebhookEndpoint>, AppError> {
        actor.require_any(&[Role::Admin])?;
        Ok(self.store().webhooks().await?)
    }

    pub async fn webhook_endpoint(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<WebhookEndpoint, AppError> {
        actor.require_any(&[Role::Admin])?;
        self.store()
            .webhook(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("没有编号为 {id} 的推送地址")))
    }

    pub async fn delete_webhook(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let endpoint = self.webhook_endpoint(actor, id).await?;
        self.store().delete_webhook(id).await?;
        self.audit_webhook(
            actor,
            "webhook_delete",
            json!({"id": id, "url": endpoint.url}),
        )
        .await
    }

    /// A new secret; the old one signs too for a day. Returns the new secret.
    pub async fn rotate_webhook_secret(&self, actor: &Actor, id: i64) -> Result<String, AppError> {
        let endpoint = self.webhook_endpoint(actor, id).await?;
        let secret = new_secret().map_err(|e| AppError::Internal(e.to_string()))?;
        let until = chrono::Utc::now().timestamp_millis() + ROTATION_GRACE_MS;
        self.store()
            .rotate_webhook_secret(id, &secret, until)
            .await?;
        self.audit_webhook(
            actor,
            "webhook_rotate",
            json!({"id": id, "url": endpoint.url}),
        )
        .await?;
        Ok(secret)
    }

    /// Stops or resumes deliveries to an endpoint. Stopping gives up what is queued for it.
    pub async fn set_webhook_enabled(
        &self,
        actor: &Actor,
        id: i64,
        enabled: bool,
    ) -> Result<WebhookEndpoint, AppError> {
        let endpoint = self.webhook_endpoint(actor, id).await?;
        let now = chrono::Utc::now().timestamp_millis();
        if enabled {
            self.store().set_webhook_disabled(id, None).await?;
        } else {
            let reason = format!("由 {} 停用", actor.login());
            self.store()
                .set_webhook_disabled(id, Some((now, &reason)))
                .await?;
            self.store().fail_pending_deliveries(id, now).await?;
        }
        self.audit_webhook(
            actor,
            if enabled {
                "webhook_enable"
            } else {
                "webhook_disable"
            },
            json!({"id": id, "url": endpoint.url}),
        )
        .await?;
        self.webhook_endpoint(actor, id).await
    }

    /// An endpoint's deliveries with every attempt, newest first.
    pub async fn webhook_deliveries(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<DeliveryLog>, AppError> {
        self.webhook_endpoint(actor, id).await?;
        let deliveries = self.store().deliveries(id, LOG_LIMIT).await?;
        let ids: Vec<i64> = deliveries.iter().map(|d| d.id).collect();
        let mut attempts = self.store().delivery_attempts(&ids).await?;
        Ok(deliveries
            .into_iter()
            .map(|delivery| {
                let mine;
                (mine, attempts) = attempts
                    .drain(..)
                    .partition(|a| a.delivery_id == delivery.id);
                DeliveryLog {
                    delivery,
                    attempts: mine,
                }
            })
            .collect())
    }

    /// Sends a delivery again with the same `webhook-id`, with a fresh round of retries.
    pub async fn replay_delivery(
        &self,
        actor: &Actor,
        endpoint_id: i64,
        delivery_id: i64,
    ) -> Result<(), AppError> {
        let endpoint = self.webhook_endpoint(actor, endpoint_id).await?;
        if endpoint.disabled_at.is_some() {
            return Err(AppError::Conflict(
                "这个推送地址已停用，请先启用再重新发送".into(),
            ));
        }
        let now = chrono::Utc::now().timestamp_millis();
        if !self
            .store()
            .replay_delivery(endpoint_id, delivery_id, now)
            .await?
        {
            return Err(AppError::NotFound(format!(
                "这个推送地址没有编号为 {delivery_id} 的投递"
            )));
        }
        self.webhooks().nudge();
        self.audit_webhook(
            actor,
            "webhook_replay",
            json!({"id": endpoint_id, "delivery": delivery_id}),
        )
        .await
    }

    async fn audit_webhook(
        &self,
        actor: &Actor,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), AppError> {
        self.store()
            .audit_account(actor.as_user(), actor.login(), action, &actor.ip, detail)
            .await?;
        Ok(())
    }
}

//! Turns change-feed entries into queued deliveries. It follows the feed with the shared cursor,
//! so one node at a time does it; a batch handled twice (a lease passing between nodes) queues
//! nothing new, because a delivery is unique per endpoint and feed entry.

use rongmei_core::{Article, ArticleEvent, ArticleStatus};
use rongmei_store::NewDelivery;
use serde_json::json;

use super::events::event_name;
use crate::app::App;
use crate::error::AppError;
use crate::events::subscriber::Subscriber;

pub struct Fanout(pub App);

impl Subscriber for Fanout {
    fn name(&self) -> &'static str {
        "webhooks"
    }

    async fn handle(&self, events: &[ArticleEvent]) -> Result<(), AppError> {
        let app = &self.0;
        let endpoints = app.store().webhooks().await?;
        if endpoints.iter().all(|e| e.disabled_at.is_some()) {
            return Ok(());
        }
        let mut batch = Vec::new();
        for event in events {
            let Some(name) = event_name(event.kind) else {
                continue;
            };
            let wanted: Vec<i64> = endpoints
                .iter()
                .filter(|e| e.wants(name))
                .map(|e| e.id)
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let article = app.store().article(event.article_id).await?;
            let payload = payload(app, name, event, article.as_ref()).to_string();
            let msg_id = message_id(event.seq)?;
            for endpoint_id in wanted {
                batch.push(NewDelivery {
                    endpoint_id,
                    msg_id: msg_id.clone(),
                    event_seq: event.seq,
                    event_type: name.to_string(),
                    article_id: event.article_id,
                    payload: payload.clone(),
                });
            }
        }
        let now = chrono::Utc::now().timestamp_millis();
        if app.store().enqueue_deliveries(&batch, now).await? > 0 {
            app.webhooks().nudge();
        }
        Ok(())
    }
}

/// `msg_` with the feed position and random bits: unique across databases restored from a
/// backup, the same for every endpoint the event goes to.
fn message_id(seq: i64) -> Result<String, AppError> {
    let mut r = [0u8; 6];
    getrandom::fill(&mut r).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("msg_{seq}_{hex}"))
}

/// The body every endpoint receives: the Standard Webhooks envelope (`type`, `timestamp`,
/// `data`). `data.article` is the public projection while the article is public; for workflow
/// events before publication it carries only what identifies the article.
pub fn payload(
    app: &App,
    name: &str,
    event: &ArticleEvent,
    article: Option<&Article>,
) -> serde_json::Value {
    let public = article
        .filter(|a| a.status == ArticleStatus::Published && a.is_public())
        .map(|a| app.project(a));
    json!({
        "type": name,
        "timestamp": event.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": {
            "id": event.article_id,
            "status": event.status.as_str(),
            "revision": event.revision,
            "title": article.map(|a| a.title.as_str()),
            "column": article.map(|a| a.column.slug.as_str()),
            "url": app.links().article_url(event.article_id),
            "article": public,
        }
    })
}

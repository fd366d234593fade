//! Sending the queue: every node runs a dispatcher; each delivery is leased to one node while it
//! is sent, and only the lease holder records the result.

use std::sync::Arc;
use std::time::Duration;

use rongmei_store::{AttemptOutcome, WebhookAttempt, WebhookDelivery};
use tokio::task::JoinSet;

use crate::app::App;
use crate::error::AppError;

/// Longer than a request may take (15 s timeout, 5 s to connect) with room to record it.
const LEASE: Duration = Duration::from_secs(60);
/// Deliveries one node sends at once.
const IN_FLIGHT: usize = 32;
/// How often the queue is read when nothing wakes the dispatcher (retries falling due, work
/// queued by another node).
const POLL: Duration = Duration::from_millis(250);

impl App {
    /// Runs this node's dispatcher until the node stops; deliveries under way are finished.
    pub async fn dispatch_webhooks(self) {
        let mut running: JoinSet<()> = JoinSet::new();
        let stop = self.stopping().clone();
        loop {
            let room = IN_FLIGHT.saturating_sub(running.len());
            if room > 0 {
                match self.claim_due(room).await {
                    Ok(claimed) => {
                        for d in claimed {
                            let app = self.clone();
                            running.spawn(async move { app.deliver(d).await });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "reading the webhook queue failed"),
                }
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = self.webhooks().rung() => {}
                _ = tokio::time::sleep(POLL) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        while running.join_next().await.is_some() {}
    }

    async fn claim_due(&self, room: usize) -> Result<Vec<WebhookDelivery>, AppError> {
        let now = chrono::Utc::now().timestamp_millis();
        let ids = self.store().due_deliveries(now, room as i64).await?;
        let mut claimed = Vec::with_capacity(ids.len());
        let until = now + LEASE.as_millis() as i64;
        for id in ids {
            if let Some(d) = self
                .store()
                .claim_delivery(id, self.node_name(), now, until)
                .await?
            {
                claimed.push(d);
            }
        }
        Ok(claimed)
    }

    /// One attempt at one delivery, logged, and what follows from its answer.
    async fn deliver(&self, d: WebhookDelivery) {
        let started = chrono::Utc::now().timestamp_millis();
        let endpoint = match self.store().webhook(d.endpoint_id).await {
            Ok(e) => e,
            Err(e) => {
                // Left leased: it is tried again when the lease lapses.
                tracing::warn!(error = %e, delivery = d.id, "reading a webhook endpoint failed");
                return;
            }
        };
        let (status, error, outcome) = match &endpoint {
            None => (
                None,
                Some("推送地址已删除".to_string()),
                AttemptOutcome::Failed,
            ),
            Some(ep) if ep.disabled_at.is_some() => (
                None,
                Some("推送地址已停用".to_string()),
                AttemptOutcome::Failed,
            ),
            Some(ep) => {
                let secrets = ep.signing_secrets(started);
                let sent = self
                    .webhooks()
                    .sender()
                    .send(&ep.url, &d.msg_id, &d.payload, &secrets)
                    .await;
                let failed_in_round = (d.attempts + 1 - d.round_start).max(1) as usize;
                let now = chrono::Utc::now().timestamp_millis();
                let outcome = if sent.succeeded() {
                    AttemptOutcome::Delivered
                } else if sent.status == Some(410) {
                    AttemptOutcome::Failed
                } else {
                    match self.webhooks().next_attempt(failed_in_round, now) {
                        Some(at) => AttemptOutcome::RetryAt(at),
                        None => AttemptOutcome::Failed,
                    }
                };
                (sent.status, sent.error, outcome)
            }
        };
        let attempt = WebhookAttempt {
            delivery_id: d.id,
            attempted_at: started,
            status_code: status.map(i64::from),
            error,
            duration_ms: (chrono::Utc::now().timestamp_millis() - started).max(0),
            node: self.node_name().to_string(),
        };
        let label = match outcome {
            AttemptOutcome::Delivered => "delivered",
            AttemptOutcome::RetryAt(_) => "retry",
            AttemptOutcome::Failed => "failed",
        };
        metrics::counter!("rongmei_webhook_attempts_total", "outcome" => label).increment(1);
        if outcome == AttemptOutcome::Delivered {
            let delay = (attempt.attempted_at + attempt.duration_ms - d.created_at).max(0);
            metrics::histogram!("rongmei_webhook_delivery_seconds").record(delay as f64 / 1000.0);
        }
        match self
            .store()
            .finish_attempt(self.node_name(), &attempt, outcome)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(delivery = d.id, "a webhook lease lapsed during the attempt")
            }
            Err(e) => {
                tracing::warn!(error = %e, delivery = d.id, "logging a webhook attempt failed")
            }
        }
        if status == Some(410) {
            self.gone(d.endpoint_id).await;
        }
    }

    /// A receiver answered 410 Gone: it wants nothing more, so the endpoint is disabled and its
    /// queue given up.
    async fn gone(&self, endpoint_id: i64) {
        let now = chrono::Utc::now().timestamp_millis();
        let store = self.store();
        let reason = "接收端回答 410 Gone，已自动停用";
        if let Err(e) = store
            .set_webhook_disabled(endpoint_id, Some((now, reason)))
            .await
            .and(store.fail_pending_deliveries(endpoint_id, now).await)
        {
            tracing::warn!(error = %e, endpoint = endpoint_id, "disabling a gone webhook endpoint failed");
        } else {
            tracing::info!(
                endpoint = endpoint_id,
                "webhook endpoint answered 410 and was disabled"
            );
        }
    }
}

/// Starts the dispatcher and the fan-out of this node.
pub(crate) fn spawn(app: &App) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        app.subscribe(
            Arc::new(super::fanout::Fanout(app.clone())),
            app.shared_cursor(),
        ),
        tokio::spawn(app.clone().dispatch_webhooks()),
    ]
}

//! Webhook endpoints, the durable queue of their deliveries, and the log of every attempt.
//!
//! A delivery is claimed by one node at a time through a lease written with a conditional
//! `UPDATE` (the row lock makes a second claimant see the first one's lease and give up), and it
//! is finished only by the node holding the lease: with any number of nodes, one sends at a time
//! and a delivered message is never sent again unless someone replays it.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Result, Store, placeholders};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    #[serde(skip)]
    pub secret: String,
    #[serde(skip)]
    pub previous_secret: Option<String>,
    #[serde(skip)]
    pub previous_until: i64,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

impl WebhookEndpoint {
    pub fn wants(&self, event: &str) -> bool {
        self.disabled_at.is_none() && self.events.iter().any(|e| e == event)
    }

    /// The secrets that sign a message sent at `now`: the current one, and the one it replaced
    /// while the rotation's grace period runs.
    pub fn signing_secrets(&self, now: i64) -> Vec<&str> {
        let mut v = vec![self.secret.as_str()];
        if let Some(p) = &self.previous_secret
            && now < self.previous_until
        {
            v.push(p);
        }
        v
    }
}

/// A message queued for one endpoint.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub endpoint_id: i64,
    pub msg_id: String,
    pub event_seq: i64,
    pub event_type: String,
    pub article_id: i64,
    pub payload: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> DeliveryState {
        match s {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub msg_id: String,
    pub event_seq: i64,
    pub event_type: String,
    pub article_id: i64,
    #[serde(skip)]
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// Attempts made before the current round of retries (a replay starts a new round).
    #[serde(skip)]
    pub round_start: i64,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// One try at sending a delivery.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookAttempt {
    pub delivery_id: i64,
    pub attempted_at: i64,
    /// The receiver's status; `None` when no answer came.
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub node: String,
}

/// What an attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    RetryAt(i64),
    Failed,
}

fn endpoint_from_row(r: &AnyRow) -> Result<WebhookEndpoint> {
    let events: String = r.try_get("events")?;
    Ok(WebhookEndpoint {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        events: events.split_whitespace().map(str::to_string).collect(),
        secret: r.try_get("secret")?,
        previous_secret: r.try_get("previous_secret")?,
        previous_until: r.try_get("previous_until")?,
        disabled_at: r.try_get("disabled_at")?,
        disabled_reason: r.try_get("disabled_reason")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, msg_id, event_seq, event_type, article_id, \
    payload, state, attempts, round_start, next_attempt_at, created_at, finished_at";

fn delivery_from_row(r: &AnyRow) -> Result<WebhookDelivery> {
    let state: String = r.try_get("state")?;
    Ok(WebhookDelivery {
        id: r.try_get("id")?,
        endpoint_id: r.try_get("endpoint_id")?,
        msg_id: r.try_get("msg_id")?,
        event_seq: r.try_get("event_seq")?,
        event_type: r.try_get("event_type")?,
        article_id: r.try_get("article_id")?,
        payload: r.try_get("payload")?,
        state: DeliveryState::parse(&state),
        attempts: r.try_get("attempts")?,
        round_start: r.try_get("round_start")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

impl Store {
    pub async fn create_webhook(
        &self,
        url: &str,
        events: &[String],
        secret: &str,
        created_by: &str,
        now: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>(
            "INSERT INTO webhook_endpoints (url, events, secret, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(url)
        .bind(events.join(" "))
        .bind(secret)
        .bind(created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Every endpoint, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>> {
        let rows = sqlx::query("SELECT * FROM webhook_endpoints ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(endpoint_from_row).collect()
    }

    pub async fn webhook(&self, id: i64) -> Result<Option<WebhookEndpoint>> {
        sqlx::query("SELECT * FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(endpoint_from_row)
            .transpose()
    }

    /// Removes an endpoint with its queue and log; false when there was none.
    pub async fn delete_webhook(&self, id: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE delivery_id IN \
             (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let n = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// A new secret; the old one keeps signing until `previous_until`.
    pub async fn rotate_webhook_secret(
        &self,
        id: i64,
        secret: &str,
        previous_until: i64,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE webhook_endpoints SET previous_secret = secret, secret = $2, \
             previous_until = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(secret)
        .bind(previous_until)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Stops (`Some`) or resumes (`None`) deliveries to an endpoint.
    pub async fn set_webhook_disabled(
        &self,
        id: i64,
        disabled: Option<(i64, &str)>,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(disabled.map(|d| d.0))
        .bind(disabled.map(|d| d.1.to_string()))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Queues messages; one already queued for the same endpoint and event stays as it is.
    /// Returns how many were new.
    pub async fn enqueue_deliveries(&self, batch: &[NewDelivery], now: i64) -> Result<u64> {
        if batch.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for d in batch {
            added += sqlx::query(
                "INSERT INTO webhook_deliveries (endpoint_id, msg_id, event_seq, event_type, \
                 article_id, payload, state, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) \
                 ON CONFLICT (endpoint_id, event_seq) DO NOTHING",
            )
            .bind(d.endpoint_id)
            .bind(&d.msg_id)
            .bind(d.event_seq)
            .bind(&d.event_type)
            .bind(d.article_id)
            .bind(&d.payload)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Pending deliveries whose time has come and that no node holds, oldest first.
    pub async fn due_deliveries(&self, now: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND lease_until < $1 ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Takes a due delivery for `owner` until `lease_until`; `None` when another node has it or
    /// it is no longer due.
    pub async fn claim_delivery(
        &self,
        id: i64,
        owner: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<WebhookDelivery>> {
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_owner = $2, lease_until = $3 \
             WHERE id = $1 AND state = 'pending' AND next_attempt_at <= $4 AND lease_until < $4 \
             RETURNING {DELIVERY_COLUMNS}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(delivery_from_row)
            .transpose()
    }

    /// Logs an attempt and moves the delivery on, if `owner` still holds it (false otherwise:
    /// its lease lapsed and another node took it, so this result is only logged).
    pub async fn finish_attempt(
        &self,
        owner: &str,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, \
             duration_ms, node) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(attempt.delivery_id)
        .bind(attempt.attempted_at)
        .bind(attempt.status_code)
        .bind(attempt.error.as_deref())
        .bind(attempt.duration_ms)
        .bind(&attempt.node)
        .execute(&mut *tx)
        .await?;
        let now = attempt.attempted_at + attempt.duration_ms;
        let (state, next, finished) = match outcome {
            AttemptOutcome::Delivered => ("delivered", now, Some(now)),
            AttemptOutcome::Failed => ("failed", now, Some(now)),
            AttemptOutcome::RetryAt(at) => ("pending", at, None),
        };
        let n = sqlx::query(
            "UPDATE webhook_deliveries SET state = $3, next_attempt_at = $4, finished_at = $5, \
             attempts = attempts + 1, lease_owner = NULL, lease_until = 0 \
             WHERE id = $1 AND lease_owner = $2",
        )
        .bind(attempt.delivery_id)
        .bind(owner)
        .bind(state)
        .bind(next)
        .bind(finished)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Gives up every pending delivery of an endpoint (it was disabled); returns how many.
    pub async fn fail_pending_deliveries(&self, endpoint_id: i64, now: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE webhook_deliveries SET state = 'failed', finished_at = $2 \
             WHERE endpoint_id = $1 AND state = 'pending'",
        )
        .bind(endpoint_id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Sends a delivery again (same message, same `webhook-id`) with a fresh round of retries.
    pub async fn replay_delivery(&self, endpoint_id: i64, id: i64, now: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3, \
             finished_at = NULL, round_start = attempts WHERE id = $1 AND endpoint_id = $2",
        )
        .bind(id)
        .bind(endpoint_id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// An endpoint's deliveries, newest first.
    pub async fn deliveries(&self, endpoint_id: i64, limit: i64) -> Result<Vec<WebhookDelivery>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1 \
             ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// The attempts at these deliveries, in order.
    pub async fn delivery_attempts(&self, delivery_ids: &[i64]) -> Result<Vec<WebhookAttempt>> {
        let mut out = Vec::new();
        // One query per hundred: the id list is bound, never spliced into the SQL.
        for chunk in delivery_ids.chunks(100) {
            let sql = format!(
                "SELECT delivery_id, attempted_at, status_code, error, duration_ms, node \
                 FROM webhook_attempts WHERE delivery_id IN ({}) ORDER BY delivery_id, id",
                placeholders(chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(WebhookAttempt {
                    delivery_id: r.try_get("delivery_id")?,
                    attempted_at: r.try_get("attempted_at")?,
                    status_code: r.try_get("status_code")?,
                    error: r.try_get("error")?,
                    duration_ms: r.try_get("duration_ms")?,
                    node: r.try_get("node")?,
                });
            }
        }
        Ok(out)
    }
}

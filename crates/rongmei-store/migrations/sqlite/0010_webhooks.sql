-- Webhooks: endpoints admins register, one delivery per (endpoint, change-feed event) — the
-- unique key makes a feed entry handled twice (by two nodes, or after a crash) one delivery —
-- and every attempt at it, for the delivery log. Times are unix milliseconds.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    -- Space-separated event names (`article.published article.retracted`).
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- After a rotation the old secret signs too until `previous_until`, so receivers can switch.
    previous_secret TEXT,
    previous_until INTEGER NOT NULL DEFAULT 0,
    disabled_at INTEGER,
    disabled_reason TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    -- The `webhook-id` header: the same on every attempt and every replay.
    msg_id TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    article_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    -- pending, delivered or failed.
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- The attempt count when this round of retries began (0, or where a replay restarted it).
    round_start INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- The node sending it now; another node may take it once the lease lapses.
    lease_owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (endpoint_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    -- The receiver's HTTP status; NULL when none came (refused, timed out, unreachable).
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    node TEXT NOT NULL
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, id);

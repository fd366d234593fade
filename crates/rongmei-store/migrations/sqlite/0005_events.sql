-- Typed change events: each entry of the feed says what happened (created, updated, submitted,
-- approved, rejected, published, scheduled, retracted), the state and revision after it, and who
-- did it. Entries written before this migration were public-content changes.
ALTER TABLE article_changes ADD COLUMN kind TEXT NOT NULL DEFAULT 'updated';
ALTER TABLE article_changes ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
ALTER TABLE article_changes ADD COLUMN revision INTEGER;
ALTER TABLE article_changes ADD COLUMN actor_id INTEGER;

-- Where each node-wide consumer of the feed (webhooks, exports) stands, shared by every node.
-- A node holds a consumer while its lease runs; another node takes over when it lapses.
CREATE TABLE event_cursors (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

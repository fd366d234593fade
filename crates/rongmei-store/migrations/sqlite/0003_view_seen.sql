-- Readers counted in the last 30 minutes, shared by every node: a reader sent to two nodes in
-- that window still counts once. The key is a keyed hash of (article, address, User-Agent).
CREATE TABLE view_seen (
    visitor INTEGER PRIMARY KEY,
    seen_at INTEGER NOT NULL
);
CREATE INDEX view_seen_by_time ON view_seen (seen_at);

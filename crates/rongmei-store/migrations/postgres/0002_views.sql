-- Every reader request that reached counting (repeats included), beside the counted views.
ALTER TABLE articles ADD COLUMN views_raw BIGINT NOT NULL DEFAULT 0;

-- Counted views per article, per day (Asia/Shanghai) and per hour, by referring channel.
CREATE TABLE view_stats (
    article_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    channel TEXT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, period, bucket, channel)
);
CREATE INDEX view_stats_by_bucket ON view_stats (period, bucket);

-- Values every node must share, such as the key that signs view tokens.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

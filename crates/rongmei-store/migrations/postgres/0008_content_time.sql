-- When an article's title or body last changed (Unix milliseconds), for sitemaps' lastmod:
-- status changes, tags or views do not move it. NULL: unchanged since it was written.
ALTER TABLE articles ADD COLUMN content_at BIGINT;

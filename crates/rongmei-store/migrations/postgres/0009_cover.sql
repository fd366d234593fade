-- The first picture of an article's body, kept when the article is written, so sitemaps (and
-- listings) need not read every body: scanning 100,000 bodies' JSON took over a second.
ALTER TABLE articles ADD COLUMN cover TEXT;
UPDATE articles SET cover = (
    SELECT b->>'src' FROM jsonb_array_elements(articles.body_json::jsonb) b
    WHERE b->>'type' = 'image' LIMIT 1
);

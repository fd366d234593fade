-- The first picture of an article's body, kept when the article is written, so sitemaps (and
-- listings) need not read every body: scanning 100,000 bodies' JSON took over a second.
ALTER TABLE articles ADD COLUMN cover TEXT;
UPDATE articles SET cover = (
    SELECT json_extract(b.value, '$.src') FROM json_each(articles.body_json) b
    WHERE json_extract(b.value, '$.type') = 'image' LIMIT 1
);

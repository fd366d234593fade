-- Times are unix seconds (published_at, with its offset in seconds east of UTC beside it) or
-- unix milliseconds (created_at, updated_at): the Any driver moves only integers and text.
CREATE TABLE columns (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES columns(id),
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    import_key TEXT UNIQUE,
    source_id TEXT,
    title TEXT NOT NULL,
    label TEXT,
    column_id INTEGER NOT NULL REFERENCES columns(id),
    summary TEXT NOT NULL,
    body_json TEXT NOT NULL,
    body_text TEXT NOT NULL,
    tags_json TEXT NOT NULL,
    bylines_json TEXT NOT NULL,
    extra_json TEXT NOT NULL,
    published_at INTEGER,
    published_offset INTEGER,
    -- published_at, or the smallest integer when undated: one sort order on both backends puts
    -- undated articles after dated ones.
    sort_key INTEGER NOT NULL,
    views INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX articles_by_date ON articles (status, sort_key DESC, id DESC);
CREATE INDEX articles_by_column ON articles (column_id, status, sort_key DESC, id DESC);
CREATE INDEX articles_by_views ON articles (status, views DESC);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_by_tag ON article_tags (tag);

CREATE TABLE specials (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE special_articles (
    special_id INTEGER NOT NULL REFERENCES specials(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (special_id, article_id)
);

-- Every write to an article appends here; each node polls it to drop cached pages and update
-- its own search index, which is how several nodes stay fresh on one database.
CREATE TABLE article_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
);

INSERT INTO columns (slug, name, parent_id, position) VALUES ('news', '新闻', NULL, 0);

-- Specials (专题) get a banner picture, an order, and a place on the home page while featured.
ALTER TABLE specials ADD COLUMN cover TEXT;
ALTER TABLE specials ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE specials ADD COLUMN featured INTEGER NOT NULL DEFAULT 0;
CREATE INDEX special_articles_by_article ON special_articles (article_id);

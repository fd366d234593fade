-- Specials (专题) get a banner picture, an order, and a place on the home page while featured.
ALTER TABLE specials ADD COLUMN cover TEXT;
ALTER TABLE specials ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
ALTER TABLE specials ADD COLUMN featured BIGINT NOT NULL DEFAULT 0;
CREATE INDEX special_articles_by_article ON special_articles (article_id);

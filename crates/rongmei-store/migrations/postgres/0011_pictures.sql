-- 图片新闻: the latest published articles with a cover, found without scanning those without.
CREATE INDEX articles_with_cover ON articles (sort_key DESC, id DESC)
    WHERE status = 'published' AND cover IS NOT NULL AND cover <> '';

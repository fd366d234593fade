-- Knowledge: the people, organisations and places articles mention, and the dates they give.
-- article_entities and article_dates are derived (extraction plus the editors' corrections) and
-- rebuilt whole for one article at a time; entity_corrections and entity_aliases are the
-- editors' word and are never touched by extraction.
CREATE TABLE entities (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, name)
);

-- Every written form that leads to an entity, its own name included.
CREATE TABLE entity_aliases (
    kind TEXT NOT NULL,
    alias TEXT NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (kind, alias)
);
CREATE INDEX entity_aliases_by_entity ON entity_aliases (entity_id);

CREATE TABLE article_entities (
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    written TEXT NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    roles TEXT NOT NULL,
    evidence TEXT NOT NULL,
    position BIGINT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (article_id, kind, written)
);
CREATE INDEX article_entities_by_entity ON article_entities (entity_id, article_id);

CREATE TABLE article_dates (
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    on_date TEXT NOT NULL,
    written TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (article_id, on_date)
);

-- verdict: confirmed (kept even when extraction no longer finds it, and recognised in every
-- later article), rejected (never proposed again for this article), added (missed by extraction).
CREATE TABLE entity_corrections (
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    written TEXT NOT NULL,
    verdict TEXT NOT NULL,
    roles TEXT NOT NULL,
    actor_id BIGINT,
    at BIGINT NOT NULL,
    PRIMARY KEY (article_id, kind, written)
);
CREATE INDEX entity_corrections_by_verdict ON entity_corrections (verdict, kind);

-- Which version of each article the derived rows were made from (articles.updated_at) and with
-- which extractor (its version: a better extractor re-reads the archive).
CREATE TABLE knowledge_state (
    article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    extracted_from BIGINT NOT NULL,
    extractor BIGINT NOT NULL,
    extracted_at BIGINT NOT NULL
);

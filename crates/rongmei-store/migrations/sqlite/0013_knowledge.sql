-- Knowledge: the people, organisations and places articles mention, and the dates they give.
-- article_entities and article_dates are derived (extraction plus the editors' corrections) and
-- rebuilt whole for one article at a time; entity_corrections and entity_aliases are the
-- editors' word and are never touched by extraction.
CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, name)
);

-- Every written form that leads to an entity, its own name included.
CREATE TABLE entity_aliases (
    kind TEXT NOT NULL,
    alias TEXT NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (kind, alias)
);
CREATE INDEX entity_aliases_by_entity ON entity_aliases (entity_id);

CREATE TABLE article_entities (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    written TEXT NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    roles TEXT NOT NULL,
    evidence TEXT NOT NULL,
    position INTEGER NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (article_id, kind, written)
);
CREATE INDEX article_entities_by_entity ON article_entities (entity_id, article_id);

CREATE TABLE article_dates (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    on_date TEXT NOT NULL,
    written TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (article_id, on_date)
);

-- verdict: confirmed (kept even when extraction no longer finds it, and recognised in every
-- later article), rejected (never proposed again for this article), added (missed by extraction).
CREATE TABLE entity_corrections (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    written TEXT NOT NULL,
    verdict TEXT NOT NULL,
    roles TEXT NOT NULL,
    actor_id INTEGER,
    at INTEGER NOT NULL,
    PRIMARY KEY (article_id, kind, written)
);
CREATE INDEX entity_corrections_by_verdict ON entity_corrections (verdict, kind);

-- Which version of each article the derived rows were made from (articles.updated_at) and with
-- which extractor (its version: a better extractor re-reads the archive).
CREATE TABLE knowledge_state (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    extracted_from INTEGER NOT NULL,
    extractor INTEGER NOT NULL,
    extracted_at INTEGER NOT NULL
);

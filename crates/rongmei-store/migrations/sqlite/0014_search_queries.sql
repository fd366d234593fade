-- What readers searched for, counted per day (Asia/Shanghai, 'YYYY-MM-DD') and normalised query:
-- how often, how often nothing matched every word (no_full) and how often nothing matched at
-- all (no_result). Aggregates only: no address, account, session or time of day is kept, so the
-- table says what the audience wants without saying who asked.
CREATE TABLE search_query_days (
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    searches INTEGER NOT NULL DEFAULT 0,
    no_full INTEGER NOT NULL DEFAULT 0,
    no_result INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, query)
);

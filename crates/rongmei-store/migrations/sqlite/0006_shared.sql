-- What every node must see alike, kept in the database they share.

-- Uploaded files (originals without metadata, thumbnails), by their content-addressed path
-- under /media/ ('3f/3fa9c0d41b7e2a55-960.jpg'). Written once by the node that received the
-- upload; any other node fetches a file once into its own media folder. A SQLite site keeps
-- its files in the data folder only and leaves this table empty.
CREATE TABLE media_blobs (
    path TEXT PRIMARY KEY,
    content BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

-- The publication-check dictionaries ('sensitive', 'expressions') in their file format.
CREATE TABLE dictionaries (
    name TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);

-- Counters every node polls to learn that something shared changed: 'dictionaries' (reload
-- the checker) and 'reindex' (rebuild the search index beside the running one).
CREATE TABLE node_signals (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Which node rebuilt its search index for which 'reindex' version, and with how many articles.
CREATE TABLE search_rebuilds (
    node TEXT NOT NULL,
    version INTEGER NOT NULL,
    documents INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    PRIMARY KEY (node, version)
);

-- The nodes running against this database, each renewing its row every few seconds and
-- removing it when it stops: who `rongmei reindex` waits for.
CREATE TABLE nodes (
    name TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);

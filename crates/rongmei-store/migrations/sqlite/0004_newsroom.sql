-- The newsroom: accounts, sessions kept in the database (any node serves any session), login
-- failures (lockouts must hold across nodes), revisions, and the append-only audit log.
-- Times are unix milliseconds unless named otherwise.
ALTER TABLE articles ADD COLUMN author_id INTEGER;
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- Unix seconds, with published_offset's convention: the time a scheduled article goes out.
ALTER TABLE articles ADD COLUMN scheduled_at INTEGER;
ALTER TABLE articles ADD COLUMN retracted_reason TEXT;
CREATE INDEX articles_by_author ON articles (author_id, status);
CREATE INDEX articles_scheduled ON articles (status, scheduled_at);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Only a hash of each session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    ip TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_login ON login_failures (login, at);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    column_id INTEGER NOT NULL,
    summary TEXT NOT NULL,
    body_json TEXT NOT NULL,
    body_text TEXT NOT NULL,
    tags_json TEXT NOT NULL,
    bylines_json TEXT NOT NULL,
    editor_id INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (article_id, number)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor_login TEXT NOT NULL,
    action TEXT NOT NULL,
    article_id INTEGER,
    from_state TEXT,
    to_state TEXT,
    comment TEXT,
    ip TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_article ON audit_log (article_id, id);
CREATE INDEX audit_by_actor ON audit_log (actor_id, id);

-- Append-only: the database itself refuses to rewrite history.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

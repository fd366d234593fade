-- Fair sign-in throttling and view counting that one address cannot inflate.

-- Failures are counted per (login, address) and per address, not only per login, so nobody can
-- lock the chief out by failing from elsewhere.
CREATE INDEX login_failures_by_ip ON login_failures (ip, at);

-- Views counted per (article, client address, 30-minute window), whatever the User-Agent: one
-- address adds at most a configured number of views to one article per window. The key is a
-- keyed hash of the three, so no address is stored. Rows of past windows are pruned.
CREATE TABLE view_addresses (
    key BIGINT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    n BIGINT NOT NULL
);
CREATE INDEX view_addresses_by_window ON view_addresses (window_start);

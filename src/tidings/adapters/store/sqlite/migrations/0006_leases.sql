-- Tidings schema v6 (SQLite, issue #10): feeds are claimed with a lease.
-- A worker that claims a feed writes its owner and lease end (epoch seconds);
-- recording the refresh ends the lease. `host` is the URL's host name (lower
-- case, no port or user info), kept by the store when the URL is written, so
-- the claim can count the live leases per host.
ALTER TABLE feeds ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until INTEGER;

-- The host of the feeds already stored, as urllib's urlsplit(url).hostname finds it.
WITH
    authority AS (
        SELECT id, substr(url, instr(url, '//') + 2) || '/' AS s FROM feeds
    ),
    to_slash AS (SELECT id, substr(s, 1, instr(s, '/') - 1) AS s FROM authority),
    to_query AS (
        SELECT id, CASE WHEN instr(s, '?') > 0 THEN substr(s, 1, instr(s, '?') - 1) ELSE s END AS s
        FROM to_slash
    ),
    to_fragment AS (
        SELECT id, CASE WHEN instr(s, '#') > 0 THEN substr(s, 1, instr(s, '#') - 1) ELSE s END AS s
        FROM to_query
    ),
    no_user AS (SELECT id, substr(s, instr(s, '@') + 1) AS s FROM to_fragment),
    hosts AS (
        SELECT id, lower(CASE
            WHEN s LIKE '[%' THEN substr(s, 2, instr(s, ']') - 2)
            WHEN instr(s, ':') > 0 THEN substr(s, 1, instr(s, ':') - 1)
            ELSE s END) AS host
        FROM no_user
    )
UPDATE feeds SET host = hosts.host FROM hosts WHERE hosts.id = feeds.id;

-- Leased feeds only: the claim counts them per host and finds a dead owner's.
CREATE INDEX feeds_leases ON feeds (lease_owner, host, lease_until) WHERE lease_owner IS NOT NULL;

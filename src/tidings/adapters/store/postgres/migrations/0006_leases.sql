-- Tidings schema v6 (PostgreSQL, issue #10), mirroring sqlite/migrations/0006:
-- feeds are claimed with a lease; `host` is the URL's host name (lower case,
-- no port or user info).
ALTER TABLE feeds ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until BIGINT;

-- The host of the feeds already stored, as urllib's urlsplit(url).hostname finds it.
UPDATE feeds SET host = lower(COALESCE(
    substring(url FROM '^[^/]*//(?:[^/?#]*@)?\[([^\]/?#]*)\]'),
    substring(url FROM '^[^/]*//(?:[^/?#]*@)?([^:/?#]*)'),
    ''));

-- Leased feeds only: the claim counts them per host and finds a dead owner's.
CREATE INDEX feeds_leases ON feeds (lease_owner, host, lease_until) WHERE lease_owner IS NOT NULL;

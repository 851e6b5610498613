-- Tidings schema v11 (SQLite, issue #13), as postgresql's 0011: the live leases
-- of one host by index (PostgreSQL's due claim counts them host by host; the
-- schemas stay the same on both engines).
CREATE INDEX feeds_host_leases ON feeds (host, lease_until) WHERE lease_owner IS NOT NULL;

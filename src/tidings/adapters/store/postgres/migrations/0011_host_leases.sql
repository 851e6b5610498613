-- Tidings schema v11 (PostgreSQL, issue #13), mirroring sqlite/migrations/0011:
-- the live leases of one host, found without reading every lease. A due claim
-- counts them for each host it is about to lease feeds of (postgres/jobs.py).
CREATE INDEX feeds_host_leases ON feeds (host, lease_until) WHERE lease_owner IS NOT NULL;

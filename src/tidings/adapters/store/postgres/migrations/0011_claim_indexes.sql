-- Tidings schema v11 (PostgreSQL, issue #13): indexes for the due claim
-- (postgres/jobs.py); no table changes (sqlite/migrations/0011 is empty).
-- Due feeds no lease holds, soonest first: a claim's UPDATE takes a feed out
-- of this index instead of adding an entry at its head, as it does to
-- feeds_due, so the claim's scan stays short while workers churn the head.
CREATE INDEX feeds_due_free ON feeds (next_check_at, id) WHERE disabled = 0 AND lease_owner IS NULL;
-- The live leases of one host, counted host by host under the host's lock.
CREATE INDEX feeds_host_leases ON feeds (host, lease_until) WHERE lease_owner IS NOT NULL;

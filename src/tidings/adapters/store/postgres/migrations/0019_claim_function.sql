-- Tidings schema v19 (PostgreSQL, issue #13): the due claim as one server-side
-- function (postgres/jobs.py calls it; sqlite/migrations/0019 is empty). The
-- steps the claim made from Python before, window by window, in one round trip
-- instead of three per window, with plans the session keeps:
--
-- 1. candidates: due, enabled feeds no live lease holds, soonest first, locked
--    FOR UPDATE SKIP LOCKED (concurrent claims see disjoint candidates); of
--    those, the followed ones (a live subscription: looked up only for the rows
--    locked, not for the ones other claims hold) have their host try-locked
--    (pg_try_advisory_xact_lock);
-- 2. in a new statement, so a new snapshot taken after those host locks (READ
--    COMMITTED): the live leases of the hosts this claim holds, and of their
--    candidates the ones the per-host cap allows, soonest first, within the
--    room left; the hosts held by another claim, or now full, are skipped in
--    the next windows;
-- 3. the lease, checked again in the UPDATE, whose rows are returned.
--
-- Expired leases, soonest ending first: each window looked for them by reading
-- all of feeds_host_leases (host first); this index finds them at once.
CREATE INDEX feeds_lease_ends ON feeds (lease_until) WHERE lease_owner IS NOT NULL;

CREATE TYPE claim_candidate AS (id BIGINT, host TEXT, next_check_at BIGINT, mine BOOLEAN);

CREATE FUNCTION claim_due_feeds(
    p_owner TEXT, p_now BIGINT, p_due_by BIGINT, p_until BIGINT,
    p_limit INTEGER, p_per_host INTEGER, p_host_lock INTEGER, p_window_factor DOUBLE PRECISION
) RETURNS SETOF feeds
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    skip_hosts TEXT[] := '{}';
    after_at BIGINT := -4611686018427387904;
    after_id BIGINT := 0;
    claimed INTEGER := 0;
    leased INTEGER;
    win INTEGER;
    cands claim_candidate[];
    found_n INTEGER;
    picked BIGINT[];
    full_hosts TEXT[];
BEGIN
    IF p_limit < 1 OR p_per_host < 1 THEN
        RETURN;
    END IF;
    WHILE claimed < p_limit LOOP
        win := ceil((p_limit - claimed) * p_window_factor);
        -- free feeds (feeds_due_free, in (next_check_at, id) order) and expired
        -- leases (feeds_lease_ends); an unfollowed feed is a candidate with
        -- mine NULL: locked, counted in the window, never leased
        SELECT array_agg(
                   ROW(c.id, c.host, c.next_check_at,
                       CASE WHEN EXISTS (
                           SELECT 1 FROM subscriptions s
                           WHERE s.feed_id = c.id AND s.unsubscribed_at IS NULL)
                       THEN pg_try_advisory_xact_lock(p_host_lock, hashtext(c.host)) END
                   )::claim_candidate
                   ORDER BY c.next_check_at, c.id)
          INTO cands
          FROM (
              SELECT * FROM (
                  SELECT f.id, f.host, f.next_check_at FROM feeds f
                  WHERE f.disabled = 0 AND f.lease_owner IS NULL
                    AND f.next_check_at <= p_due_by
                    AND (f.next_check_at, f.id) > (after_at, after_id)
                    AND f.host <> ALL (skip_hosts)
                  ORDER BY f.next_check_at, f.id
                  LIMIT win
                  FOR UPDATE OF f SKIP LOCKED
              ) AS free
              UNION ALL
              SELECT * FROM (
                  SELECT f.id, f.host, f.next_check_at FROM feeds f
                  WHERE f.disabled = 0 AND f.lease_owner IS NOT NULL AND f.lease_until <= p_now
                    AND f.next_check_at <= p_due_by
                    AND (f.next_check_at, f.id) > (after_at, after_id)
                    AND f.host <> ALL (skip_hosts)
                  ORDER BY f.next_check_at, f.id
                  LIMIT win
                  FOR UPDATE OF f SKIP LOCKED
              ) AS expired
              ORDER BY next_check_at, id
              LIMIT win
          ) AS c;
        found_n := coalesce(cardinality(cands), 0);
        EXIT WHEN found_n = 0;
        after_at := cands[found_n].next_check_at;
        after_id := cands[found_n].id;
        -- a new statement: its snapshot sees every lease of the held hosts
        -- committed before this claim took their locks
        WITH held AS (
            SELECT DISTINCT c.host FROM unnest(cands) AS c WHERE c.mine
        ), live AS (
            SELECT h.host, (
                SELECT count(*) FROM feeds f
                WHERE f.host = h.host AND f.lease_owner IS NOT NULL AND f.lease_until > p_now
            ) AS n
            FROM held AS h
        ), ranked AS (
            SELECT c.id, c.host, c.next_check_at,
                   l.n + row_number() OVER (PARTITION BY c.host ORDER BY c.next_check_at, c.id)
                       AS nth
            FROM unnest(cands) AS c JOIN live AS l ON l.host = c.host
            WHERE c.mine
        ), chosen AS (
            SELECT r.id, r.host FROM ranked AS r WHERE r.nth <= p_per_host
            ORDER BY r.next_check_at, r.id
            LIMIT p_limit - claimed
        )
        SELECT ARRAY(SELECT ch.id FROM chosen AS ch),
               ARRAY(
                   SELECT l.host FROM live AS l
                   LEFT JOIN (SELECT ch.host, count(*) AS k FROM chosen AS ch GROUP BY ch.host)
                       AS p ON p.host = l.host
                   WHERE l.n + coalesce(p.k, 0) >= p_per_host
                   UNION ALL
                   SELECT c.host FROM unnest(cands) AS c WHERE NOT c.mine)
          INTO picked, full_hosts;
        skip_hosts := skip_hosts || full_hosts;
        IF cardinality(picked) > 0 THEN
            RETURN QUERY
                UPDATE feeds AS f SET lease_owner = p_owner, lease_until = p_until
                WHERE f.id = ANY (picked) AND (f.lease_owner IS NULL OR f.lease_until <= p_now)
                RETURNING f.*;
            GET DIAGNOSTICS leased = ROW_COUNT;
            claimed := claimed + leased;
        END IF;
        EXIT WHEN found_n < win;  -- nothing due is left past this window
    END LOOP;
END
$$;

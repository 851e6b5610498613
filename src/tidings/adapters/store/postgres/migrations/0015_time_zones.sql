-- Tidings schema v15 (PostgreSQL, issue #15), mirroring sqlite/migrations/0015:
-- a user's time zone (an IANA name checked against zoneinfo; NULL: not known yet).
ALTER TABLE users ADD COLUMN time_zone TEXT;

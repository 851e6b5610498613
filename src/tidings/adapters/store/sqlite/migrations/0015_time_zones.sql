-- Tidings schema v15 (SQLite, issue #15): a user's time zone.
--
-- An IANA name ("Europe/Paris"), checked against zoneinfo before it is stored;
-- NULL until the user signs in from a browser that names its zone or picks one in
-- Settings. Every time the web reader shows is in this zone (NULL: UTC).
ALTER TABLE users ADD COLUMN time_zone TEXT;

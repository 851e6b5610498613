-- Tidings schema v16 (PostgreSQL, issue #13): search rows laid out for the
-- search's reads (postgres/search.py).
--
-- A search scoped by feed: or category: reads only the matches of those feeds:
-- the GIN index's matches of a word and this index's rows of the feeds are
-- intersected (a BitmapAnd) before any row is read; filtering after reading
-- them cost a second or more for a common word at 1,000,000 entries.
CREATE INDEX entry_search_feed ON entry_search (feed);
-- Every match GIN finds is checked against its row's document (always, for a
-- phrase: GIN keeps no word positions), and ranked by it. Kept in the row
-- (compressed) instead of the TOAST table, where the body goes, the check reads
-- one page instead of three: half the time of a search reading 3,000 rows.
-- Rows written before this keep their layout until rewritten (VACUUM FULL
-- entry_search; docs/scaling.md).
ALTER TABLE entry_search ALTER COLUMN document SET STORAGE MAIN;

"""The PostgreSQL engine (issue 13) goes here: psycopg 3 over the shared ``sql``
modules, tsvector search, ``FOR UPDATE SKIP LOCKED`` job claims, its own migrations.
``open_store`` refuses ``postgresql://`` URLs until it exists."""

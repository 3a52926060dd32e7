-- Step 3: a counter that every publish moves on. An app process reading a snapshot of a
-- PostgreSQL store rebuilds it when the counter there has moved; a DuckDB file records which
-- publish it is. One row, written only by etl.core.store.
CREATE TABLE publish_version (
    version      BIGINT NOT NULL,
    published_at TIMESTAMP
);
INSERT INTO publish_version VALUES (0, NULL);

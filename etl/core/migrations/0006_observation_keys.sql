-- Step 6: values are checked against the catalogue and the regions before they are written
-- (etl.returns.validate refuses an unknown indicator or region with a finding), so the table no
-- longer repeats that check per row: its foreign keys on indicator and region made a large load's
-- insert and commit of this table about twice as slow. The two stores cannot drop a foreign key
-- the same way, so the table is rebuilt with its rows, ids and order, and the view over it is made
-- again as step 4 defined it.
CREATE TABLE observation_keyed (
    id             BIGINT PRIMARY KEY DEFAULT nextval('observation_id_seq'),
    indicator_code VARCHAR NOT NULL,
    region_code    VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    breakdown      VARCHAR NOT NULL,
    value          DOUBLE NOT NULL,
    revision       INTEGER NOT NULL,    -- 1 for the first value, +1 per correction
    submission_id  INTEGER NOT NULL REFERENCES submission(id),
    sheet          VARCHAR,
    row_no         INTEGER,
    cell           VARCHAR,             -- Excel column letter
    note           VARCHAR,
    source         VARCHAR              -- for reference values: source URLs and notes
);
INSERT INTO observation_keyed SELECT * FROM observation ORDER BY id;
DROP VIEW observation_current;
DROP TABLE observation;
ALTER TABLE observation_keyed RENAME TO observation;

CREATE VIEW observation_current AS
WITH ranked AS (
    SELECT o.*, row_number() OVER (
        PARTITION BY o.indicator_code, o.region_code, o.year, o.breakdown
        ORDER BY o.revision DESC, o.id DESC) AS rn
    FROM observation o JOIN submission_counted s ON s.id = o.submission_id
)
SELECT r.indicator_code, i.name AS indicator_name, r.region_code, g.name AS region_name,
       r.year, r.breakdown, r.value, i.unit, r.submission_id, r.revision,
       s.unit_code, s.is_sample, s.kind AS submission_kind, r.source, r.id AS observation_id
FROM ranked r
JOIN indicator i ON i.code = r.indicator_code
JOIN region g ON g.code = r.region_code
JOIN submission s ON s.id = r.submission_id
WHERE r.rn = 1;

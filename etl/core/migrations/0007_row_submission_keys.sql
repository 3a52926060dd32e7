-- Step 7: a file's raw rows and values are written in the transaction that records its submission,
-- after it, and no submission is ever deleted (a withdrawal is a row of submission_withdrawal), so
-- the two largest tables no longer check their submission per row. DuckDB keeps an index of every
-- row of a table with a foreign key, by that key: building and committing those two indexes cost a
-- 200,000-row load about 0.1 s of its 2 s per table. Both tables are rebuilt as step 6 rebuilt
-- observation, with their rows, ids and order, and the view over values is made again as step 4
-- defined it. The smaller tables (finding, rejected_row, approvals, places) keep their keys.
CREATE TABLE raw_row_unkeyed (
    submission_id INTEGER NOT NULL,
    sheet         VARCHAR NOT NULL,
    row_no        INTEGER NOT NULL,
    cells         VARCHAR[] NOT NULL
);
INSERT INTO raw_row_unkeyed SELECT * FROM raw_row;
DROP TABLE raw_row;
ALTER TABLE raw_row_unkeyed RENAME TO raw_row;

CREATE TABLE observation_unkeyed (
    id             BIGINT PRIMARY KEY DEFAULT nextval('observation_id_seq'),
    indicator_code VARCHAR NOT NULL,
    region_code    VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    breakdown      VARCHAR NOT NULL,
    value          DOUBLE NOT NULL,
    revision       INTEGER NOT NULL,    -- 1 for the first value, +1 per correction
    submission_id  INTEGER NOT NULL,
    sheet          VARCHAR,
    row_no         INTEGER,
    cell           VARCHAR,             -- Excel column letter
    note           VARCHAR,
    source         VARCHAR              -- for reference values: source URLs and notes
);
INSERT INTO observation_unkeyed SELECT * FROM observation ORDER BY id;
DROP VIEW observation_current;
DROP TABLE observation;
ALTER TABLE observation_unkeyed RENAME TO observation;

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

-- Step 2: the office's own targets keep their history; readers take targets from target_effective.

-- The office's own targets (两规, per-district): one row per change, never updated or deleted.
-- The latest row for a plan × indicator × region × target year is the target; `remove` retires
-- it. National plans (scope national) are read-only and never get rows here.
CREATE SEQUENCE target_revision_id_seq START 1;
CREATE TABLE target_revision (
    id             BIGINT PRIMARY KEY DEFAULT nextval('target_revision_id_seq'),
    plan_code      VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    region_code    VARCHAR,             -- NULL: every region
    target_year    INTEGER NOT NULL,
    action         VARCHAR NOT NULL,    -- set | remove
    kind           VARCHAR,
    value          DOUBLE,
    band_low       DOUBLE,
    band_high      DOUBLE,
    tolerance      DOUBLE,
    target_text    VARCHAR,             -- the wording as the office wrote it
    source         VARCHAR,             -- 来源/文号: required for a numeric target
    source_url     VARCHAR,
    note           VARCHAR,
    actor          VARCHAR NOT NULL,    -- who
    changed_at     TIMESTAMP NOT NULL,  -- when
    reason         VARCHAR NOT NULL,    -- why
    origin         VARCHAR              -- file and row, or 在线编辑
);

-- What every reader uses as the targets: the shipped rows, each replaced by the latest revision
-- of its key where the office has made one. Same columns as `target`.
CREATE VIEW target_effective AS
WITH latest AS (
    SELECT * FROM (
        SELECT r.*, row_number() OVER (
            PARTITION BY r.plan_code, r.indicator_code, coalesce(r.region_code, ''), r.target_year
            ORDER BY r.id DESC) AS rn
        FROM target_revision r) ranked
    WHERE rn = 1
)
SELECT t.plan_code, t.indicator_code, t.region_code, t.target_year, t.kind, t.value, t.band_low,
       t.band_high, t.tolerance, t.target_text, t.source, t.source_url, t.verified, t.is_sample, t.note
FROM target t
WHERE NOT EXISTS (SELECT 1 FROM latest l
                  WHERE l.plan_code = t.plan_code AND l.indicator_code = t.indicator_code
                    AND l.region_code IS NOT DISTINCT FROM t.region_code AND l.target_year = t.target_year)
UNION ALL
SELECT plan_code, indicator_code, region_code, target_year, kind, value, band_low, band_high, tolerance,
       target_text, source, source_url, true AS verified, false AS is_sample, note
FROM latest WHERE action = 'set';

-- one row per plan × indicator × region(NULL = all) × target year; a region-specific row
-- overrides the all-region row when both exist (resolve with target_for_region below)
CREATE OR REPLACE VIEW target_current AS
SELECT t.plan_code, p.name AS plan_name, t.indicator_code, i.name AS indicator_name,
       t.region_code, t.target_year, t.kind, t.value, t.band_low, t.band_high, t.tolerance,
       t.target_text, t.source, t.source_url, t.verified, t.is_sample, t.note,
       CASE WHEN t.value IS NULL AND t.kind IN ('at_least', 'at_most', 'band')
            THEN '目标待设定' END AS target_label
FROM target_effective t JOIN plan p ON p.code = t.plan_code JOIN indicator i ON i.code = t.indicator_code;


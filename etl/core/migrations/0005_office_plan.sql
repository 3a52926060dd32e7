-- Step 5: the office's own plan: range targets set by their two edges, member-unit duties and
-- local indicators, each kept as revisions (who, when, why).

-- A band given by its two edges (40%—50%) has no centre value and is set, not 目标待设定.
CREATE OR REPLACE VIEW target_current AS
SELECT t.plan_code, p.name AS plan_name, t.indicator_code, i.name AS indicator_name,
       t.region_code, t.target_year, t.kind, t.value, t.band_low, t.band_high, t.tolerance,
       t.target_text, t.source, t.source_url, t.verified, t.is_sample, t.note,
       CASE WHEN t.value IS NULL AND t.kind IN ('at_least', 'at_most', 'band')
                 AND NOT (t.kind = 'band' AND t.band_low IS NOT NULL AND t.band_high IS NOT NULL)
            THEN '目标待设定' END AS target_label
FROM target_effective t JOIN plan p ON p.code = t.plan_code JOIN indicator i ON i.code = t.indicator_code;

-- Member-unit duties (成员单位分工): one row per change of an indicator's duty, never updated or
-- deleted; the latest row per indicator is the duty. `indicator_unit` holds the current lead
-- and shared links, rewritten from that row (etl.workflow.duties). 'shipped' rows keep the links
-- shipped with the catalogue, recorded just before an indicator's first change.
CREATE SEQUENCE duty_revision_id_seq START 1;
CREATE TABLE duty_revision (
    id             BIGINT PRIMARY KEY DEFAULT nextval('duty_revision_id_seq'),
    indicator_code VARCHAR NOT NULL,
    action         VARCHAR NOT NULL,    -- set | shipped
    lead_unit      VARCHAR,             -- member_unit code: 牵头单位, owes the values
    shared_units   VARCHAR,             -- '|'-separated member_unit codes: 责任单位
    districts      VARCHAR,             -- '|'-separated county codes the values are owed for; NULL: all
    deadline       VARCHAR,             -- 'MM-DD' of the year after the report year; NULL: setting
    actor          VARCHAR NOT NULL,    -- who
    changed_at     TIMESTAMP,           -- when (NULL for 'shipped')
    reason         VARCHAR NOT NULL,    -- why
    origin         VARCHAR              -- file and row, or 在线编辑
);

CREATE VIEW duty_current AS
SELECT indicator_code, lead_unit, shared_units, districts, deadline
FROM (SELECT r.*, row_number() OVER (PARTITION BY r.indicator_code ORDER BY r.id DESC) AS rn
      FROM duty_revision r) ranked
WHERE rn = 1;

-- Local indicators the office adds (本地指标): one row per change, never updated or deleted.
-- The latest row per code is the indicator; `indicator` holds it as one more catalogue row
-- (outline 'local', row_type 'local'), written from that row (etl.catalogue.local), so the
-- lookup, templates, the loader and the engine see it like any other. Codes are L-OFFICE-nnn,
-- given once and never reused. The national catalogue's rows are never changed.
CREATE SEQUENCE local_indicator_revision_id_seq START 1;
CREATE TABLE local_indicator_revision (
    id             BIGINT PRIMARY KEY DEFAULT nextval('local_indicator_revision_id_seq'),
    indicator_code VARCHAR NOT NULL,
    action         VARCHAR NOT NULL,    -- add | edit
    name           VARCHAR NOT NULL,
    unit           VARCHAR,
    decimals       INTEGER NOT NULL,
    domain         VARCHAR NOT NULL,
    direction      VARCHAR,             -- up | down | NULL
    definition     VARCHAR,             -- 统计口径
    data_source    VARCHAR,             -- 数据来源
    actor          VARCHAR NOT NULL,    -- who
    changed_at     TIMESTAMP NOT NULL,  -- when
    reason         VARCHAR NOT NULL,    -- why
    origin         VARCHAR              -- 在线编辑 or 命令行
);

-- Step 1: the base schema of 妇儿规划监测看板 (every database built before schema versions were
-- recorded has at least this). Written in the SQL both stores understand; etl.core.migrations.dialect
-- translates the few words PostgreSQL spells differently.
-- Layers: reference tables (catalogue, targets, regions) · raw (raw_row: returns as they
-- arrived) · staged (observation: typed, normalised, one row per revision) · marts (views the
-- pages and other tools read: indicator_catalogue, target_current, observation_current).

CREATE TABLE region (
    code        VARCHAR PRIMARY KEY,   -- 6-digit 行政区划代码 (9+ for 乡镇/街道); 100000 = 全国
    name        VARCHAR NOT NULL,      -- official name, e.g. 张店区
    short_name  VARCHAR NOT NULL,      -- without 区/县/市 suffix where unambiguous
    level       VARCHAR NOT NULL,      -- country | province | city | county | town
    parent_code VARCHAR
);

CREATE TABLE plan (
    code        VARCHAR PRIMARY KEY,   -- liangang | lianggui | fyp14
    name        VARCHAR NOT NULL,      -- 两纲 | 两规 | 十四五
    full_name   VARCHAR NOT NULL,
    scope       VARCHAR NOT NULL,      -- national | local
    base_year   INTEGER NOT NULL,
    target_year INTEGER NOT NULL
);

CREATE TABLE member_unit (
    code    VARCHAR PRIMARY KEY,       -- stable ASCII code, e.g. health
    name    VARCHAR NOT NULL,          -- 卫生健康委
    aliases VARCHAR                    -- '|'-separated other names (卫健委|卫生健康委员会)
);

CREATE TABLE indicator (
    code           VARCHAR PRIMARY KEY, -- W-HEALTH-02, C-EDU-02, L-COURTYARD-01
    outline        VARCHAR NOT NULL,    -- women | children | local
    domain         VARCHAR NOT NULL,    -- 领域, e.g. 妇女与健康
    name           VARCHAR NOT NULL,
    unit           VARCHAR,             -- as published: %, ‰, 1/10万, 岁, 个, 张
    decimals       INTEGER NOT NULL,
    direction      VARCHAR,             -- up | down | NULL (no better direction)
    target_kind    VARCHAR,             -- at_least | at_most | band | increase | decrease | qualitative
    row_type       VARCHAR NOT NULL,    -- main_goal | sub_indicator | monitoring_indicator | fyp_indicator | local
    definition     VARCHAR,             -- 统计口径
    data_source    VARCHAR,             -- 数据来源
    breakdowns     VARCHAR,             -- '|'-separated allowed breakdowns besides 合计 (城镇|农村)
    plausible_min  DOUBLE,
    plausible_max  DOUBLE,
    target_text    VARCHAR,             -- the outline's own wording of the goal
    source_urls    VARCHAR,             -- where the reference facts were read
    verification   VARCHAR,             -- how the reference row was checked
    notes          VARCHAR
);

CREATE TABLE indicator_unit (
    indicator_code VARCHAR NOT NULL REFERENCES indicator(code),
    unit_code      VARCHAR NOT NULL REFERENCES member_unit(code),
    role           VARCHAR NOT NULL,    -- lead (牵头) | shared (责任)
    PRIMARY KEY (indicator_code, unit_code)
);

CREATE TABLE indicator_alias (
    alias          VARCHAR PRIMARY KEY,
    indicator_code VARCHAR NOT NULL REFERENCES indicator(code)
);

CREATE TABLE target (
    plan_code      VARCHAR NOT NULL REFERENCES plan(code),
    indicator_code VARCHAR NOT NULL REFERENCES indicator(code),
    region_code    VARCHAR,             -- NULL: every region
    target_year    INTEGER NOT NULL,
    kind           VARCHAR NOT NULL,
    value          DOUBLE,              -- NULL: 目标待设定
    band_low       DOUBLE,
    band_high      DOUBLE,
    tolerance      DOUBLE,
    target_text    VARCHAR,
    source         VARCHAR,             -- document the target was read in
    source_url     VARCHAR,
    verified       BOOLEAN NOT NULL,
    is_sample      BOOLEAN NOT NULL,    -- 示例目标: demonstration only
    note           VARCHAR
);

CREATE SEQUENCE submission_id_seq START 1;
CREATE TABLE submission (
    id             INTEGER PRIMARY KEY DEFAULT nextval('submission_id_seq'),
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,    -- return | reference | courtyard | child_friendly | community_count
    unit_code      VARCHAR,
    loaded_at      TIMESTAMP NOT NULL,
    status         VARCHAR NOT NULL,    -- loaded | failed
    rows_accepted  INTEGER NOT NULL,
    rows_rejected  INTEGER NOT NULL,
    is_sample      BOOLEAN NOT NULL,    -- 示例数据
    source         VARCHAR              -- for reference loads: where the numbers were published
);

-- raw layer: every data row of every loaded file, as it arrived
CREATE TABLE raw_row (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    sheet         VARCHAR NOT NULL,
    row_no        INTEGER NOT NULL,
    cells         VARCHAR[] NOT NULL
);

-- staged layer: one row per revision; never updated or deleted
CREATE SEQUENCE observation_id_seq START 1;
CREATE TABLE observation (
    id             BIGINT PRIMARY KEY DEFAULT nextval('observation_id_seq'),
    indicator_code VARCHAR NOT NULL REFERENCES indicator(code),
    region_code    VARCHAR NOT NULL REFERENCES region(code),
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

CREATE TABLE finding (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    file          VARCHAR NOT NULL,
    sheet         VARCHAR,
    row_no        INTEGER,
    col           VARCHAR,
    rule          VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL,
    message       VARCHAR NOT NULL
);

CREATE TABLE rejected_row (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    sheet         VARCHAR,
    row_no        INTEGER,
    col           VARCHAR,
    raw_cells     VARCHAR[],
    reason        VARCHAR NOT NULL
);

-- 美丽庭院: one row per village × year
CREATE TABLE courtyard (
    submission_id         INTEGER NOT NULL REFERENCES submission(id),
    village_code          VARCHAR,
    village_name          VARCHAR NOT NULL,
    district_code         VARCHAR NOT NULL REFERENCES region(code),
    street                VARCHAR,
    year                  INTEGER NOT NULL,
    rural_households      INTEGER,
    courtyard_households  INTEGER,
    premium_households    INTEGER,      -- 精品/示范
    lon                   DOUBLE,       -- GCJ-02, like the boundaries
    lat                   DOUBLE
);

-- 儿童友好社区 / 儿童之家: one row per community and kind
CREATE TABLE child_friendly (
    submission_id  INTEGER NOT NULL REFERENCES submission(id),
    community_name VARCHAR NOT NULL,
    district_code  VARCHAR NOT NULL REFERENCES region(code),
    street         VARCHAR,
    kind           VARCHAR NOT NULL,    -- 儿童友好社区 | 儿童之家
    level          VARCHAR,             -- 国家级 | 省级 | 市级
    year_named     INTEGER,
    status         VARCHAR,             -- 已命名 | 创建中 | 已撤销
    lon            DOUBLE,
    lat            DOUBLE
);

-- number of villages and communities per district and year (denominators for coverage)
CREATE TABLE community_count (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    district_code VARCHAR NOT NULL REFERENCES region(code),
    year          INTEGER NOT NULL,
    villages      INTEGER,
    communities   INTEGER
);

CREATE TABLE build_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- marts --------------------------------------------------------------------------------------

CREATE VIEW indicator_catalogue AS
SELECT i.code AS indicator_code, i.outline, i.domain, i.name AS indicator_name, i.unit,
       i.decimals, i.direction, i.target_kind, i.row_type, i.definition, i.data_source,
       i.breakdowns, i.target_text,
       t.value AS target_2030, t.source AS target_source, coalesce(t.verified, false) AS target_verified,
       lead.unit_code AS lead_unit_code, lu.name AS lead_unit,
       (SELECT string_agg(mu.name, '、' ORDER BY mu.name) FROM indicator_unit iu
          JOIN member_unit mu ON mu.code = iu.unit_code
         WHERE iu.indicator_code = i.code AND iu.role = 'shared') AS other_units,
       i.source_urls, i.verification, i.notes
FROM indicator i
LEFT JOIN target t ON t.indicator_code = i.code AND t.plan_code = 'liangang'
     AND t.region_code IS NULL AND t.target_year = 2030 AND NOT t.is_sample
LEFT JOIN indicator_unit lead ON lead.indicator_code = i.code AND lead.role = 'lead'
LEFT JOIN member_unit lu ON lu.code = lead.unit_code;

-- one row per plan × indicator × region(NULL = all) × target year; a region-specific row
-- overrides the all-region row when both exist (resolve with target_for_region below)
CREATE VIEW target_current AS
SELECT t.plan_code, p.name AS plan_name, t.indicator_code, i.name AS indicator_name,
       t.region_code, t.target_year, t.kind, t.value, t.band_low, t.band_high, t.tolerance,
       t.target_text, t.source, t.source_url, t.verified, t.is_sample, t.note,
       CASE WHEN t.value IS NULL AND t.kind IN ('at_least', 'at_most', 'band')
            THEN '目标待设定' END AS target_label
FROM target t JOIN plan p ON p.code = t.plan_code JOIN indicator i ON i.code = t.indicator_code;

-- review workflow: approval and lock, withdrawal, audit trail ---------------------------------
-- Every table here is append-only; nothing is updated or deleted.

-- One row per office action on a unit's return for a year; the latest row is the state.
CREATE SEQUENCE approval_id_seq START 1;
CREATE TABLE approval (
    id        BIGINT PRIMARY KEY DEFAULT nextval('approval_id_seq'),
    unit_code VARCHAR NOT NULL REFERENCES member_unit(code),
    year      INTEGER NOT NULL,          -- the report year the return is for
    action    VARCHAR NOT NULL,          -- checked (已核对) | approved (审核通过, locks) | unlocked (解锁)
    actor     VARCHAR NOT NULL,          -- who (user name and display name)
    acted_at  TIMESTAMP NOT NULL,        -- when
    reason    VARCHAR                    -- why (required for unlocked)
);

-- A withdrawn submission stays in `submission` and keeps its rows; it just stops counting.
CREATE TABLE submission_withdrawal (
    submission_id INTEGER PRIMARY KEY REFERENCES submission(id),
    withdrawn_at  TIMESTAMP NOT NULL,
    withdrawn_by  VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL
);

-- Every change: one row per value that changed (load, withdraw) and per office action.
CREATE SEQUENCE audit_log_id_seq START 1;
CREATE TABLE audit_log (
    id             BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
    changed_at     TIMESTAMP NOT NULL,
    actor          VARCHAR NOT NULL,
    action         VARCHAR NOT NULL,     -- load | withdraw | checked | approved | unlocked
    file           VARCHAR,              -- the file the change came from
    submission_id  INTEGER,
    unit_code      VARCHAR,
    indicator_code VARCHAR,
    region_code    VARCHAR,
    year           INTEGER,
    breakdown      VARCHAR,
    old_value      DOUBLE,               -- NULL: there was no value before
    new_value      DOUBLE,               -- NULL: no value counts any more (withdrawn)
    detail         VARCHAR               -- Chinese: reason, cell, rule
);

-- The state of each unit × year return: the latest office action on it.
CREATE VIEW approval_current AS
SELECT unit_code, year, action AS state, actor, acted_at, reason
FROM (SELECT a.*, row_number() OVER (PARTITION BY unit_code, year ORDER BY id DESC) AS rn
      FROM approval a) latest
WHERE rn = 1;

-- Approvals and unlocks only: the lock history.
CREATE VIEW lock_event AS
SELECT id, unit_code, year, action, actor, acted_at, reason
FROM approval WHERE action IN ('approved', 'unlocked');

-- The latest revision of every value; a withdrawn submission's values no longer count.
CREATE VIEW observation_current AS
WITH ranked AS (
    SELECT o.*, row_number() OVER (
        PARTITION BY o.indicator_code, o.region_code, o.year, o.breakdown
        ORDER BY o.revision DESC, o.id DESC) AS rn
    FROM observation o JOIN submission s ON s.id = o.submission_id
    WHERE s.status = 'loaded'
      AND o.submission_id NOT IN (SELECT submission_id FROM submission_withdrawal)
)
SELECT r.indicator_code, i.name AS indicator_name, r.region_code, g.name AS region_name,
       r.year, r.breakdown, r.value, i.unit, r.submission_id, r.revision,
       s.unit_code, s.is_sample, s.kind AS submission_kind, r.source, r.id AS observation_id
FROM ranked r
JOIN indicator i ON i.code = r.indicator_code
JOIN region g ON g.code = r.region_code
JOIN submission s ON s.id = r.submission_id
WHERE r.rn = 1;

-- Step 4: what "current" means, defined once for values and place records alike: a submission's rows count while it is loaded and not
-- withdrawn, and for each key the row from the latest counting submission is the current one.
CREATE OR REPLACE VIEW submission_counted AS
SELECT * FROM submission
WHERE status = 'loaded' AND id NOT IN (SELECT submission_id FROM submission_withdrawal);

-- The latest revision of every value.
CREATE OR REPLACE VIEW observation_current AS
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

-- The current place records: a later file's record for the same village × year, community ×
-- kind or district × year replaces an earlier one.
CREATE OR REPLACE VIEW courtyard_current AS
SELECT submission_id, village_code, village_name, district_code, street, year, rural_households,
       courtyard_households, premium_households, lon, lat, is_sample
FROM (
    SELECT p.*, s.is_sample, row_number() OVER (
        PARTITION BY p.district_code, coalesce(p.village_code, p.village_name), p.year
        ORDER BY p.submission_id DESC) AS rn
    FROM courtyard p JOIN submission_counted s ON s.id = p.submission_id) ranked
WHERE rn = 1;

CREATE OR REPLACE VIEW child_friendly_current AS
SELECT submission_id, community_name, district_code, street, kind, level, year_named, status, lon, lat, is_sample
FROM (
    SELECT p.*, s.is_sample, row_number() OVER (
        PARTITION BY p.district_code, p.community_name, p.kind
        ORDER BY p.submission_id DESC) AS rn
    FROM child_friendly p JOIN submission_counted s ON s.id = p.submission_id) ranked
WHERE rn = 1;

CREATE OR REPLACE VIEW community_count_current AS
SELECT submission_id, district_code, year, villages, communities, is_sample
FROM (
    SELECT p.*, s.is_sample, row_number() OVER (
        PARTITION BY p.district_code, p.year
        ORDER BY p.submission_id DESC) AS rn
    FROM community_count p JOIN submission_counted s ON s.id = p.submission_id) ranked
WHERE rn = 1;

-- Checks a loaded benchmark database against the rules the schema cannot hold alone (the ones
-- that need the plan's years) and that every constraint of irm_findings is validated:
--
--   psql "$DATABASE_URL" -X -v ON_ERROR_STOP=1 -f bench/check.sql
--
-- Each query prints a count of rows breaking a rule (all must be 0); the last one raises an
-- error if any is not.
\set QUIET on
\pset footer off
CREATE TEMP TABLE bench_check (rule text PRIMARY KEY, failures bigint NOT NULL);

INSERT INTO bench_check
SELECT 'irm_findings constraints not validated', count(*)
  FROM pg_constraint WHERE conrelid = 'irm_findings'::regclass AND NOT convalidated;

-- Every assessment's verdicts are what the server gives: not applicable where the rule does
-- not apply, else the derived value (NULL basis when the ratings leave it unknown), or a
-- published value the ratings do not contradict.
WITH a AS (
    SELECT f.*, ogp_report_year(f.report, f.published_on, p.start_year, p.end_year) AS year,
           p.start_year
      FROM irm_findings f JOIN action_plans p ON p.id = f.action_plan_id
     WHERE f.kind = 'assessment'
), d AS (
    SELECT a.*,
           ogp_well_designed_applies(report, year) AS wd_applies,
           ogp_derive_well_designed(specificity, relevance, potential_impact) AS wd,
           ogp_starred_applies(report, year) AS st_applies,
           ogp_derive_starred(specificity, relevance, potential_impact, completion, year) AS st
      FROM a
)
INSERT INTO bench_check
SELECT 'assessments: well_designed differs from the rule', count(*) FILTER (WHERE NOT CASE
           WHEN NOT wd_applies THEN well_designed IS NULL AND well_designed_basis = 'not_applicable'
           WHEN well_designed_basis = 'published' THEN well_designed IS NOT NULL
                AND (wd IS NULL OR well_designed = wd)
           ELSE well_designed IS NOT DISTINCT FROM wd
                AND well_designed_basis IS NOT DISTINCT FROM
                    CASE WHEN wd IS NOT NULL THEN 'derived' END
       END) FROM d
UNION ALL
SELECT 'assessments: starred differs from the rule', count(*) FILTER (WHERE NOT CASE
           WHEN NOT st_applies THEN starred IS NULL AND starred_basis = 'not_applicable'
           WHEN starred_basis = 'published' THEN starred IS NOT NULL AND (st IS NULL OR starred = st)
           ELSE starred IS NOT DISTINCT FROM st
                AND starred_basis IS NOT DISTINCT FROM CASE WHEN st IS NOT NULL THEN 'derived' END
       END) FROM d
UNION ALL
-- Results reports rate early results for plans from 2021, did it open government before.
SELECT 'results reports: early_results / did_it_open_government of the wrong generation',
       count(*) FILTER (WHERE report = 'results_report' AND CASE
           WHEN start_year >= 2021 THEN did_it_open_government IS NOT NULL
           ELSE early_results IS NOT NULL END) FROM d
UNION ALL
SELECT 'potentially_starred / promising basis not as generated', count(*) FILTER (WHERE
           potentially_starred_basis IS DISTINCT FROM CASE WHEN report <> 'design_report'
               THEN 'not_applicable' WHEN potentially_starred IS NOT NULL THEN 'published' END
           OR promising_basis IS DISTINCT FROM CASE WHEN report <> 'action_plan_review'
               THEN 'not_applicable' WHEN promising IS NOT NULL THEN 'published' END) FROM d;

-- Every process verdict: derived by the era's rule, or published without contradicting it.
WITH p AS (
    SELECT f.*, ogp_derive_contrary(report, no_public_engagement, irm_not_engaged,
               late_action_plan, iap2_minimum_not_met, no_online_repository,
               co_creation_minimum_not_met, no_progress_on_any_commitment) AS derived
      FROM irm_findings f WHERE f.kind = 'process'
)
INSERT INTO bench_check
SELECT 'process findings: acted_contrary_to_process differs from the rule',
       count(*) FILTER (WHERE NOT CASE acted_contrary_to_process_basis
           WHEN 'published' THEN acted_contrary_to_process IS NOT NULL
                AND (derived IS NULL OR acted_contrary_to_process = derived)
           ELSE acted_contrary_to_process IS NOT DISTINCT FROM derived
                AND acted_contrary_to_process_basis IS NOT DISTINCT FROM
                    CASE WHEN derived IS NOT NULL THEN 'derived' END
       END) FROM p;

-- The statistics tables were rebuilt from the loaded rows.
INSERT INTO bench_check
SELECT 'commitment_facts rows missing', (SELECT count(*) FROM commitments)
       - (SELECT count(*) FROM commitment_facts);

SELECT rule, failures FROM bench_check ORDER BY rule;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM bench_check WHERE failures <> 0) THEN
        RAISE EXCEPTION 'bench/check.sql: some rules fail (see above)';
    END IF;
END $$;

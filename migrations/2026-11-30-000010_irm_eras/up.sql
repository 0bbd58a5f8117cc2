-- The IRM, era by era (docs/irm-method.md): every report type the IRM published, the indicators
-- of each era, verdicts that may be "not applicable", promising / potentially starred, the
-- process criteria of each era with a published or derived verdict, and the commitment's
-- `withdrawn` flag (withdrawal is not an IRM completion level).
--
-- Existing rows keep their meaning: ratings stay, `completion = withdrawn` moves to the
-- commitment's flag, derived verdicts are re-derived by the era rules (published ones stay), and
-- the new per-era constraints are validated when every existing row meets them (else they are
-- left NOT VALID, enforced on every new write, with a notice).

-- Report types, era by era and in the order of a plan's cycle within each era; the latest
-- report of a commitment is the one ranked last (the order of the API's `Report` vocabulary).
ALTER TABLE irm_findings DROP CONSTRAINT irm_findings_report_check;
ALTER TABLE irm_findings ADD CONSTRAINT irm_findings_report_check CHECK (report IN (
    'progress_report', 'mid_term_report', 'end_of_term_report', 'design_report',
    'implementation_report', 'transitional_results_report', 'co_creation_brief',
    'action_plan_review', 'results_report'));

CREATE OR REPLACE FUNCTION ogp_report_rank(report text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_position(ARRAY['progress_report', 'mid_term_report', 'end_of_term_report',
        'design_report', 'implementation_report', 'transitional_results_report',
        'co_creation_brief', 'action_plan_review', 'results_report']::text[], report);

-- The year a report belongs to: its publication year, else the year the report type would have
-- been published for the plan (an API choice, docs/irm-method.md). Mirrors `report_year` in
-- src/resources/irm_findings/eras.rs.
CREATE FUNCTION ogp_report_year(report text, published_on date, start_year integer, end_year integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(extract(year FROM published_on)::integer, CASE
    WHEN report IN ('co_creation_brief', 'action_plan_review') THEN start_year
    WHEN report IN ('progress_report', 'mid_term_report', 'design_report') THEN start_year + 1
    ELSE end_year + 1
END);

-- Relevant for the verdicts: access to information, civic participation or public
-- accountability (technology and innovation only together with one of them).
CREATE OR REPLACE FUNCTION ogp_derive_well_designed(specificity text, relevance text[], potential_impact text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN specificity IN ('none', 'low') THEN false
        WHEN relevance IS NOT NULL AND NOT relevance && ARRAY['access_to_information',
             'civic_participation', 'public_accountability'] THEN false
        WHEN potential_impact IS NOT NULL AND potential_impact <> 'transformative' THEN false
        WHEN specificity IS NULL OR relevance IS NULL OR potential_impact IS NULL THEN NULL
        ELSE true
    END
$$;

CREATE FUNCTION ogp_derive_starred(specificity text, relevance text[], potential_impact text,
                                   completion text, report_year integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN specificity IN ('none', 'low') THEN false
        WHEN relevance IS NOT NULL AND NOT relevance && ARRAY['access_to_information',
             'civic_participation', 'public_accountability'] THEN false
        WHEN potential_impact IS NOT NULL AND NOT (potential_impact = 'transformative'
             OR (potential_impact = 'moderate' AND report_year <= 2014)) THEN false
        WHEN completion IS NOT NULL AND completion NOT IN ('substantial', 'complete') THEN false
        WHEN specificity IS NULL OR relevance IS NULL OR potential_impact IS NULL
             OR completion IS NULL THEN NULL
        ELSE true
    END
$$;

-- Whether the IRM gave the verdict on this report: stars on the reports published 2014–2021
-- that carried them; the well-designed asterisk on 2016–2019 progress/mid-term/end-of-term pages
-- (API.md; after 2019 these report types gave way to design and implementation reports).
CREATE FUNCTION ogp_starred_applies(report text, report_year integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN report IN ('progress_report', 'mid_term_report', 'end_of_term_report',
                  'implementation_report', 'transitional_results_report')
       AND report_year BETWEEN 2014 AND 2021;

CREATE FUNCTION ogp_well_designed_applies(report text, report_year integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN report IN ('progress_report', 'mid_term_report', 'end_of_term_report')
       AND report_year BETWEEN 2016 AND 2019;

-- Process criteria of each era: 2014–2017 (progress, mid-term, end-of-term reports), the
-- 2017–2021 procedural review (design, implementation, transitional results reports), the 2022
-- rules (co-creation brief, action plan review, results report). Any true → contrary; all of the
-- era's criteria false → not contrary; else unknown.
CREATE FUNCTION ogp_derive_contrary(report text, no_public_engagement boolean, irm_not_engaged boolean,
    late_action_plan boolean, iap2_minimum_not_met boolean, no_online_repository boolean,
    co_creation_minimum_not_met boolean, no_progress_on_any_commitment boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN array_position(criteria, true) IS NOT NULL THEN true
        WHEN array_position(criteria, NULL) IS NULL THEN false
    END
    FROM (SELECT CASE
        WHEN report IN ('progress_report', 'mid_term_report', 'end_of_term_report')
            THEN ARRAY[no_public_engagement, irm_not_engaged, no_progress_on_any_commitment]
        WHEN report IN ('design_report', 'implementation_report', 'transitional_results_report')
            THEN ARRAY[late_action_plan, iap2_minimum_not_met, no_online_repository,
                       no_progress_on_any_commitment]
        ELSE ARRAY[late_action_plan, co_creation_minimum_not_met, no_progress_on_any_commitment]
    END AS criteria) c
$$;

-- Withdrawn commitments: a flag on the commitment, no longer a completion level.
ALTER TABLE commitments ADD COLUMN withdrawn boolean NOT NULL DEFAULT false;
UPDATE commitments c SET withdrawn = true
 WHERE EXISTS (SELECT 1 FROM irm_findings f WHERE f.commitment_id = c.id AND f.completion = 'withdrawn');
CREATE INDEX commitments_withdrawn_idx ON commitments (withdrawn, id);

-- New indicators, verdicts and criteria.
ALTER TABLE irm_findings
    ADD COLUMN verifiable boolean,
    ADD COLUMN open_government_lens boolean,
    ADD COLUMN early_results text
        CONSTRAINT irm_findings_early_results_check
        CHECK (early_results IN ('moderate', 'significant', 'outstanding')),
    -- Published only (the IRM gave no formula), so the basis follows from the row itself.
    ADD COLUMN potentially_starred boolean
        CONSTRAINT irm_findings_potentially_starred_check
        CHECK (potentially_starred IS NULL OR (kind = 'assessment' AND report = 'design_report')),
    ADD COLUMN potentially_starred_basis text GENERATED ALWAYS AS (CASE
        WHEN kind = 'assessment' AND report <> 'design_report' THEN 'not_applicable'
        WHEN potentially_starred IS NOT NULL THEN 'published' END) STORED,
    ADD COLUMN promising boolean
        CONSTRAINT irm_findings_promising_check
        CHECK (promising IS NULL OR (kind = 'assessment' AND report = 'action_plan_review')),
    ADD COLUMN promising_basis text GENERATED ALWAYS AS (CASE
        WHEN kind = 'assessment' AND report <> 'action_plan_review' THEN 'not_applicable'
        WHEN promising IS NOT NULL THEN 'published' END) STORED,
    ADD COLUMN late_action_plan boolean,
    ADD COLUMN iap2_minimum_not_met boolean,
    ADD COLUMN no_online_repository boolean,
    ADD COLUMN co_creation_minimum_not_met boolean,
    ADD COLUMN acted_contrary_to_process_basis text
        CONSTRAINT irm_findings_acted_contrary_to_process_basis_check
        CHECK (acted_contrary_to_process_basis IN ('published', 'derived'));

-- The process verdict becomes a stored value: published, or derived by the era's rule.
ALTER TABLE irm_findings ALTER COLUMN acted_contrary_to_process DROP EXPRESSION;

ALTER TABLE irm_findings DROP CONSTRAINT irm_findings_well_designed_check,
                         DROP CONSTRAINT irm_findings_starred_check,
                         DROP CONSTRAINT irm_findings_ratings_check,
                         DROP CONSTRAINT irm_findings_criteria_check,
                         DROP CONSTRAINT irm_findings_completion_check,
                         DROP CONSTRAINT irm_findings_well_designed_basis_check,
                         DROP CONSTRAINT irm_findings_starred_basis_check;
ALTER TABLE irm_findings
    ADD CONSTRAINT irm_findings_well_designed_basis_check
        CHECK (well_designed_basis IN ('published', 'derived', 'not_applicable')),
    ADD CONSTRAINT irm_findings_starred_basis_check
        CHECK (starred_basis IN ('published', 'derived', 'not_applicable'));

-- Existing rows, before the new constraints: withdrawn leaves the completion scale; every
-- assessment gets its verdicts by the era rules (published values stay published).
UPDATE irm_findings SET completion = NULL WHERE completion = 'withdrawn';
ALTER TABLE irm_findings ADD CONSTRAINT irm_findings_completion_check
    CHECK (completion IN ('no_evidence', 'not_started', 'limited', 'substantial', 'complete'));

WITH derived AS (
    SELECT f.id,
           ogp_report_year(f.report, f.published_on, p.start_year, p.end_year) AS year,
           f.well_designed_basis = 'published' AS wd_published,
           f.starred_basis = 'published' AS star_published
      FROM irm_findings f JOIN action_plans p ON p.id = f.action_plan_id
     WHERE f.kind = 'assessment'
), verdicts AS (
    SELECT f.id,
           CASE WHEN d.wd_published THEN f.well_designed
                WHEN ogp_well_designed_applies(f.report, d.year)
                THEN ogp_derive_well_designed(f.specificity, f.relevance, f.potential_impact) END AS wd,
           CASE WHEN d.wd_published THEN 'published'
                WHEN NOT ogp_well_designed_applies(f.report, d.year) THEN 'not_applicable'
                WHEN ogp_derive_well_designed(f.specificity, f.relevance, f.potential_impact) IS NOT NULL
                THEN 'derived' END AS wd_basis,
           CASE WHEN d.star_published THEN f.starred
                WHEN ogp_starred_applies(f.report, d.year)
                THEN ogp_derive_starred(f.specificity, f.relevance, f.potential_impact, f.completion, d.year) END AS star,
           CASE WHEN d.star_published THEN 'published'
                WHEN NOT ogp_starred_applies(f.report, d.year) THEN 'not_applicable'
                WHEN ogp_derive_starred(f.specificity, f.relevance, f.potential_impact, f.completion, d.year) IS NOT NULL
                THEN 'derived' END AS star_basis
      FROM irm_findings f JOIN derived d ON d.id = f.id
)
UPDATE irm_findings f
   SET well_designed = v.wd, well_designed_basis = v.wd_basis,
       starred = v.star, starred_basis = v.star_basis
  FROM verdicts v
 WHERE f.id = v.id
   AND (f.well_designed, f.well_designed_basis, f.starred, f.starred_basis)
       IS DISTINCT FROM (v.wd, v.wd_basis, v.star, v.star_basis);

-- The process verdict by its era's rule. A process finding of a later report that holds the
-- 2014–2017 criteria (the only ones the old model had) keeps its verdict, recorded as
-- `published`: its era's rule cannot be applied to criteria of another era.
UPDATE irm_findings
   SET acted_contrary_to_process_basis = CASE
           WHEN acted_contrary_to_process IS NOT DISTINCT FROM ogp_derive_contrary(report,
                no_public_engagement, irm_not_engaged, late_action_plan, iap2_minimum_not_met,
                no_online_repository, co_creation_minimum_not_met, no_progress_on_any_commitment)
           THEN 'derived' ELSE 'published' END
 WHERE kind = 'process' AND acted_contrary_to_process IS NOT NULL;

ALTER TABLE irm_findings
    -- Ratings, verdicts and criteria: each on the kind of finding that carries it.
    ADD CONSTRAINT irm_findings_ratings_check CHECK (kind = 'assessment' OR (
        specificity IS NULL AND relevance IS NULL AND potential_impact IS NULL
        AND potential_for_results IS NULL AND completion IS NULL AND did_it_open_government IS NULL
        AND verifiable IS NULL AND open_government_lens IS NULL AND early_results IS NULL
        AND well_designed IS NULL AND well_designed_basis IS NULL
        AND starred IS NULL AND starred_basis IS NULL)),
    ADD CONSTRAINT irm_findings_criteria_check CHECK (kind = 'process' OR (
        no_public_engagement IS NULL AND irm_not_engaged IS NULL AND late_action_plan IS NULL
        AND iap2_minimum_not_met IS NULL AND no_online_repository IS NULL
        AND co_creation_minimum_not_met IS NULL AND no_progress_on_any_commitment IS NULL
        AND acted_contrary_to_process IS NULL AND acted_contrary_to_process_basis IS NULL)),
    -- A verdict and its basis agree: a value needs `published` or `derived`; `not_applicable`
    -- and unknown carry none. Derived values are exactly the rule's result.
    ADD CONSTRAINT irm_findings_well_designed_check CHECK (
        (well_designed IS NULL) = (well_designed_basis IS NULL OR well_designed_basis = 'not_applicable')
        AND CASE well_designed_basis
            WHEN 'derived' THEN coalesce(well_designed
                                         = ogp_derive_well_designed(specificity, relevance, potential_impact), false)
            WHEN 'published' THEN ogp_derive_well_designed(specificity, relevance, potential_impact) IS NULL
                                  OR well_designed = ogp_derive_well_designed(specificity, relevance, potential_impact)
            WHEN 'not_applicable' THEN true
            ELSE kind <> 'assessment'
                 OR ogp_derive_well_designed(specificity, relevance, potential_impact) IS NULL
        END) NOT VALID,
    ADD CONSTRAINT irm_findings_starred_check CHECK (
        (starred IS NULL) = (starred_basis IS NULL OR starred_basis = 'not_applicable')) NOT VALID,
    -- Verdicts the IRM never gave on a report type are `not_applicable` there.
    ADD CONSTRAINT irm_findings_verdict_era_check CHECK (kind <> 'assessment' OR (
        (report IN ('progress_report', 'mid_term_report', 'end_of_term_report')
            OR well_designed_basis = 'not_applicable')
        AND (report IN ('progress_report', 'mid_term_report', 'end_of_term_report',
                        'implementation_report', 'transitional_results_report')
            OR starred_basis = 'not_applicable'))) NOT VALID,
    -- Each indicator on the report types whose era rated it.
    ADD CONSTRAINT irm_findings_indicator_era_check CHECK (
        (specificity IS NULL OR report IN ('progress_report', 'mid_term_report', 'end_of_term_report',
                                           'implementation_report', 'transitional_results_report'))
        AND ((relevance IS NULL AND potential_impact IS NULL)
             OR report IN ('progress_report', 'mid_term_report', 'end_of_term_report', 'design_report',
                           'implementation_report', 'transitional_results_report'))
        AND (did_it_open_government IS NULL
             OR report IN ('end_of_term_report', 'implementation_report',
                           'transitional_results_report', 'results_report'))
        AND (verifiable IS NULL OR report IN ('design_report', 'action_plan_review', 'results_report'))
        AND ((open_government_lens IS NULL AND potential_for_results IS NULL)
             OR report IN ('action_plan_review', 'results_report'))
        AND (early_results IS NULL OR report = 'results_report')
        AND (kind <> 'assessment' OR report <> 'co_creation_brief')) NOT VALID,
    -- A commitment the IRM found not verifiable is not assessed further.
    ADD CONSTRAINT irm_findings_verifiable_check CHECK (verifiable IS DISTINCT FROM false OR (
        specificity IS NULL AND relevance IS NULL AND potential_impact IS NULL
        AND open_government_lens IS NULL AND potential_for_results IS NULL
        AND completion IS NULL AND did_it_open_government IS NULL AND early_results IS NULL)),
    -- Each era's criteria only; the verdict as published (never contradicting the criteria
    -- present) or exactly the era's rule.
    ADD CONSTRAINT irm_findings_criteria_era_check CHECK (kind <> 'process' OR CASE
        WHEN report IN ('progress_report', 'mid_term_report', 'end_of_term_report')
            THEN late_action_plan IS NULL AND iap2_minimum_not_met IS NULL
                 AND no_online_repository IS NULL AND co_creation_minimum_not_met IS NULL
        WHEN report IN ('design_report', 'implementation_report', 'transitional_results_report')
            THEN no_public_engagement IS NULL AND irm_not_engaged IS NULL
                 AND co_creation_minimum_not_met IS NULL
        ELSE no_public_engagement IS NULL AND irm_not_engaged IS NULL
             AND iap2_minimum_not_met IS NULL AND no_online_repository IS NULL
    END) NOT VALID,
    ADD CONSTRAINT irm_findings_acted_contrary_check CHECK (
        (acted_contrary_to_process IS NULL) = (acted_contrary_to_process_basis IS NULL)
        AND CASE acted_contrary_to_process_basis
            WHEN 'derived' THEN coalesce(acted_contrary_to_process = ogp_derive_contrary(report,
                no_public_engagement, irm_not_engaged, late_action_plan, iap2_minimum_not_met,
                no_online_repository, co_creation_minimum_not_met, no_progress_on_any_commitment), false)
            WHEN 'published' THEN coalesce(acted_contrary_to_process = ogp_derive_contrary(report,
                no_public_engagement, irm_not_engaged, late_action_plan, iap2_minimum_not_met,
                no_online_repository, co_creation_minimum_not_met, no_progress_on_any_commitment), true)
            ELSE kind <> 'process' OR ogp_derive_contrary(report,
                no_public_engagement, irm_not_engaged, late_action_plan, iap2_minimum_not_met,
                no_online_repository, co_creation_minimum_not_met, no_progress_on_any_commitment) IS NULL
        END) NOT VALID;

-- Validate what existing rows meet (all of them, unless old rows break an era rule: then the
-- constraint still holds for every new write, and the notice says which).
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['irm_findings_well_designed_check', 'irm_findings_starred_check',
        'irm_findings_verdict_era_check', 'irm_findings_indicator_era_check',
        'irm_findings_criteria_era_check', 'irm_findings_acted_contrary_check']
    LOOP
        BEGIN
            EXECUTE format('ALTER TABLE irm_findings VALIDATE CONSTRAINT %I', name);
        EXCEPTION WHEN check_violation THEN
            RAISE NOTICE 'existing IRM findings break %; it applies to new writes only', name;
        END;
    END LOOP;
END
$$;

CREATE INDEX irm_findings_verifiable_idx ON irm_findings (verifiable, id);
CREATE INDEX irm_findings_open_government_lens_idx ON irm_findings (open_government_lens, id);
CREATE INDEX irm_findings_early_results_idx ON irm_findings (early_results, id);
CREATE INDEX irm_findings_potentially_starred_idx ON irm_findings (potentially_starred, id);
CREATE INDEX irm_findings_promising_idx ON irm_findings (promising, id);
CREATE INDEX irm_findings_late_action_plan_idx ON irm_findings (late_action_plan, id);
CREATE INDEX irm_findings_iap2_minimum_not_met_idx ON irm_findings (iap2_minimum_not_met, id);
CREATE INDEX irm_findings_no_online_repository_idx ON irm_findings (no_online_repository, id);
CREATE INDEX irm_findings_co_creation_minimum_not_met_idx ON irm_findings (co_creation_minimum_not_met, id);

-- The facts behind the statistics follow the re-derived verdicts and the new report order.
SELECT ogp_rebuild_commitment_facts();

-- Back to the single-era model. Fails (and changes nothing) while findings use what only the
-- era model can hold: report types or criteria the old model lacks, or verdicts without criteria.

DROP INDEX irm_findings_verifiable_idx, irm_findings_open_government_lens_idx,
    irm_findings_early_results_idx, irm_findings_potentially_starred_idx, irm_findings_promising_idx,
    irm_findings_late_action_plan_idx, irm_findings_iap2_minimum_not_met_idx,
    irm_findings_no_online_repository_idx, irm_findings_co_creation_minimum_not_met_idx,
    commitments_withdrawn_idx;

ALTER TABLE irm_findings DROP CONSTRAINT irm_findings_ratings_check,
    DROP CONSTRAINT irm_findings_criteria_check,
    DROP CONSTRAINT irm_findings_well_designed_check,
    DROP CONSTRAINT irm_findings_starred_check,
    DROP CONSTRAINT irm_findings_verdict_era_check,
    DROP CONSTRAINT irm_findings_indicator_era_check,
    DROP CONSTRAINT irm_findings_verifiable_check,
    DROP CONSTRAINT irm_findings_criteria_era_check,
    DROP CONSTRAINT irm_findings_acted_contrary_check,
    DROP CONSTRAINT irm_findings_completion_check,
    DROP CONSTRAINT irm_findings_well_designed_basis_check,
    DROP CONSTRAINT irm_findings_starred_basis_check,
    DROP CONSTRAINT irm_findings_report_check;

-- Withdrawal goes back onto the completion scale of the commitment's assessments.
UPDATE irm_findings f SET completion = 'withdrawn'
  FROM commitments c
 WHERE c.id = f.commitment_id AND c.withdrawn AND f.kind = 'assessment' AND f.completion IS NULL;
ALTER TABLE commitments DROP COLUMN withdrawn;

-- Verdicts: "not applicable" and the era rules go; derived values follow the old rules.
CREATE OR REPLACE FUNCTION ogp_derive_well_designed(specificity text, relevance text[], potential_impact text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN specificity IN ('none', 'low') THEN false
        WHEN relevance IS NOT NULL AND cardinality(relevance) = 0 THEN false
        WHEN potential_impact IS NOT NULL AND potential_impact <> 'transformative' THEN false
        WHEN specificity IS NULL OR relevance IS NULL OR potential_impact IS NULL THEN NULL
        ELSE true
    END
$$;
UPDATE irm_findings
   SET well_designed = ogp_derive_well_designed(specificity, relevance, potential_impact),
       well_designed_basis = CASE WHEN ogp_derive_well_designed(specificity, relevance, potential_impact)
                                       IS NOT NULL THEN 'derived' END
 WHERE kind = 'assessment' AND well_designed_basis IS DISTINCT FROM 'published';
UPDATE irm_findings SET starred = NULL, starred_basis = NULL WHERE starred_basis = 'not_applicable';

ALTER TABLE irm_findings DROP COLUMN acted_contrary_to_process;
ALTER TABLE irm_findings
    DROP COLUMN verifiable, DROP COLUMN open_government_lens, DROP COLUMN early_results,
    DROP COLUMN potentially_starred_basis, DROP COLUMN potentially_starred,
    DROP COLUMN promising_basis, DROP COLUMN promising,
    DROP COLUMN late_action_plan, DROP COLUMN iap2_minimum_not_met, DROP COLUMN no_online_repository,
    DROP COLUMN co_creation_minimum_not_met, DROP COLUMN acted_contrary_to_process_basis,
    ADD COLUMN acted_contrary_to_process boolean GENERATED ALWAYS AS
        (no_public_engagement OR irm_not_engaged OR no_progress_on_any_commitment) STORED;
CREATE INDEX irm_findings_acted_contrary_idx ON irm_findings (acted_contrary_to_process, id);

ALTER TABLE irm_findings
    ADD CONSTRAINT irm_findings_report_check
        CHECK (report IN ('design_report', 'mid_term_report', 'end_of_term_report',
                          'action_plan_review', 'results_report')),
    ADD CONSTRAINT irm_findings_completion_check
        CHECK (completion IN ('no_evidence', 'not_started', 'limited', 'substantial', 'complete',
                              'withdrawn')),
    ADD CONSTRAINT irm_findings_well_designed_basis_check
        CHECK (well_designed_basis IN ('published', 'derived')),
    ADD CONSTRAINT irm_findings_starred_basis_check CHECK (starred_basis IN ('published', 'derived')),
    ADD CONSTRAINT irm_findings_ratings_check CHECK (kind = 'assessment' OR (
        specificity IS NULL AND relevance IS NULL AND potential_impact IS NULL
        AND potential_for_results IS NULL AND completion IS NULL AND did_it_open_government IS NULL
        AND well_designed IS NULL AND well_designed_basis IS NULL
        AND starred IS NULL AND starred_basis IS NULL)),
    ADD CONSTRAINT irm_findings_criteria_check CHECK (
        CASE WHEN kind = 'process'
            THEN no_public_engagement IS NOT NULL AND irm_not_engaged IS NOT NULL
                 AND no_progress_on_any_commitment IS NOT NULL
            ELSE no_public_engagement IS NULL AND irm_not_engaged IS NULL
                 AND no_progress_on_any_commitment IS NULL
        END),
    ADD CONSTRAINT irm_findings_well_designed_check CHECK (
        (well_designed IS NULL) = (well_designed_basis IS NULL)
        AND CASE well_designed_basis
            WHEN 'derived' THEN well_designed = ogp_derive_well_designed(specificity, relevance, potential_impact)
            WHEN 'published' THEN ogp_derive_well_designed(specificity, relevance, potential_impact) IS NULL
                                  OR well_designed = ogp_derive_well_designed(specificity, relevance, potential_impact)
            ELSE kind <> 'assessment'
                 OR ogp_derive_well_designed(specificity, relevance, potential_impact) IS NULL
        END),
    ADD CONSTRAINT irm_findings_starred_check CHECK ((starred IS NULL) = (starred_basis IS NULL));

DROP FUNCTION ogp_derive_contrary(text, boolean, boolean, boolean, boolean, boolean, boolean, boolean);
DROP FUNCTION ogp_well_designed_applies(text, integer);
DROP FUNCTION ogp_starred_applies(text, integer);
DROP FUNCTION ogp_derive_starred(text, text[], text, text, integer);
DROP FUNCTION ogp_report_year(text, date, integer, integer);
CREATE OR REPLACE FUNCTION ogp_report_rank(report text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_position(ARRAY['design_report', 'mid_term_report', 'end_of_term_report',
        'action_plan_review', 'results_report']::text[], report);
SELECT ogp_rebuild_commitment_facts();

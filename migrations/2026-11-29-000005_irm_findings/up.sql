-- The IRM's "well-designed" rule (API.md), in SQL so the database can refuse a stored verdict
-- that contradicts the ratings beside it. NULL means "the inputs present do not decide it".
CREATE FUNCTION ogp_derive_well_designed(specificity text, relevance text[], potential_impact text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN specificity IN ('none', 'low') THEN false
        WHEN relevance IS NOT NULL AND cardinality(relevance) = 0 THEN false
        WHEN potential_impact IS NOT NULL AND potential_impact <> 'transformative' THEN false
        WHEN specificity IS NULL OR relevance IS NULL OR potential_impact IS NULL THEN NULL
        ELSE true
    END
$$;

CREATE TABLE irm_findings (
    id                            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_plan_id                bigint NOT NULL
                                  CONSTRAINT irm_findings_action_plan_id_fkey REFERENCES action_plans (id),
    commitment_id                 bigint,
    report                        text NOT NULL
                                  CONSTRAINT irm_findings_report_check
                                  CHECK (report IN ('design_report', 'mid_term_report', 'end_of_term_report',
                                                    'action_plan_review', 'results_report')),
    kind                          text NOT NULL
                                  CONSTRAINT irm_findings_kind_check
                                  CHECK (kind IN ('assessment', 'process', 'performance', 'recommendation',
                                                  'summary')),
    title                         text
                                  CONSTRAINT irm_findings_title_check CHECK (char_length(title) BETWEEN 1 AND 1000),
    body                          text
                                  CONSTRAINT irm_findings_body_check CHECK (char_length(body) BETWEEN 1 AND 100000),
    position                      integer
                                  CONSTRAINT irm_findings_position_check CHECK (position >= 1),
    published_on                  date,
    source_url                    text
                                  CONSTRAINT irm_findings_source_url_check CHECK (source_url ~ '^https?://'),
    -- assessment ratings
    specificity                   text
                                  CONSTRAINT irm_findings_specificity_check
                                  CHECK (specificity IN ('none', 'low', 'medium', 'high')),
    relevance                     text[]
                                  CONSTRAINT irm_findings_relevance_check
                                  CHECK (relevance <@ ARRAY['access_to_information', 'civic_participation',
                                                            'public_accountability', 'technology_and_innovation']
                                         AND array_position(relevance, NULL) IS NULL),
    potential_impact              text
                                  CONSTRAINT irm_findings_potential_impact_check
                                  CHECK (potential_impact IN ('none', 'minor', 'moderate', 'transformative')),
    potential_for_results         text
                                  CONSTRAINT irm_findings_potential_for_results_check
                                  CHECK (potential_for_results IN ('unclear', 'modest', 'substantial')),
    completion                    text
                                  CONSTRAINT irm_findings_completion_check
                                  CHECK (completion IN ('no_evidence', 'not_started', 'limited', 'substantial',
                                                        'complete', 'withdrawn')),
    did_it_open_government        text
                                  CONSTRAINT irm_findings_did_it_open_government_check
                                  CHECK (did_it_open_government IN ('worsened', 'did_not_change', 'marginal',
                                                                    'major', 'outstanding')),
    -- assessment verdicts: as published, or derived by the server from the ratings
    well_designed                 boolean,
    well_designed_basis           text
                                  CONSTRAINT irm_findings_well_designed_basis_check
                                  CHECK (well_designed_basis IN ('published', 'derived')),
    starred                       boolean,
    starred_basis                 text
                                  CONSTRAINT irm_findings_starred_basis_check
                                  CHECK (starred_basis IN ('published', 'derived')),
    -- process criteria
    no_public_engagement          boolean,
    irm_not_engaged               boolean,
    no_progress_on_any_commitment boolean,
    acted_contrary_to_process     boolean GENERATED ALWAYS AS
                                  (no_public_engagement OR irm_not_engaged OR no_progress_on_any_commitment) STORED,
    created_at                    timestamptz NOT NULL DEFAULT now(),
    updated_at                    timestamptz NOT NULL DEFAULT now(),
    version                       integer NOT NULL DEFAULT 1,

    -- A finding's commitment must belong to the finding's plan.
    CONSTRAINT irm_findings_commitment_id_fkey FOREIGN KEY (commitment_id, action_plan_id)
        REFERENCES commitments (id, action_plan_id),
    CONSTRAINT irm_findings_commitment_id_check CHECK (kind <> 'assessment' OR commitment_id IS NOT NULL),
    -- Ratings and verdicts belong to assessments only.
    CONSTRAINT irm_findings_ratings_check CHECK (kind = 'assessment' OR (
        specificity IS NULL AND relevance IS NULL AND potential_impact IS NULL
        AND potential_for_results IS NULL AND completion IS NULL AND did_it_open_government IS NULL
        AND well_designed IS NULL AND well_designed_basis IS NULL
        AND starred IS NULL AND starred_basis IS NULL)),
    -- The three "contrary to process" criteria: required on process findings, absent elsewhere.
    CONSTRAINT irm_findings_criteria_check CHECK (
        CASE WHEN kind = 'process'
            THEN no_public_engagement IS NOT NULL AND irm_not_engaged IS NOT NULL
                 AND no_progress_on_any_commitment IS NOT NULL
            ELSE no_public_engagement IS NULL AND irm_not_engaged IS NULL
                 AND no_progress_on_any_commitment IS NULL
        END),
    CONSTRAINT irm_findings_body_required_check
        CHECK (kind NOT IN ('performance', 'recommendation', 'summary') OR body IS NOT NULL),
    CONSTRAINT irm_findings_position_required_check CHECK (kind <> 'recommendation' OR position IS NOT NULL),
    -- A verdict and its basis come together; a derived verdict is exactly the rule's result,
    -- a published one never contradicts ratings that decide the rule.
    CONSTRAINT irm_findings_well_designed_check CHECK (
        (well_designed IS NULL) = (well_designed_basis IS NULL)
        AND CASE well_designed_basis
            WHEN 'derived' THEN well_designed = ogp_derive_well_designed(specificity, relevance, potential_impact)
            WHEN 'published' THEN ogp_derive_well_designed(specificity, relevance, potential_impact) IS NULL
                                  OR well_designed = ogp_derive_well_designed(specificity, relevance, potential_impact)
            ELSE kind <> 'assessment'
                 OR ogp_derive_well_designed(specificity, relevance, potential_impact) IS NULL
        END),
    CONSTRAINT irm_findings_starred_check CHECK ((starred IS NULL) = (starred_basis IS NULL))
);

CREATE INDEX irm_findings_action_plan_id_idx ON irm_findings (action_plan_id, id);
CREATE INDEX irm_findings_commitment_id_idx ON irm_findings (commitment_id, id) WHERE commitment_id IS NOT NULL;
-- One assessment per commitment and report; one process verdict and one summary per plan and
-- report; recommendation numbers unique within a report.
CREATE UNIQUE INDEX irm_findings_assessment_key ON irm_findings (commitment_id, report)
    WHERE kind = 'assessment';
CREATE UNIQUE INDEX irm_findings_process_key ON irm_findings (action_plan_id, report)
    WHERE kind = 'process';
CREATE UNIQUE INDEX irm_findings_summary_key ON irm_findings (action_plan_id, report)
    WHERE kind = 'summary';
CREATE UNIQUE INDEX irm_findings_recommendation_key ON irm_findings (action_plan_id, report, position)
    WHERE kind = 'recommendation';

CREATE TRIGGER irm_findings_touch BEFORE UPDATE ON irm_findings
    FOR EACH ROW EXECUTE FUNCTION ogp_touch_row();

-- A bundle (src/bundle/) names an IRM finding by its natural key: its plan, report and kind, and
-- its commitment (an assessment: unique by irm_findings_assessment_key) or its position (every
-- other kind). The earlier indexes make process findings and summaries unique per plan and report
-- and recommendations per position, but not performance findings; this index makes the natural
-- key of every kind but assessments unique (a null position counts once). The demo data and
-- bench/generate.py hold at most one performance finding per plan and report, without a position.
CREATE UNIQUE INDEX irm_findings_natural_key
    ON irm_findings (action_plan_id, report, kind, position) NULLS NOT DISTINCT
    WHERE kind <> 'assessment';

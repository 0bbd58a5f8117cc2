-- Back to the facts of migration `…_commitment_facts`.
ALTER TABLE commitment_rollup DROP CONSTRAINT commitment_rollup_key,
    DROP COLUMN well_designed_basis, DROP COLUMN starred_basis, DROP COLUMN promising,
    DROP COLUMN promising_basis, DROP COLUMN potential_for_results,
    DROP COLUMN did_it_open_government, DROP COLUMN early_results;
ALTER TABLE commitment_rollup ADD CONSTRAINT commitment_rollup_country_code_theme_assessed_completion_po_key
    UNIQUE NULLS NOT DISTINCT (country_code, theme, assessed, completion, potential_impact,
                               well_designed, starred);
ALTER TABLE commitment_facts
    DROP COLUMN well_designed_basis, DROP COLUMN starred_basis, DROP COLUMN promising,
    DROP COLUMN promising_basis, DROP COLUMN potential_for_results,
    DROP COLUMN did_it_open_government, DROP COLUMN early_results;

CREATE OR REPLACE FUNCTION ogp_refresh_commitment_facts(ids bigint[]) RETURNS void LANGUAGE plpgsql
    SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    -- Lock the rows first (in key order: no deadlock between two writers), then read the
    -- assessments in a new statement (a new snapshot under READ COMMITTED): a concurrent
    -- writer's assessment is then seen once it has committed.
    PERFORM 1 FROM commitment_facts WHERE commitment_id = ANY (ids)
     ORDER BY commitment_id FOR UPDATE;
    UPDATE commitment_facts x
       SET (report, completion, potential_impact, well_designed, starred) = (
           SELECT f.report, f.completion, f.potential_impact, f.well_designed, f.starred
             FROM irm_findings f
            WHERE f.commitment_id = x.commitment_id AND f.kind = 'assessment'
            ORDER BY ogp_report_rank(f.report) DESC
            LIMIT 1)
     WHERE x.commitment_id = ANY (ids);
END $$;

CREATE OR REPLACE FUNCTION ogp_commitment_rollup_apply() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO commitment_rollup AS r
        SELECT country_code, theme, report IS NOT NULL, completion, potential_impact,
               well_designed, starred, -count(*)
          FROM old_facts GROUP BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (country_code, theme, assessed, completion, potential_impact, well_designed,
                     starred)
        DO UPDATE SET commitments = r.commitments + EXCLUDED.commitments;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO commitment_rollup AS r
        SELECT country_code, theme, report IS NOT NULL, completion, potential_impact,
               well_designed, starred, count(*)
          FROM new_facts GROUP BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (country_code, theme, assessed, completion, potential_impact, well_designed,
                     starred)
        DO UPDATE SET commitments = r.commitments + EXCLUDED.commitments;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ogp_rebuild_commitment_facts() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    rows bigint;
BEGIN
    TRUNCATE commitment_facts, commitment_rollup;
    INSERT INTO commitment_facts
    SELECT c.id, c.action_plan_id, p.country_code, c.theme,
           l.report, l.completion, l.potential_impact, l.well_designed, l.starred
      FROM commitments c
      JOIN action_plans p ON p.id = c.action_plan_id
      LEFT JOIN (SELECT DISTINCT ON (f.commitment_id) f.commitment_id, f.report,
                        f.completion, f.potential_impact, f.well_designed, f.starred
                   FROM irm_findings f
                  WHERE f.kind = 'assessment'
                  ORDER BY f.commitment_id, ogp_report_rank(f.report) DESC) l
        ON l.commitment_id = c.id;
    GET DIAGNOSTICS rows = ROW_COUNT;
    RETURN rows;
END $$;

SELECT ogp_rebuild_commitment_facts();

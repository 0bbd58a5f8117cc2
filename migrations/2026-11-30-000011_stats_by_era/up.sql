-- Statistics era by era (docs/irm-method.md): the facts of each commitment's latest assessment
-- and their rollup also keep the verdict bases (to count `unknown` and `not_applicable` apart),
-- `promising`, and the 2021+ indicators, so that `/stats/commitments` reads them as it reads the
-- others. The functions of migration `…_commitment_facts` are replaced by the same ones over the
-- longer column list.

ALTER TABLE commitment_facts
    ADD COLUMN well_designed_basis text,
    ADD COLUMN starred_basis text,
    ADD COLUMN promising boolean,
    ADD COLUMN promising_basis text,
    ADD COLUMN potential_for_results text,
    ADD COLUMN did_it_open_government text,
    ADD COLUMN early_results text;

ALTER TABLE commitment_rollup
    DROP CONSTRAINT commitment_rollup_country_code_theme_assessed_completion_po_key,
    ADD COLUMN well_designed_basis text,
    ADD COLUMN starred_basis text,
    ADD COLUMN promising boolean,
    ADD COLUMN promising_basis text,
    ADD COLUMN potential_for_results text,
    ADD COLUMN did_it_open_government text,
    ADD COLUMN early_results text;
-- (The new columns come after `commitments`; every query names its columns.)
ALTER TABLE commitment_rollup ADD CONSTRAINT commitment_rollup_key UNIQUE NULLS NOT DISTINCT
    (country_code, theme, assessed, completion, potential_impact, well_designed, starred,
     well_designed_basis, starred_basis, promising, promising_basis, potential_for_results,
     did_it_open_government, early_results);

CREATE OR REPLACE FUNCTION ogp_refresh_commitment_facts(ids bigint[]) RETURNS void LANGUAGE plpgsql
    SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    -- Lock the rows first (in key order: no deadlock between two writers), then read the
    -- assessments in a new statement (a new snapshot under READ COMMITTED): a concurrent
    -- writer's assessment is then seen once it has committed.
    PERFORM 1 FROM commitment_facts WHERE commitment_id = ANY (ids)
     ORDER BY commitment_id FOR UPDATE;
    UPDATE commitment_facts x
       SET (report, completion, potential_impact, well_designed, starred, well_designed_basis,
            starred_basis, promising, promising_basis, potential_for_results,
            did_it_open_government, early_results) = (
           SELECT f.report, f.completion, f.potential_impact, f.well_designed, f.starred,
                  f.well_designed_basis, f.starred_basis, f.promising, f.promising_basis,
                  f.potential_for_results, f.did_it_open_government, f.early_results
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
        INSERT INTO commitment_rollup AS r (country_code, theme, assessed, completion,
               potential_impact, well_designed, starred, well_designed_basis, starred_basis,
               promising, promising_basis, potential_for_results, did_it_open_government,
               early_results, commitments)
        SELECT country_code, theme, report IS NOT NULL, completion, potential_impact,
               well_designed, starred, well_designed_basis, starred_basis, promising,
               promising_basis, potential_for_results, did_it_open_government,
               early_results, -count(*)
          FROM old_facts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
        ON CONFLICT (country_code, theme, assessed, completion, potential_impact, well_designed,
                     starred, well_designed_basis, starred_basis, promising, promising_basis,
                     potential_for_results, did_it_open_government, early_results)
        DO UPDATE SET commitments = r.commitments + EXCLUDED.commitments;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO commitment_rollup AS r (country_code, theme, assessed, completion,
               potential_impact, well_designed, starred, well_designed_basis, starred_basis,
               promising, promising_basis, potential_for_results, did_it_open_government,
               early_results, commitments)
        SELECT country_code, theme, report IS NOT NULL, completion, potential_impact,
               well_designed, starred, well_designed_basis, starred_basis, promising,
               promising_basis, potential_for_results, did_it_open_government,
               early_results, count(*)
          FROM new_facts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
        ON CONFLICT (country_code, theme, assessed, completion, potential_impact, well_designed,
                     starred, well_designed_basis, starred_basis, promising, promising_basis,
                     potential_for_results, did_it_open_government, early_results)
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
           l.report, l.completion, l.potential_impact, l.well_designed, l.starred,
           l.well_designed_basis, l.starred_basis, l.promising, l.promising_basis,
           l.potential_for_results, l.did_it_open_government, l.early_results
      FROM commitments c
      JOIN action_plans p ON p.id = c.action_plan_id
      LEFT JOIN (SELECT DISTINCT ON (f.commitment_id) f.commitment_id, f.report,
                        f.completion, f.potential_impact, f.well_designed, f.starred,
                        f.well_designed_basis, f.starred_basis, f.promising, f.promising_basis,
                        f.potential_for_results, f.did_it_open_government, f.early_results
                   FROM irm_findings f
                  WHERE f.kind = 'assessment'
                  ORDER BY f.commitment_id, ogp_report_rank(f.report) DESC) l
        ON l.commitment_id = c.id;
    GET DIAGNOSTICS rows = ROW_COUNT;
    RETURN rows;
END $$;

SELECT ogp_rebuild_commitment_facts();
ANALYZE commitment_facts, commitment_rollup;

CREATE OR REPLACE FUNCTION ogp_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_data jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock(7081);
    IF TG_OP = 'DELETE' THEN
        row_data := to_jsonb(OLD);
    ELSE
        row_data := to_jsonb(NEW);
    END IF;
    INSERT INTO changes (resource, key, action, actor, data)
    VALUES (
        TG_ARGV[0],
        row_data ->> TG_ARGV[1],
        CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
        nullif(current_setting('ogp.actor', true), ''),
        CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE row_data END
    );
    RETURN NULL;
END;
$$;
DROP INDEX countries_search_idx, action_plans_search_idx, commitments_search_idx,
    milestones_search_idx, irm_findings_search_idx;
ALTER TABLE countries DROP COLUMN search;
ALTER TABLE action_plans DROP COLUMN search;
ALTER TABLE commitments DROP COLUMN search;
ALTER TABLE milestones DROP COLUMN search;
ALTER TABLE irm_findings DROP COLUMN search;
CREATE INDEX countries_search_idx ON countries USING gin (ogp_document(name));
CREATE INDEX action_plans_search_idx ON action_plans USING gin (ogp_document(title));
CREATE INDEX commitments_search_idx ON commitments
    USING gin (ogp_document(title, description, theme, lead_institution));
CREATE INDEX milestones_search_idx ON milestones USING gin (ogp_document(title, description));
CREATE INDEX irm_findings_search_idx ON irm_findings USING gin (ogp_document(title, body));

-- Back to the row-level change-log triggers of migrations …000007 and …000008.
DROP TRIGGER countries_log_insert ON countries;
DROP TRIGGER countries_log_update ON countries;
DROP TRIGGER countries_log_delete ON countries;
DROP TRIGGER action_plans_log_insert ON action_plans;
DROP TRIGGER action_plans_log_update ON action_plans;
DROP TRIGGER action_plans_log_delete ON action_plans;
DROP TRIGGER commitments_log_insert ON commitments;
DROP TRIGGER commitments_log_update ON commitments;
DROP TRIGGER commitments_log_delete ON commitments;
DROP TRIGGER milestones_log_insert ON milestones;
DROP TRIGGER milestones_log_update ON milestones;
DROP TRIGGER milestones_log_delete ON milestones;
DROP TRIGGER irm_findings_log_insert ON irm_findings;
DROP TRIGGER irm_findings_log_update ON irm_findings;
DROP TRIGGER irm_findings_log_delete ON irm_findings;
DROP FUNCTION ogp_log_changes();

CREATE FUNCTION ogp_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_data jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock(7081);
    IF TG_OP = 'DELETE' THEN
        row_data := to_jsonb(OLD) - 'search';
    ELSE
        row_data := to_jsonb(NEW) - 'search';
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

CREATE TRIGGER countries_log AFTER INSERT OR UPDATE OR DELETE ON countries
    FOR EACH ROW EXECUTE FUNCTION ogp_log_change('countries', 'code');
CREATE TRIGGER action_plans_log AFTER INSERT OR UPDATE OR DELETE ON action_plans
    FOR EACH ROW EXECUTE FUNCTION ogp_log_change('action-plans', 'id');
CREATE TRIGGER commitments_log AFTER INSERT OR UPDATE OR DELETE ON commitments
    FOR EACH ROW EXECUTE FUNCTION ogp_log_change('commitments', 'id');
CREATE TRIGGER milestones_log AFTER INSERT OR UPDATE OR DELETE ON milestones
    FOR EACH ROW EXECUTE FUNCTION ogp_log_change('milestones', 'id');
CREATE TRIGGER irm_findings_log AFTER INSERT OR UPDATE OR DELETE ON irm_findings
    FOR EACH ROW EXECUTE FUNCTION ogp_log_change('irm-findings', 'id');

-- The change feed, written per statement instead of per row (bench/README.md, "Where
-- PostgreSQL's time goes"): one PL/pgSQL call and one `INSERT … SELECT` over the statement's
-- transition table, instead of one PL/pgSQL call, one JSON conversion and one single-row INSERT
-- for every row. A bulk import's multi-row INSERT then logs its thousand rows in one statement.
--
-- The feed itself is unchanged: one entry per created, updated or deleted row; the row as JSON
-- without its search document; the actor of `ogp.actor`; entries of one statement in the order
-- its rows were written (the transition table's order, which is also the order the row triggers
-- fired in); the advisory lock 7081 taken before the first entry, so `seq` still follows commit
-- order. A statement that writes no row logs nothing and takes no lock, as before. Existing
-- entries stay as they are.
--
-- Transition tables allow one event per trigger, hence three triggers per table. AFTER statement
-- triggers fire in name order: `<table>_log_*` sorts before `<table>_refresh_facts*`, so a writer
-- still takes the change log's advisory lock before any facts row lock.

CREATE FUNCTION ogp_log_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT FROM old_rows) THEN
            RETURN NULL;
        END IF;
        PERFORM pg_advisory_xact_lock(7081);
        INSERT INTO changes (resource, key, action, actor, data)
        SELECT TG_ARGV[0], to_jsonb(o) ->> TG_ARGV[1], 'delete',
               nullif(current_setting('ogp.actor', true), ''), NULL
          FROM old_rows o;
    ELSE
        IF NOT EXISTS (SELECT FROM new_rows) THEN
            RETURN NULL;
        END IF;
        PERFORM pg_advisory_xact_lock(7081);
        INSERT INTO changes (resource, key, action, actor, data)
        SELECT TG_ARGV[0], r.data ->> TG_ARGV[1],
               CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'update' END,
               nullif(current_setting('ogp.actor', true), ''), r.data
          FROM (SELECT to_jsonb(n) - 'search' AS data FROM new_rows n) r;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER countries_log ON countries;
DROP TRIGGER action_plans_log ON action_plans;
DROP TRIGGER commitments_log ON commitments;
DROP TRIGGER milestones_log ON milestones;
DROP TRIGGER irm_findings_log ON irm_findings;
DROP FUNCTION ogp_log_change();

CREATE TRIGGER countries_log_insert AFTER INSERT ON countries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('countries', 'code');
CREATE TRIGGER countries_log_update AFTER UPDATE ON countries REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('countries', 'code');
CREATE TRIGGER countries_log_delete AFTER DELETE ON countries REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('countries', 'code');

CREATE TRIGGER action_plans_log_insert AFTER INSERT ON action_plans REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('action-plans', 'id');
CREATE TRIGGER action_plans_log_update AFTER UPDATE ON action_plans REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('action-plans', 'id');
CREATE TRIGGER action_plans_log_delete AFTER DELETE ON action_plans REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('action-plans', 'id');

CREATE TRIGGER commitments_log_insert AFTER INSERT ON commitments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('commitments', 'id');
CREATE TRIGGER commitments_log_update AFTER UPDATE ON commitments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('commitments', 'id');
CREATE TRIGGER commitments_log_delete AFTER DELETE ON commitments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('commitments', 'id');

CREATE TRIGGER milestones_log_insert AFTER INSERT ON milestones REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('milestones', 'id');
CREATE TRIGGER milestones_log_update AFTER UPDATE ON milestones REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('milestones', 'id');
CREATE TRIGGER milestones_log_delete AFTER DELETE ON milestones REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('milestones', 'id');

CREATE TRIGGER irm_findings_log_insert AFTER INSERT ON irm_findings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('irm-findings', 'id');
CREATE TRIGGER irm_findings_log_update AFTER UPDATE ON irm_findings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('irm-findings', 'id');
CREATE TRIGGER irm_findings_log_delete AFTER DELETE ON irm_findings REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('irm-findings', 'id');

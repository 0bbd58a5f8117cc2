-- The data version (issue 16, item 2): one counter that every committed change to data a GET
-- can show moves forward, so that the ETag of a list, a view or the change feed is derived from
-- it and an unchanged `If-None-Match` is answered 304 after one tiny query, without running the
-- list's query (src/data_version.rs, docs/design-notes.md "Data-version ETags").
--
-- One row, not a sequence and not max(changes.seq): sequence values are taken in one order and
-- committed in another, so a reader could see a newer number while an older writer's rows are
-- still invisible (a stale 304 once they commit). An UPDATE of this one row holds its row lock
-- until commit, so the committed versions are ordered: a snapshot that sees version v sees every
-- write numbered ≤ v. One row for all tables (not one per table), so that transactions writing
-- several tables in any order (bundle imports: parents first, pruning children first) cannot
-- deadlock on the counters. The cost: writers serialize on the row from their first changing
-- statement to commit (they already do on the change log's advisory lock 7081, which is taken
-- just before it).
--
-- `epoch` is random per database, so two databases (a restored copy, a new deployment) never
-- hand out the same ETags for different data.
CREATE TABLE data_version (
    only_row boolean PRIMARY KEY DEFAULT true CONSTRAINT data_version_only_row_check CHECK (only_row),
    version bigint NOT NULL DEFAULT 1,
    epoch uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO data_version DEFAULT VALUES;

-- Moves the version forward once per transaction: the first changing statement takes the row
-- lock and bumps; later statements of the same transaction find the transaction-local flag and
-- do nothing (the flag, like the UPDATE, is undone if a savepoint rolls back).
CREATE FUNCTION ogp_bump_data_version() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('ogp.data_version_bumped', true) IS DISTINCT FROM 'yes' THEN
        UPDATE data_version SET version = version + 1;
        PERFORM set_config('ogp.data_version_bumped', 'yes', true);
    END IF;
END $$;

-- The change log's statement trigger (migration …000013) bumps the version where it logs rows,
-- just after the advisory lock 7081: every writer takes the two in the same order. A statement
-- that changed no row (an unchanged re-import) still logs nothing and bumps nothing.
CREATE OR REPLACE FUNCTION ogp_log_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT FROM old_rows) THEN
            RETURN NULL;
        END IF;
        PERFORM pg_advisory_xact_lock(7081);
        PERFORM ogp_bump_data_version();
        INSERT INTO changes (resource, key, action, actor, data)
        SELECT TG_ARGV[0], to_jsonb(o) ->> TG_ARGV[1], 'delete',
               nullif(current_setting('ogp.actor', true), ''), NULL
          FROM old_rows o;
    ELSE
        IF NOT EXISTS (SELECT FROM new_rows) THEN
            RETURN NULL;
        END IF;
        PERFORM pg_advisory_xact_lock(7081);
        PERFORM ogp_bump_data_version();
        INSERT INTO changes (resource, key, action, actor, data)
        SELECT TG_ARGV[0], r.data ->> TG_ARGV[1],
               CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'update' END,
               nullif(current_setting('ogp.actor', true), ''), r.data
          FROM (SELECT to_jsonb(n) - 'search' AS data FROM new_rows n) r;
    END IF;
    RETURN NULL;
END;
$$;

-- For the tables the change log does not cover: the derived facts and rollup (written by the
-- data tables' triggers, which have bumped already, but also rebuilt by
-- `ogp_rebuild_commitment_facts()`), a TRUNCATE of any of them (no row events), and the change
-- feed's own rows when anything but the log trigger (which bumps first) changes them.
CREATE FUNCTION ogp_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM ogp_bump_data_version();
    ELSIF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT FROM old_rows) THEN
            PERFORM ogp_bump_data_version();
        END IF;
    ELSIF EXISTS (SELECT FROM new_rows) THEN
        PERFORM ogp_bump_data_version();
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER countries_data_version_truncate AFTER TRUNCATE ON countries
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER local_members_data_version_truncate AFTER TRUNCATE ON local_members
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER action_plans_data_version_truncate AFTER TRUNCATE ON action_plans
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER commitments_data_version_truncate AFTER TRUNCATE ON commitments
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER milestones_data_version_truncate AFTER TRUNCATE ON milestones
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER irm_findings_data_version_truncate AFTER TRUNCATE ON irm_findings
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();

-- Named `…_data_version_*`, they fire before `commitment_facts_rollup_*` (name order).
CREATE TRIGGER commitment_facts_data_version_insert AFTER INSERT ON commitment_facts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER commitment_facts_data_version_update AFTER UPDATE ON commitment_facts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER commitment_facts_data_version_delete AFTER DELETE ON commitment_facts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER commitment_facts_data_version_truncate AFTER TRUNCATE ON commitment_facts
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();

CREATE TRIGGER commitment_rollup_data_version_insert AFTER INSERT ON commitment_rollup
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER commitment_rollup_data_version_update AFTER UPDATE ON commitment_rollup
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER commitment_rollup_data_version_delete AFTER DELETE ON commitment_rollup
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER commitment_rollup_data_version_truncate AFTER TRUNCATE ON commitment_rollup
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();

-- The feed's INSERTs come only from `ogp_log_changes`, which has bumped: no INSERT trigger, so a
-- bulk import's entries are not copied into one more transition table.
CREATE TRIGGER changes_data_version_update AFTER UPDATE ON changes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER changes_data_version_delete AFTER DELETE ON changes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();
CREATE TRIGGER changes_data_version_truncate AFTER TRUNCATE ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_data_changed();

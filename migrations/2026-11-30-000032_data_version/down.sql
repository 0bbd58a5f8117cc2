-- Back to the change log of migration …000013, without the data version.
DROP TRIGGER countries_data_version_truncate ON countries;
DROP TRIGGER local_members_data_version_truncate ON local_members;
DROP TRIGGER action_plans_data_version_truncate ON action_plans;
DROP TRIGGER commitments_data_version_truncate ON commitments;
DROP TRIGGER milestones_data_version_truncate ON milestones;
DROP TRIGGER irm_findings_data_version_truncate ON irm_findings;
DROP TRIGGER commitment_facts_data_version_insert ON commitment_facts;
DROP TRIGGER commitment_facts_data_version_update ON commitment_facts;
DROP TRIGGER commitment_facts_data_version_delete ON commitment_facts;
DROP TRIGGER commitment_facts_data_version_truncate ON commitment_facts;
DROP TRIGGER commitment_rollup_data_version_insert ON commitment_rollup;
DROP TRIGGER commitment_rollup_data_version_update ON commitment_rollup;
DROP TRIGGER commitment_rollup_data_version_delete ON commitment_rollup;
DROP TRIGGER commitment_rollup_data_version_truncate ON commitment_rollup;
DROP TRIGGER changes_data_version_update ON changes;
DROP TRIGGER changes_data_version_delete ON changes;
DROP TRIGGER changes_data_version_truncate ON changes;
DROP FUNCTION ogp_data_changed();

CREATE OR REPLACE FUNCTION ogp_log_changes() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP FUNCTION ogp_bump_data_version();
DROP TABLE data_version;

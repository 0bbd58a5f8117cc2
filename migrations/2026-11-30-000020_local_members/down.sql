-- Refuses (unique violation) while two plans of a country share a number, one of them local:
-- the old key cannot hold both, and dropping one silently would lose data.
DROP INDEX action_plans_local_member_slug_idx;
DROP INDEX action_plans_local_number_key;
DROP INDEX action_plans_number_key;
ALTER TABLE action_plans ADD CONSTRAINT action_plans_number_key UNIQUE (country_code, number);
ALTER TABLE action_plans DROP CONSTRAINT action_plans_local_member_fkey;
ALTER TABLE action_plans DROP COLUMN local_member_slug;

DROP TRIGGER local_members_log_insert ON local_members;
DROP TRIGGER local_members_log_update ON local_members;
DROP TRIGGER local_members_log_delete ON local_members;
DELETE FROM changes WHERE resource = 'local-members';
ALTER TABLE changes DROP CONSTRAINT changes_resource_check;
ALTER TABLE changes ADD CONSTRAINT changes_resource_check
    CHECK (resource IN ('countries', 'action-plans', 'commitments', 'milestones', 'irm-findings'));

DROP TABLE local_members;
DROP FUNCTION local_members_slug_immutable();

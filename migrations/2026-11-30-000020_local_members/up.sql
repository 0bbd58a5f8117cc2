-- OGP Local (issue 17): subnational members (cities, states, provinces, regions; since 2016)
-- and their own action plans. A plan stays keyed to its country; a local plan also names its
-- local member, which must belong to that country. Every existing plan becomes a national one
-- (`local_member_slug` NULL): nothing is rewritten or lost.

CREATE TABLE local_members (
    slug              text PRIMARY KEY
                      CONSTRAINT local_members_slug_check
                      CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 100),
    name              text NOT NULL
                      CONSTRAINT local_members_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    country_code      text NOT NULL
                      CONSTRAINT local_members_country_code_fkey REFERENCES countries (code),
    kind              text NOT NULL
                      CONSTRAINT local_members_kind_check
                      CHECK (kind IN ('municipality', 'state_or_province', 'region', 'other')),
    member_since      integer
                      CONSTRAINT local_members_member_since_check CHECK (member_since >= 2016),
    membership_status text NOT NULL DEFAULT 'active'
                      CONSTRAINT local_members_membership_status_check
                      CHECK (membership_status IN ('active', 'inactive', 'under_review', 'withdrawn')),
    population        integer
                      CONSTRAINT local_members_population_check CHECK (population >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1,
    search            tsvector GENERATED ALWAYS AS (ogp_document(name)) STORED,
    -- The target of the plans' composite key below: a local plan names its member *and* the
    -- member's country, so the database itself refuses a member of another country.
    CONSTRAINT local_members_slug_country_code_key UNIQUE (slug, country_code)
);

CREATE TRIGGER local_members_touch BEFORE UPDATE ON local_members
    FOR EACH ROW EXECUTE FUNCTION ogp_touch_row();

-- The immutable key must never change, whatever the code does (as for countries).
CREATE FUNCTION local_members_slug_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.slug <> OLD.slug THEN
        RAISE EXCEPTION 'local member slug is immutable' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'local_members_slug_check';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER local_members_slug_immutable BEFORE UPDATE ON local_members
    FOR EACH ROW EXECUTE FUNCTION local_members_slug_immutable();

-- The change feed names the new collection.
ALTER TABLE changes DROP CONSTRAINT changes_resource_check;
ALTER TABLE changes ADD CONSTRAINT changes_resource_check
    CHECK (resource IN ('countries', 'local-members', 'action-plans', 'commitments', 'milestones',
                        'irm-findings'));
-- Logged per statement, as every table since …000013 (one trigger per event: transition tables).
CREATE TRIGGER local_members_log_insert AFTER INSERT ON local_members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('local-members', 'slug');
CREATE TRIGGER local_members_log_update AFTER UPDATE ON local_members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('local-members', 'slug');
CREATE TRIGGER local_members_log_delete AFTER DELETE ON local_members
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ogp_log_changes('local-members', 'slug');

-- One index per filter and sort (each ends with the key, the keyset's tie-break), the search
-- document, `updated_since`, and the country's members (its alias and `include`).
CREATE INDEX local_members_country_code_idx ON local_members (country_code, slug);
CREATE INDEX local_members_name_idx ON local_members (name, slug);
CREATE INDEX local_members_kind_idx ON local_members (kind, slug);
CREATE INDEX local_members_member_since_idx ON local_members (member_since, slug);
CREATE INDEX local_members_membership_status_idx ON local_members (membership_status, slug);
CREATE INDEX local_members_population_idx ON local_members (population, slug);
CREATE INDEX local_members_updated_at_idx ON local_members (updated_at);
CREATE INDEX local_members_search_idx ON local_members USING gin (search);

-- A plan's local member, NULL for a national plan. The composite key ties it to the plan's own
-- country (MATCH SIMPLE: a NULL slug, a national plan, is not checked); deleting a member that
-- still has plans is refused (409), like every other parent.
ALTER TABLE action_plans ADD COLUMN local_member_slug text;
ALTER TABLE action_plans ADD CONSTRAINT action_plans_local_member_fkey
    FOREIGN KEY (local_member_slug, country_code) REFERENCES local_members (slug, country_code);

-- Plan numbers: per country for national plans, per local member for local ones (a city's
-- first plan and its country's first plan are both number 1). Replaces UNIQUE (country_code,
-- number), which would have forbidden that.
ALTER TABLE action_plans DROP CONSTRAINT action_plans_number_key;
CREATE UNIQUE INDEX action_plans_number_key ON action_plans (country_code, number)
    WHERE local_member_slug IS NULL;
CREATE UNIQUE INDEX action_plans_local_number_key ON action_plans (local_member_slug, number)
    WHERE local_member_slug IS NOT NULL;
-- `/local-members/{slug}/action-plans` pages by id; the FK check on a member's delete uses it.
CREATE INDEX action_plans_local_member_slug_idx ON action_plans (local_member_slug, id)
    WHERE local_member_slug IS NOT NULL;

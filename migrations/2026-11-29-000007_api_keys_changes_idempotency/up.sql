-- API keys, the change log, and idempotent POSTs.

-- Keys are `ogp_<prefix>_<secret>`; only the prefix (to find the row) and a SHA-256 of the
-- whole key are stored. The key itself is shown once, when it is made.
CREATE TABLE api_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL
                 CONSTRAINT api_keys_name_check CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$')
                 CONSTRAINT api_keys_name_key UNIQUE,
    role         text NOT NULL CONSTRAINT api_keys_role_check CHECK (role IN ('editor', 'admin')),
    prefix       text NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
    key_hash     bytea NOT NULL CONSTRAINT api_keys_key_hash_check CHECK (length(key_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Every create, update and delete, in commit order, with the row after it (NULL: deleted).
CREATE TABLE changes (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource   text NOT NULL
               CONSTRAINT changes_resource_check
               CHECK (resource IN ('countries', 'action-plans', 'commitments', 'milestones', 'irm-findings')),
    key        text NOT NULL,
    action     text NOT NULL CONSTRAINT changes_action_check CHECK (action IN ('create', 'update', 'delete')),
    actor      text,
    changed_at timestamptz NOT NULL DEFAULT now(),
    data       jsonb,
    CONSTRAINT changes_data_check CHECK ((action = 'delete') = (data IS NULL))
);
CREATE INDEX changes_resource_seq_idx ON changes (resource, seq);
CREATE INDEX changes_resource_key_idx ON changes (resource, key, seq);

-- Written by trigger, so no write path can skip it and it commits or rolls back with the write.
-- Writers take one transaction-scoped advisory lock before logging: sequence numbers are then
-- handed out in commit order, and a reader of `after=<seq>` can never miss a change that
-- commits later with a smaller number. Writes are rare next to reads, so serializing them is
-- cheap. The actor is the API key name the transaction set in `ogp.actor`.
CREATE FUNCTION ogp_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- The first response to each `Idempotency-Key` of each client, replayed on retries for 24 h.
CREATE TABLE idempotency_keys (
    actor        text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    status       integer,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Back to English and Spanish only, and every stored document recomputed with them.

CREATE OR REPLACE FUNCTION ogp_document(VARIADIC parts text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('english', folded) || to_tsvector('spanish', folded)
    FROM (SELECT coalesce(ogp_unaccent(array_to_string(parts, ' ')), '') AS folded) AS document
$$;

CREATE OR REPLACE FUNCTION ogp_search_query(q text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT websearch_to_tsquery('english', ogp_unaccent(q))
        || websearch_to_tsquery('spanish', ogp_unaccent(q))
$$;

-- Recomputes every stored search document with the current ogp_document(): a generated column
-- is dropped and added again with its own expression (PostgreSQL 15 cannot change or refresh
-- one in place); a column a trigger maintains is rewritten with the row triggers off, so the
-- recompute bumps no version, touches no `updated_at` and writes nothing to the change feed.
-- Either way every row is rewritten: on the large scale this takes tens of minutes
-- (docs/operations.md, upgrade notes).
CREATE FUNCTION pg_temp.ogp_rebuild_search(tbl text, parts text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    generated text;
BEGIN
    SELECT pg_get_expr(d.adbin, d.adrelid) INTO generated
    FROM pg_attribute a
    JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = tbl::regclass AND a.attname = 'search' AND a.attgenerated = 's';
    IF generated IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %I DROP COLUMN search', tbl);
        EXECUTE format('ALTER TABLE %I ADD COLUMN search tsvector GENERATED ALWAYS AS (%s) STORED',
            tbl, generated);
        EXECUTE format('CREATE INDEX %I ON %I USING gin (search)', tbl || '_search_idx', tbl);
    ELSE
        EXECUTE format('ALTER TABLE %I DISABLE TRIGGER USER', tbl);
        EXECUTE format('UPDATE %I SET search = ogp_document(%s)', tbl, parts);
        EXECUTE format('ALTER TABLE %I ENABLE TRIGGER USER', tbl);
    END IF;
END;
$fn$;

SELECT pg_temp.ogp_rebuild_search('countries', 'name');
-- OGP Local members (…000020, which sorts before this migration, so the table exists here).
SELECT pg_temp.ogp_rebuild_search('local_members', 'name');
SELECT pg_temp.ogp_rebuild_search('action_plans', 'title');
SELECT pg_temp.ogp_rebuild_search('commitments', 'title, description, theme, lead_institution');
SELECT pg_temp.ogp_rebuild_search('milestones', 'title, description');
SELECT pg_temp.ogp_rebuild_search('irm_findings', 'title, body');
DROP FUNCTION pg_temp.ogp_rebuild_search(text, text);

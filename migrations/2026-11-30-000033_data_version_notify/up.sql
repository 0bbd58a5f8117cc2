-- The read cache's notification (issue 16, src/read_cache/): the transaction that moves the data
-- version also announces it, `NOTIFY ogp_data_version, '<version>'`. PostgreSQL delivers a
-- notification only when its transaction commits, and in commit order, so every process's read
-- cache hears each committed version within milliseconds; a rolled-back write announces
-- nothing. The version is bumped once per transaction (migration …000032), so there is one
-- notification per writing transaction.
CREATE OR REPLACE FUNCTION ogp_bump_data_version() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bumped bigint;
BEGIN
    IF current_setting('ogp.data_version_bumped', true) IS DISTINCT FROM 'yes' THEN
        UPDATE data_version SET version = version + 1 RETURNING version INTO bumped;
        PERFORM set_config('ogp.data_version_bumped', 'yes', true);
        PERFORM pg_notify('ogp_data_version', bumped::text);
    END IF;
END $$;

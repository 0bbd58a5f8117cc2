-- Back to migration …000032's function, without the notification.
CREATE OR REPLACE FUNCTION ogp_bump_data_version() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('ogp.data_version_bumped', true) IS DISTINCT FROM 'yes' THEN
        UPDATE data_version SET version = version + 1;
        PERFORM set_config('ogp.data_version_bumped', 'yes', true);
    END IF;
END $$;

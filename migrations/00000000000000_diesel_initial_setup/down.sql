DROP FUNCTION IF EXISTS ogp_touch_row();

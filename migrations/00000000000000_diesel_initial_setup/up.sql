-- Shared helpers for every table.

-- Server-set bookkeeping: every UPDATE bumps `version` and `updated_at`, so no code path can
-- forget to, and a client can never set them.
CREATE FUNCTION ogp_touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    NEW.created_at := OLD.created_at;
    RETURN NEW;
END;
$$;

CREATE TABLE countries (
    code              text PRIMARY KEY
                      CONSTRAINT countries_code_check CHECK (code ~ '^[A-Z]{3}$'),
    name              text NOT NULL
                      CONSTRAINT countries_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    region            text NOT NULL
                      CONSTRAINT countries_region_check
                      CHECK (region IN ('africa_middle_east', 'americas', 'asia_pacific', 'europe')),
    member_since      integer
                      CONSTRAINT countries_member_since_check CHECK (member_since >= 2011),
    membership_status text NOT NULL DEFAULT 'active'
                      CONSTRAINT countries_membership_status_check
                      CHECK (membership_status IN ('active', 'inactive', 'under_review', 'withdrawn')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1
);

CREATE TRIGGER countries_touch BEFORE UPDATE ON countries
    FOR EACH ROW EXECUTE FUNCTION ogp_touch_row();

-- The immutable key must never change, whatever the code does.
CREATE FUNCTION countries_code_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.code <> OLD.code THEN
        RAISE EXCEPTION 'country code is immutable' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'countries_code_check';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER countries_code_immutable BEFORE UPDATE ON countries
    FOR EACH ROW EXECUTE FUNCTION countries_code_immutable();

CREATE TABLE action_plans (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code           text NOT NULL
                           CONSTRAINT action_plans_country_code_fkey REFERENCES countries (code),
    number                 integer NOT NULL
                           CONSTRAINT action_plans_number_check CHECK (number >= 1),
    title                  text NOT NULL
                           CONSTRAINT action_plans_title_check CHECK (char_length(title) BETWEEN 1 AND 500),
    start_year             integer NOT NULL
                           CONSTRAINT action_plans_start_year_check CHECK (start_year BETWEEN 2011 AND 2100),
    end_year               integer NOT NULL,
    status                 text NOT NULL DEFAULT 'draft'
                           CONSTRAINT action_plans_status_check
                           CHECK (status IN ('draft', 'submitted', 'implementing', 'completed')),
    submitted_on           date,
    public_influence       text
                           CONSTRAINT action_plans_public_influence_check
                           CHECK (public_influence IN ('no_consultation', 'inform', 'consult', 'involve',
                                                       'collaborate', 'empower')),
    multistakeholder_forum boolean,
    source_url             text
                           CONSTRAINT action_plans_source_url_check CHECK (source_url ~ '^https?://'),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    version                integer NOT NULL DEFAULT 1,
    CONSTRAINT action_plans_end_year_check
        CHECK (end_year >= start_year AND end_year <= start_year + 4),
    CONSTRAINT action_plans_number_key UNIQUE (country_code, number)
);

CREATE TRIGGER action_plans_touch BEFORE UPDATE ON action_plans
    FOR EACH ROW EXECUTE FUNCTION ogp_touch_row();

-- Lists of a country's plans page by id.
CREATE INDEX action_plans_country_code_idx ON action_plans (country_code, id);

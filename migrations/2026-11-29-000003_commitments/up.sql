CREATE TABLE commitments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_plan_id   bigint NOT NULL
                     CONSTRAINT commitments_action_plan_id_fkey REFERENCES action_plans (id),
    number           integer NOT NULL
                     CONSTRAINT commitments_number_check CHECK (number >= 1),
    reference        text
                     CONSTRAINT commitments_reference_check CHECK (char_length(reference) BETWEEN 1 AND 50)
                     CONSTRAINT commitments_reference_key UNIQUE,
    title            text NOT NULL
                     CONSTRAINT commitments_title_check CHECK (char_length(title) BETWEEN 1 AND 1000),
    description      text,
    theme            text
                     CONSTRAINT commitments_theme_check CHECK (char_length(theme) BETWEEN 1 AND 200),
    lead_institution text
                     CONSTRAINT commitments_lead_institution_check
                     CHECK (char_length(lead_institution) BETWEEN 1 AND 500),
    ogp_values       text[] NOT NULL DEFAULT '{}'
                     CONSTRAINT commitments_ogp_values_check
                     CHECK (ogp_values <@ ARRAY['access_to_information', 'civic_participation',
                                               'public_accountability', 'technology_and_innovation']
                            AND array_position(ogp_values, NULL) IS NULL),
    start_date       date,
    end_date         date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1,
    CONSTRAINT commitments_end_date_check CHECK (end_date >= start_date),
    CONSTRAINT commitments_number_key UNIQUE (action_plan_id, number),
    -- Target of irm_findings' composite key: a finding's commitment must belong to its plan.
    CONSTRAINT commitments_id_action_plan_id_key UNIQUE (id, action_plan_id)
);

-- The unique (action_plan_id, number) index also serves "commitments of a plan".
CREATE TRIGGER commitments_touch BEFORE UPDATE ON commitments
    FOR EACH ROW EXECUTE FUNCTION ogp_touch_row();

-- Lists of a plan's commitments page by id.
CREATE INDEX commitments_action_plan_id_idx ON commitments (action_plan_id, id);

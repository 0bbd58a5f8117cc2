CREATE TABLE milestones (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commitment_id bigint NOT NULL
                  CONSTRAINT milestones_commitment_id_fkey REFERENCES commitments (id),
    position      integer NOT NULL
                  CONSTRAINT milestones_position_check CHECK (position >= 1),
    title         text NOT NULL
                  CONSTRAINT milestones_title_check CHECK (char_length(title) BETWEEN 1 AND 1000),
    description   text,
    due_date      date,
    status        text NOT NULL DEFAULT 'not_started'
                  CONSTRAINT milestones_status_check
                  CHECK (status IN ('not_started', 'in_progress', 'completed')),
    completed_on  date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    CONSTRAINT milestones_completed_on_check
        CHECK ((status = 'completed') = (completed_on IS NOT NULL)),
    CONSTRAINT milestones_position_key UNIQUE (commitment_id, position)
);

CREATE TRIGGER milestones_touch BEFORE UPDATE ON milestones
    FOR EACH ROW EXECUTE FUNCTION ogp_touch_row();

-- Lists of a commitment's milestones page by id.
CREATE INDEX milestones_commitment_id_idx ON milestones (commitment_id, id);

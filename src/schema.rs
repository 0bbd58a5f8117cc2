// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    action_plans (id) {
        id -> Int8,
        country_code -> Text,
        number -> Int4,
        title -> Text,
        start_year -> Int4,
        end_year -> Int4,
        status -> Text,
        submitted_on -> Nullable<Date>,
        public_influence -> Nullable<Text>,
        multistakeholder_forum -> Nullable<Bool>,
        source_url -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        search -> Nullable<Tsvector>,
        local_member_slug -> Nullable<Text>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Int8,
        name -> Text,
        role -> Text,
        prefix -> Text,
        key_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    changes (seq) {
        seq -> Int8,
        resource -> Text,
        key -> Text,
        action -> Text,
        actor -> Nullable<Text>,
        changed_at -> Timestamptz,
        data -> Nullable<Jsonb>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    commitments (id) {
        id -> Int8,
        action_plan_id -> Int8,
        number -> Int4,
        reference -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        theme -> Nullable<Text>,
        lead_institution -> Nullable<Text>,
        ogp_values -> Array<Text>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        search -> Nullable<Tsvector>,
        withdrawn -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    countries (code) {
        code -> Text,
        name -> Text,
        region -> Text,
        member_since -> Nullable<Int4>,
        membership_status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        name_es -> Nullable<Text>,
        name_fr -> Nullable<Text>,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    idempotency_keys (actor, key) {
        actor -> Text,
        key -> Text,
        request_hash -> Bytea,
        status -> Nullable<Int4>,
        headers -> Nullable<Jsonb>,
        body -> Nullable<Bytea>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    irm_findings (id) {
        id -> Int8,
        action_plan_id -> Int8,
        commitment_id -> Nullable<Int8>,
        report -> Text,
        kind -> Text,
        title -> Nullable<Text>,
        body -> Nullable<Text>,
        position -> Nullable<Int4>,
        published_on -> Nullable<Date>,
        source_url -> Nullable<Text>,
        specificity -> Nullable<Text>,
        relevance -> Nullable<Array<Text>>,
        potential_impact -> Nullable<Text>,
        potential_for_results -> Nullable<Text>,
        completion -> Nullable<Text>,
        did_it_open_government -> Nullable<Text>,
        well_designed -> Nullable<Bool>,
        well_designed_basis -> Nullable<Text>,
        starred -> Nullable<Bool>,
        starred_basis -> Nullable<Text>,
        no_public_engagement -> Nullable<Bool>,
        irm_not_engaged -> Nullable<Bool>,
        no_progress_on_any_commitment -> Nullable<Bool>,
        acted_contrary_to_process -> Nullable<Bool>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        search -> Nullable<Tsvector>,
        verifiable -> Nullable<Bool>,
        open_government_lens -> Nullable<Bool>,
        early_results -> Nullable<Text>,
        potentially_starred -> Nullable<Bool>,
        potentially_starred_basis -> Nullable<Text>,
        promising -> Nullable<Bool>,
        promising_basis -> Nullable<Text>,
        late_action_plan -> Nullable<Bool>,
        iap2_minimum_not_met -> Nullable<Bool>,
        no_online_repository -> Nullable<Bool>,
        co_creation_minimum_not_met -> Nullable<Bool>,
        acted_contrary_to_process_basis -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    local_members (slug) {
        slug -> Text,
        name -> Text,
        country_code -> Text,
        kind -> Text,
        member_since -> Nullable<Int4>,
        membership_status -> Text,
        population -> Nullable<Int4>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    milestones (id) {
        id -> Int8,
        commitment_id -> Int8,
        position -> Int4,
        title -> Text,
        description -> Nullable<Text>,
        due_date -> Nullable<Date>,
        status -> Text,
        completed_on -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        search -> Nullable<Tsvector>,
    }
}

diesel::joinable!(action_plans -> countries (country_code));
diesel::joinable!(commitments -> action_plans (action_plan_id));
diesel::joinable!(irm_findings -> action_plans (action_plan_id));
diesel::joinable!(local_members -> countries (country_code));
diesel::joinable!(milestones -> commitments (commitment_id));

diesel::allow_tables_to_appear_in_same_query!(
    action_plans,
    api_keys,
    changes,
    commitments,
    countries,
    idempotency_keys,
    irm_findings,
    local_members,
    milestones,
);

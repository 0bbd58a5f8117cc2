//! The bundle format, version 1: one JSON document holding countries, OGP Local members, action
//! plans, commitments, milestones and IRM findings, each record the resource's create body with
//! the database ids of its parents replaced by their natural keys:
//!
//! | collection | its parents named by |
//! |---|---|
//! | `countries` | (none; its key is `code`) |
//! | `local_members` | `country_code` (its key: `slug`) |
//! | `action_plans` | `country_code`, `local_member_slug` (null for a national plan; its key: those + `number`) |
//! | `commitments` | `country_code`, `local_member_slug` (absent or null: a national plan), `plan_number` (its key: those + `number`) |
//! | `milestones` | `country_code`, `local_member_slug`, `plan_number`, `commitment_number` (its key: those + `position`) |
//! | `irm_findings` | `country_code`, `local_member_slug`, `plan_number`, `commitment_number` (its key: those + `report` + `kind`, with `commitment_number` for assessments and `position` for the other kinds) |
//!
//! A plan is named by its country, its local member (none for a national plan) and its number:
//! plan numbers are unique per country among national plans and per member among local ones.
//! Bundles written before OGP Local members existed carry no `local_member_slug` anywhere and
//! read as they did: every plan national.
//!
//! The schema types here are for the OpenAPI document; the import reads records field by field
//! (each through its resource's `FromFields`) and the export writes them from the rows.

use crate::resources::action_plans::model::NewActionPlan;
use crate::resources::commitments::model::NewCommitment;
use crate::resources::countries::model::NewCountry;
use crate::resources::irm_findings::model::NewIrmFinding;
use crate::resources::local_members::model::NewLocalMember;
use crate::resources::milestones::model::NewMilestone;
#[cfg(test)]
use serde::Serialize;
#[cfg(test)]
use serde_json::{Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// The value of a bundle's `format`.
pub const FORMAT: &str = "ogp-api.bundle";
/// The bundle version this server reads and writes.
pub const VERSION: i64 = 1;
/// The collections of a bundle, parents first: the order they are read, written and exported.
pub const COLLECTIONS: [&str; 6] = [
    "countries",
    "local_members",
    "action_plans",
    "commitments",
    "milestones",
    "irm_findings",
];

/// A bundle: the corpus, or part of it, in one document (`GET /exports/bundle` writes one,
/// `POST /imports` reads one). A missing collection is an empty one.
#[derive(ToSchema)]
pub struct Bundle {
    /// Always `ogp-api.bundle`.
    #[schema(example = "ogp-api.bundle")]
    pub format: String,
    /// The format's version; this server reads and writes version 1 (another is a 422).
    #[schema(example = 1)]
    pub version: i32,
    /// Countries, each a country's create body.
    #[schema(required = false)]
    pub countries: Vec<NewCountry>,
    /// OGP Local members, each a member's create body (its country by `country_code`).
    #[schema(required = false)]
    pub local_members: Vec<NewLocalMember>,
    /// Action plans, each a plan's create body (its country by `country_code`, a local plan's
    /// member by `local_member_slug`).
    #[schema(required = false)]
    pub action_plans: Vec<NewActionPlan>,
    /// Commitments, their plan named by `country_code`, `local_member_slug` (a local plan's)
    /// and `plan_number`.
    #[schema(required = false)]
    pub commitments: Vec<BundleCommitment>,
    /// Milestones, their commitment named by `country_code`, `plan_number` and
    /// `commitment_number`.
    #[schema(required = false)]
    pub milestones: Vec<BundleMilestone>,
    /// IRM findings, their plan named by `country_code` and `plan_number`, and their commitment
    /// (required for assessments) by `commitment_number`.
    #[schema(required = false)]
    pub irm_findings: Vec<BundleIrmFinding>,
}

/// What a natural-key field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A country code (a JSON string, `^[A-Z]{3}$`).
    Code,
    /// A local member's slug (a JSON string, `^[a-z0-9]+(-[a-z0-9]+)*$`).
    Slug,
    /// A number (a JSON integer, 1 or more).
    Number,
}

/// A natural-key field that a bundle record carries instead of a parent's id.
pub struct KeyField {
    /// Its name in the record.
    pub name: &'static str,
    /// What it holds.
    pub kind: KeyKind,
    /// Whether every record must carry it.
    pub required: bool,
    /// Its description in the spec.
    pub description: &'static str,
}

const COUNTRY_CODE: KeyField = KeyField {
    name: "country_code",
    kind: KeyKind::Code,
    required: true,
    description: "The plan's country (ISO 3166-1 alpha-3).",
};
const LOCAL_MEMBER_SLUG: KeyField = KeyField {
    name: "local_member_slug",
    kind: KeyKind::Slug,
    required: false,
    description: "A local plan's OGP Local member (its slug); absent or null for a national plan.",
};
const PLAN_NUMBER: KeyField = KeyField {
    name: "plan_number",
    kind: KeyKind::Number,
    required: true,
    description: "The plan's `number` within its country (national) or local member (local).",
};

/// The natural-key fields of a commitment record, and the id fields they replace.
pub const COMMITMENT_KEYS: (&[KeyField], &[&str]) = (
    &[COUNTRY_CODE, LOCAL_MEMBER_SLUG, PLAN_NUMBER],
    &["action_plan_id"],
);
/// The natural-key fields of a milestone record, and the id fields they replace.
pub const MILESTONE_KEYS: (&[KeyField], &[&str]) = (
    &[
        COUNTRY_CODE,
        LOCAL_MEMBER_SLUG,
        PLAN_NUMBER,
        KeyField {
            name: "commitment_number",
            kind: KeyKind::Number,
            required: true,
            description: "The commitment's `number` within its plan.",
        },
    ],
    &["commitment_id"],
);
/// The natural-key fields of an IRM finding record, and the id fields they replace.
pub const FINDING_KEYS: (&[KeyField], &[&str]) = (
    &[
        COUNTRY_CODE,
        LOCAL_MEMBER_SLUG,
        PLAN_NUMBER,
        KeyField {
            name: "commitment_number",
            kind: KeyKind::Number,
            required: false,
            description: "The commitment's `number` within its plan: required for an \
                          assessment, optional for the other kinds.",
        },
    ],
    &["action_plan_id", "commitment_id"],
);

/// The schema of `T`'s create body with `ids` replaced by `keys` (listed first).
fn keyed_schema<T: ToSchema>(keys: (&[KeyField], &[&str]), description: &str) -> RefOr<Schema> {
    let (keys, ids) = keys;
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        let rest = std::mem::take(&mut object.properties);
        for key in keys {
            let kind = match key.kind {
                KeyKind::Code | KeyKind::Slug => Type::String,
                KeyKind::Number => Type::Integer,
            };
            let kind = if key.required {
                SchemaType::from(kind)
            } else {
                SchemaType::from_iter([kind, Type::Null])
            };
            let property = ObjectBuilder::new()
                .schema_type(kind)
                .description(Some(key.description))
                .build();
            object
                .properties
                .insert(key.name.to_string(), property.into());
        }
        for (name, property) in rest {
            if !ids.contains(&name.as_str()) {
                object.properties.insert(name, property);
            }
        }
        let mut required: Vec<String> = keys
            .iter()
            .filter(|k| k.required)
            .map(|k| k.name.to_string())
            .collect();
        required.extend(
            object
                .required
                .drain(..)
                .filter(|name| !ids.contains(&name.as_str())),
        );
        object.required = required;
        object.description = Some(description.to_string());
        // The create body's example names its parents by id; a record names them by key.
        object.example = None;
        object.examples.clear();
    }
    schema
}

/// Declares `$record`, a bundle record of create body `$new` (documentation only).
macro_rules! bundle_record {
    ($record:ident, $new:ty, $keys:expr, $description:literal) => {
        #[doc = $description]
        pub struct $record;

        impl utoipa::PartialSchema for $record {
            fn schema() -> RefOr<Schema> {
                keyed_schema::<$new>($keys, $description)
            }
        }

        impl ToSchema for $record {
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                <$new as ToSchema>::schemas(schemas);
            }
        }
    };
}

bundle_record!(
    BundleCommitment,
    NewCommitment,
    COMMITMENT_KEYS,
    "A commitment in a bundle: its create body, its plan named by `country_code` and `plan_number`."
);
bundle_record!(
    BundleMilestone,
    NewMilestone,
    MILESTONE_KEYS,
    "A milestone in a bundle: its create body, its commitment named by `country_code`, \
     `plan_number` and `commitment_number`."
);
bundle_record!(
    BundleIrmFinding,
    NewIrmFinding,
    FINDING_KEYS,
    "An IRM finding in a bundle: its create body, its plan named by `country_code` and \
     `plan_number`, its commitment by `commitment_number`."
);

/// The natural keys of a national or local plan, for the records of its children: the
/// member's slug only when the plan is local (a national plan's children read as before).
/// The export writes them with `super::record_writer::Keys::plan`, to the same effect.
#[cfg(test)]
pub fn plan_keys(code: String, member: Option<String>, number: i32) -> Vec<(&'static str, Value)> {
    let mut keys = vec![("country_code", Value::from(code))];
    if let Some(slug) = member {
        keys.push(("local_member_slug", Value::from(slug)));
    }
    keys.push(("plan_number", Value::from(number)));
    keys
}

/// The bundle record of a row's create-body form `input`: the natural keys `keys` first, then
/// its fields without the id fields `ids`. The export writes the same bytes without building
/// this map (`super::record_writer`, whose tests compare the two byte for byte): this is their
/// reference, the plain statement of what a record is.
#[cfg(test)]
pub fn record<T: Serialize>(
    input: &T,
    keys: Vec<(&'static str, Value)>,
    ids: &[&str],
) -> Result<Map<String, Value>, serde_json::Error> {
    let Value::Object(fields) = serde_json::to_value(input)? else {
        return Err(serde::ser::Error::custom("a create body is not an object"));
    };
    let mut out = Map::with_capacity(fields.len() + keys.len());
    for (name, value) in keys {
        out.insert(name.to_string(), value);
    }
    for (name, value) in fields {
        if !ids.contains(&name.as_str()) {
            out.insert(name, value);
        }
    }
    Ok(out)
}

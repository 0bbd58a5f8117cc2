//! The bundle format, version 1: one JSON document holding countries, action plans,
//! commitments, milestones and IRM findings, each record the resource's create body with the
//! database ids of its parents replaced by their natural keys:
//!
//! | collection | its parents named by |
//! |---|---|
//! | `countries` | (none; its key is `code`) |
//! | `action_plans` | `country_code` (its key: `country_code` + `number`) |
//! | `commitments` | `country_code`, `plan_number` (its key: those + `number`) |
//! | `milestones` | `country_code`, `plan_number`, `commitment_number` (its key: those + `position`) |
//! | `irm_findings` | `country_code`, `plan_number`, `commitment_number` (its key: those + `report` + `kind`, with `commitment_number` for assessments and `position` for the other kinds) |
//!
//! The schema types here are for the OpenAPI document; the import reads records field by field
//! (each through its resource's `FromFields`) and the export writes them from the rows.

use crate::resources::action_plans::model::NewActionPlan;
use crate::resources::commitments::model::NewCommitment;
use crate::resources::countries::model::NewCountry;
use crate::resources::irm_findings::model::NewIrmFinding;
use crate::resources::milestones::model::NewMilestone;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// The value of a bundle's `format`.
pub const FORMAT: &str = "ogp-api.bundle";
/// The bundle version this server reads and writes.
pub const VERSION: i64 = 1;
/// The collections of a bundle, parents first: the order they are read, written and exported.
pub const COLLECTIONS: [&str; 5] = [
    "countries",
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
    /// Action plans, each a plan's create body (its country by `country_code`).
    #[schema(required = false)]
    pub action_plans: Vec<NewActionPlan>,
    /// Commitments, their plan named by `country_code` and `plan_number`.
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

/// A natural-key field that a bundle record carries instead of a parent's id.
pub struct KeyField {
    /// Its name in the record.
    pub name: &'static str,
    /// A JSON string (a country code) or an integer (a number).
    pub text: bool,
    /// Whether every record must carry it.
    pub required: bool,
    /// Its description in the spec.
    pub description: &'static str,
}

const COUNTRY_CODE: KeyField = KeyField {
    name: "country_code",
    text: true,
    required: true,
    description: "The plan's country (ISO 3166-1 alpha-3).",
};
const PLAN_NUMBER: KeyField = KeyField {
    name: "plan_number",
    text: false,
    required: true,
    description: "The plan's `number` within its country.",
};

/// The natural-key fields of a commitment record, and the id fields they replace.
pub const COMMITMENT_KEYS: (&[KeyField], &[&str]) =
    (&[COUNTRY_CODE, PLAN_NUMBER], &["action_plan_id"]);
/// The natural-key fields of a milestone record, and the id fields they replace.
pub const MILESTONE_KEYS: (&[KeyField], &[&str]) = (
    &[
        COUNTRY_CODE,
        PLAN_NUMBER,
        KeyField {
            name: "commitment_number",
            text: false,
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
        PLAN_NUMBER,
        KeyField {
            name: "commitment_number",
            text: false,
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
            let kind = if key.text {
                Type::String
            } else {
                Type::Integer
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

/// The bundle record of a row's create-body form `input`: the natural keys `keys` first, then
/// its fields without the id fields `ids`.
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

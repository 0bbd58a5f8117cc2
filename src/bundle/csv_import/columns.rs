//! What each column of a resource's CSV means on import, read off the same types the CSV
//! export writes from: the response type's fields are the export's header; the create body's
//! `FromFields` field set says which of them a client writes and which the server computes;
//! the bundle format says which parents a record names by natural key instead of by id.

use super::Resource;
use crate::body::FromFields;
use crate::bundle::format::{self, KeyField, KeyKind};
use crate::resources::action_plans::model::{ActionPlan, NewActionPlan};
use crate::resources::commitments::model::{Commitment, NewCommitment};
use crate::resources::countries::model::{Country, NewCountry};
use crate::resources::irm_findings::model::{IrmFinding, NewIrmFinding};
use crate::resources::local_members::model::{LocalMember, NewLocalMember};
use crate::resources::milestones::model::{Milestone, NewMilestone};
use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// How a cell's text becomes a JSON value (the inverse of `listing::csv_row`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Strings, dates and enum values: the text as it is.
    Text,
    /// An integer: its decimal digits.
    Integer,
    /// `true` / `false` (any case, as spreadsheets write `TRUE`).
    Boolean,
    /// A list of values joined with `;`.
    List,
    /// Anything else (floats, nested values): the cell is the value's JSON text.
    Json,
}

/// The type of one field of a create body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldType {
    /// How its cell decodes.
    pub kind: Kind,
    /// Whether `null` is a value of it (an empty cell is `null`; for a list that is not
    /// nullable an empty cell is the empty list, as the export writes `[]`).
    pub nullable: bool,
}

/// What a column of the header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A field of the record, written as given.
    Field(FieldType),
    /// A parent's natural-key field (`country_code`, `plan_number`, `commitment_number`).
    Key(FieldType),
    /// A parent's database id (`action_plan_id`, `commitment_id`), as the export writes it:
    /// resolved to the parent's natural key.
    ParentId,
    /// Computed by the server (`id`, `version`, timestamps, the verdicts' `*_basis`): read,
    /// never written.
    ReadOnly,
}

/// The published IRM verdicts and the column saying where each comes from: a verdict cell
/// whose basis cell is `derived` or `not_applicable` is the server's own derivation, read-only.
pub const VERDICTS: [(&str, &str); 5] = [
    ("well_designed", "well_designed_basis"),
    ("starred", "starred_basis"),
    ("potentially_starred", "potentially_starred_basis"),
    ("promising", "promising_basis"),
    (
        "acted_contrary_to_process",
        "acted_contrary_to_process_basis",
    ),
];

/// The field names of `T`, in the order of its schema (the CSV export's header).
fn names<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The type of each property of a create body, read from its schema.
fn field_types<T: PartialSchema>() -> Vec<(String, FieldType)> {
    let Ok(Value::Object(schema)) = serde_json::to_value(T::schema()) else {
        return Vec::new();
    };
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| (name.clone(), field_type(property)))
        .collect()
}

/// `{"type": ["integer", "null"]}` → a nullable integer; a `$ref` (an enum) or a `oneOf` of
/// one with `null` → text.
fn field_type(property: &Value) -> FieldType {
    let types: Vec<&str> = match property.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let one_of_null = property
        .get("oneOf")
        .and_then(Value::as_array)
        .is_some_and(|alternatives| {
            alternatives
                .iter()
                .any(|a| a.get("type").and_then(Value::as_str) == Some("null"))
        });
    let nullable = one_of_null || types.contains(&"null");
    let kind = match types.iter().find(|t| **t != "null") {
        Some(&"integer") => Kind::Integer,
        Some(&"boolean") => Kind::Boolean,
        Some(&"array") => Kind::List,
        Some(&"string") | None => Kind::Text,
        Some(_) => Kind::Json,
    };
    FieldType { kind, nullable }
}

/// The columns of one resource's CSV and what each means.
pub struct Columns {
    /// The header the CSV export writes.
    pub exported: Vec<String>,
    /// Every column an import accepts, with its role.
    pub roles: Vec<(String, Role)>,
    /// The natural-key fields that stand for parents (none for countries, local members and
    /// plans, whose parents are fields of their own).
    pub keys: &'static [KeyField],
    /// The parent id columns they replace.
    pub ids: &'static [&'static str],
}

impl Columns {
    /// The columns of `resource`.
    pub fn of(resource: Resource) -> Self {
        match resource {
            Resource::Countries => Self::build::<Country, NewCountry>((&[], &[])),
            Resource::LocalMembers => Self::build::<LocalMember, NewLocalMember>((&[], &[])),
            Resource::ActionPlans => Self::build::<ActionPlan, NewActionPlan>((&[], &[])),
            Resource::Commitments => {
                Self::build::<Commitment, NewCommitment>(format::COMMITMENT_KEYS)
            }
            Resource::Milestones => Self::build::<Milestone, NewMilestone>(format::MILESTONE_KEYS),
            Resource::IrmFindings => Self::build::<IrmFinding, NewIrmFinding>(format::FINDING_KEYS),
        }
    }

    fn build<T: ToSchema, N: FromFields + ToSchema>(
        keys: (&'static [KeyField], &'static [&'static str]),
    ) -> Self {
        let (keys, ids) = keys;
        // Keys first, then the create body's fields, then what the server computes.
        let mut roles: Vec<(String, Role)> = Vec::new();
        for key in keys {
            let kind = match key.kind {
                KeyKind::Code | KeyKind::Slug => Kind::Text,
                KeyKind::Number => Kind::Integer,
            };
            let field = FieldType {
                kind,
                nullable: !key.required,
            };
            roles.push((key.name.to_string(), Role::Key(field)));
        }
        for (name, field) in field_types::<N>() {
            let role = if ids.contains(&name.as_str()) {
                Role::ParentId
            } else {
                Role::Field(field)
            };
            roles.push((name, role));
        }
        for name in N::FIELDS.read_only {
            roles.push((name.to_string(), Role::ReadOnly));
        }
        Self {
            exported: names::<T>(),
            roles,
            keys,
            ids,
        }
    }

    /// The role of column `name`, if it is one of the resource's.
    pub fn role(&self, name: &str) -> Option<Role> {
        self.roles
            .iter()
            .find(|(column, _)| column == name)
            .map(|(_, role)| *role)
    }

    /// The read-only columns (for the documentation and error messages).
    pub fn read_only(&self) -> impl Iterator<Item = &str> {
        self.roles
            .iter()
            .filter(|(_, role)| *role == Role::ReadOnly)
            .map(|(name, _)| name.as_str())
    }

    /// The id column that names the parent a natural-key field `key` stands for.
    pub fn id_for(&self, key: &str) -> Option<&'static str> {
        match (self.ids, key) {
            ([], _) => None,
            ([only], _) => Some(only),
            (_, "commitment_number") => Some("commitment_id"),
            (_, _) => Some("action_plan_id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exported_column_is_accepted_back() {
        for resource in Resource::ALL {
            let columns = Columns::of(resource);
            assert!(!columns.exported.is_empty());
            for name in &columns.exported {
                assert!(
                    columns.role(name).is_some(),
                    "{}: the export writes `{name}`, the import does not know it",
                    resource.name()
                );
            }
        }
    }

    #[test]
    fn field_types_follow_the_create_bodies() {
        let columns = Columns::of(Resource::IrmFindings);
        let field = |name| match columns.role(name) {
            Some(Role::Field(field)) => field,
            other => panic!("{name}: {other:?}"),
        };
        let list = |nullable| FieldType {
            kind: Kind::List,
            nullable,
        };
        assert_eq!(field("relevance"), list(true));
        assert_eq!(field("completion").kind, Kind::Text);
        assert!(field("completion").nullable);
        assert_eq!(field("position").kind, Kind::Integer);
        assert_eq!(field("verifiable").kind, Kind::Boolean);
        assert_eq!(columns.role("commitment_id"), Some(Role::ParentId));
        assert_eq!(columns.role("starred_basis"), Some(Role::ReadOnly));
        let commitments = Columns::of(Resource::Commitments);
        assert_eq!(
            commitments.role("ogp_values"),
            Some(Role::Field(list(false)))
        );
        assert_eq!(commitments.id_for("plan_number"), Some("action_plan_id"));
        assert_eq!(columns.id_for("commitment_number"), Some("commitment_id"));
        // A plan's member is a field of the plan, a key of its children.
        let plans = Columns::of(Resource::ActionPlans);
        assert!(matches!(
            plans.role("local_member_slug"),
            Some(Role::Field(_))
        ));
        assert!(matches!(
            commitments.role("local_member_slug"),
            Some(Role::Key(_))
        ));
    }
}

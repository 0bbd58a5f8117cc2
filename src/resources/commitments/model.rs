//! Commitment types.

use crate::body::{check_distinct, FieldSet, Fields, FromFields};
use crate::error::ApiError;
use crate::schema::commitments;
use crate::vocab::OgpValue;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// One commitment of an action plan.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = commitments, check_for_backend(diesel::pg::Pg))]
// A whole real example (Ghana's commitment GH0038, data/), so that a viewer shows real values.
#[schema(example = json!({
    "id": 3, "action_plan_id": 2, "number": 11, "reference": "GH0038",
    "title": "Implementing Right to Information law",
    "description": "The Right to Information Law which was a major commitment under NAP 3 was eventually passed by the Parliament of Ghana in March 2019. The Right to Information Commission has been established to oversee its implementation. The commitment: to complete the roll-out of the administrative structure in all regions of Ghana by end of 2022.",
    "theme": "Right to Information", "lead_institution": "Ministry of Information",
    "ogp_values": ["access_to_information"], "start_date": null, "end_date": null,
    "withdrawn": false,
    "created_at": "2026-11-30T09:00:00Z", "updated_at": "2026-11-30T09:00:00Z", "version": 1
}))]
pub struct Commitment {
    /// Server-assigned id; the key.
    pub id: i64,
    /// The action plan it belongs to.
    pub action_plan_id: i64,
    /// Its number within the plan.
    #[schema(example = 1)]
    pub number: i32,
    /// OGP's own commitment id, when it has one.
    #[schema(example = "MX0080")]
    pub reference: Option<String>,
    /// Title.
    pub title: String,
    /// What the commitment sets out to do.
    pub description: Option<String>,
    /// Policy area, free text.
    #[schema(example = "Gender equality")]
    pub theme: Option<String>,
    /// The institution responsible.
    pub lead_institution: Option<String>,
    /// The OGP values the plan itself declares for it.
    pub ogp_values: Vec<OgpValue>,
    /// Planned start.
    pub start_date: Option<NaiveDate>,
    /// Planned end.
    pub end_date: Option<NaiveDate>,
    /// Taken out of the plan during implementation (withdrawal is not an IRM completion level).
    pub withdrawn: bool,
    /// When the record was created (server-set).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (server-set).
    pub updated_at: DateTime<Utc>,
    /// 1 on create, +1 on every update; the ETag is `"<version>"`.
    pub version: i32,
}

/// A commitment to create. In a PATCH every field is optional (JSON Merge Patch).
#[derive(Debug, Clone, Serialize, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = commitments, treat_none_as_null = true)]
#[schema(example = json!({
    "action_plan_id": 2, "number": 11, "reference": "GH0038",
    "title": "Implementing Right to Information law",
    "description": "The Right to Information Law which was a major commitment under NAP 3 was eventually passed by the Parliament of Ghana in March 2019. The Right to Information Commission has been established to oversee its implementation. The commitment: to complete the roll-out of the administrative structure in all regions of Ghana by end of 2022.",
    "theme": "Right to Information", "lead_institution": "Ministry of Information",
    "ogp_values": ["access_to_information"], "start_date": null, "end_date": null,
    "withdrawn": false
}))]
pub struct NewCommitment {
    /// The action plan it belongs to; it must exist.
    pub action_plan_id: i64,
    /// Its number within the plan, ≥ 1; unique within the plan.
    #[schema(minimum = 1, example = 1)]
    pub number: i32,
    /// OGP's own commitment id (1–50 characters), unique when present.
    #[schema(example = "MX0080", min_length = 1, max_length = 50)]
    pub reference: Option<String>,
    /// Title, 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub title: String,
    /// What the commitment sets out to do, up to 20 000 characters.
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    /// Policy area, free text up to 200 characters.
    #[schema(example = "Gender equality", max_length = 200)]
    pub theme: Option<String>,
    /// The institution responsible, up to 500 characters.
    #[schema(max_length = 500)]
    pub lead_institution: Option<String>,
    /// The OGP values the plan declares for it, each at most once; `[]` when not given.
    #[schema(default = json!([]))]
    pub ogp_values: Vec<OgpValue>,
    /// Planned start (`YYYY-MM-DD`).
    pub start_date: Option<NaiveDate>,
    /// Planned end (`YYYY-MM-DD`), not before `start_date`.
    pub end_date: Option<NaiveDate>,
    /// Taken out of the plan during implementation (default `false`).
    #[schema(default = false)]
    pub withdrawn: bool,
}

crate::openapi::merge_patch!(CommitmentPatch, NewCommitment);

impl FromFields for NewCommitment {
    const FIELDS: FieldSet = FieldSet {
        writable: &[
            "action_plan_id",
            "number",
            "reference",
            "title",
            "description",
            "theme",
            "lead_institution",
            "ogp_values",
            "start_date",
            "end_date",
            "withdrawn",
        ],
        read_only: &["id", "created_at", "updated_at", "version"],
    };

    /// Validates a body, naming every bad field.
    fn from_fields(mut f: Fields) -> Result<Self, ApiError> {
        let action_plan_id = f.required::<i64>("action_plan_id");
        if let Some(id) = action_plan_id {
            f.ensure(id >= 1, "action_plan_id", "must be a positive id");
        }
        let number = f.required::<i32>("number");
        if let Some(number) = number {
            f.ensure(number >= 1, "number", "must be 1 or more");
        }
        let reference = f.nullable_text("reference", 50);
        let title = f.required_text("title", 1000);
        let description = f.nullable_text("description", 20_000);
        let theme = f.nullable_text("theme", 200);
        let lead_institution = f.nullable_text("lead_institution", 500);
        let ogp_values = f.with_default::<Vec<OgpValue>>("ogp_values", Vec::new());
        if let Some(values) = &ogp_values {
            check_distinct(&mut f, "ogp_values", values);
        }
        let start_date = f.nullable_date("start_date");
        let end_date = f.nullable_date("end_date");
        if let (Some(start), Some(end)) = (start_date, end_date) {
            f.ensure(start <= end, "end_date", "must not be before start_date");
        }
        let withdrawn = f.with_default::<bool>("withdrawn", false);
        f.finish()?;
        let (Some(action_plan_id), Some(number), Some(title), Some(ogp_values), Some(withdrawn)) =
            (action_plan_id, number, title, ogp_values, withdrawn)
        else {
            return Err(ApiError::internal(
                "commitment reader lost a required field",
            ));
        };
        Ok(Self {
            action_plan_id,
            number,
            reference,
            title,
            description,
            theme,
            lead_institution,
            ogp_values,
            start_date,
            end_date,
            withdrawn,
        })
    }
}

/// The create-body form of this commitment, the base a merge patch applies to.
impl From<&Commitment> for NewCommitment {
    fn from(commitment: &Commitment) -> Self {
        Self {
            action_plan_id: commitment.action_plan_id,
            number: commitment.number,
            reference: commitment.reference.clone(),
            title: commitment.title.clone(),
            description: commitment.description.clone(),
            theme: commitment.theme.clone(),
            lead_institution: commitment.lead_institution.clone(),
            ogp_values: commitment.ogp_values.clone(),
            start_date: commitment.start_date,
            end_date: commitment.end_date,
            withdrawn: commitment.withdrawn,
        }
    }
}

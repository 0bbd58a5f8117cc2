//! Action plan types.

use crate::body::{FieldSet, Fields, FromFields};
use crate::error::ApiError;
use crate::schema::action_plans;
use crate::vocab::{is_country_code, is_local_member_slug};
use crate::vocab::{PlanStatus, PublicInfluence};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// A two-year action plan, co-created with civil society: a country's own (national) or one of
/// its OGP Local members' (local: `local_member_slug` set).
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = action_plans, check_for_backend(diesel::pg::Pg))]
// A whole real example (Mexico's third plan), so that a viewer does not pair it with an enum's
// first value.
#[schema(example = json!({
    "id": 1, "country_code": "MEX", "local_member_slug": null, "number": 3,
    "title": "Third National Action Plan 2016-2018", "start_year": 2016, "end_year": 2018,
    "status": "completed", "submitted_on": null, "public_influence": null,
    "multistakeholder_forum": true, "source_url": null,
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct ActionPlan {
    /// Server-assigned id; the key.
    pub id: i64,
    /// The country (ISO 3166-1 alpha-3).
    #[schema(example = "MEX")]
    pub country_code: String,
    /// The OGP Local member whose plan this is (a member of `country_code`); null for a
    /// national plan.
    #[schema(example = json!(null))]
    pub local_member_slug: Option<String>,
    /// The plan's ordinal for its country (national) or its local member (local): 3 = the
    /// third plan.
    #[schema(example = 3)]
    pub number: i32,
    /// Title of the plan.
    #[schema(example = "Third National Action Plan 2016-2018")]
    pub title: String,
    /// First year of the plan.
    #[schema(example = 2016)]
    pub start_year: i32,
    /// Last year of the plan.
    #[schema(example = 2018)]
    pub end_year: i32,
    /// Where the plan is in its cycle.
    pub status: PlanStatus,
    /// When the plan was submitted to OGP.
    pub submitted_on: Option<NaiveDate>,
    /// The IAP2 level of public influence reached while co-creating the plan.
    pub public_influence: Option<PublicInfluence>,
    /// Whether a multistakeholder forum oversaw the process.
    pub multistakeholder_forum: Option<bool>,
    /// Where the plan is published.
    pub source_url: Option<String>,
    /// When the record was created (server-set).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (server-set).
    pub updated_at: DateTime<Utc>,
    /// 1 on create, +1 on every update; the ETag is `"<version>"`.
    pub version: i32,
}

/// An action plan to create. In a PATCH every field is optional (JSON Merge Patch).
#[derive(Debug, Clone, Serialize, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = action_plans, treat_none_as_null = true)]
#[schema(example = json!({
    "country_code": "MEX", "number": 3, "title": "Third National Action Plan 2016-2018",
    "start_year": 2016, "end_year": 2018, "status": "completed", "multistakeholder_forum": true
}))]
pub struct NewActionPlan {
    /// The country (ISO 3166-1 alpha-3); it must exist.
    #[schema(example = "MEX", pattern = "^[A-Z]{3}$")]
    pub country_code: String,
    /// The OGP Local member whose plan this is: it must exist and belong to `country_code`.
    /// Null (or absent) for a national plan.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 100)]
    pub local_member_slug: Option<String>,
    /// The plan's ordinal, ≥ 1; unique per country among national plans and per local member
    /// among local ones.
    #[schema(minimum = 1, example = 3)]
    pub number: i32,
    /// Title, 1–500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub title: String,
    /// First year, 2011–2100.
    #[schema(minimum = 2011, maximum = 2100, example = 2016)]
    pub start_year: i32,
    /// Last year: `start_year ≤ end_year ≤ start_year + 4`.
    #[schema(example = 2018)]
    pub end_year: i32,
    /// Where the plan is in its cycle; `draft` when not given.
    #[schema(default = "draft")]
    pub status: PlanStatus,
    /// When the plan was submitted to OGP (`YYYY-MM-DD`).
    pub submitted_on: Option<NaiveDate>,
    /// The IAP2 level of public influence reached while co-creating the plan.
    pub public_influence: Option<PublicInfluence>,
    /// Whether a multistakeholder forum oversaw the process.
    pub multistakeholder_forum: Option<bool>,
    /// Where the plan is published: an `http(s)://` URL.
    #[schema(max_length = 2000)]
    pub source_url: Option<String>,
}

crate::openapi::merge_patch!(ActionPlanPatch, NewActionPlan);

impl FromFields for NewActionPlan {
    const FIELDS: FieldSet = FieldSet {
        writable: &[
            "country_code",
            "local_member_slug",
            "number",
            "title",
            "start_year",
            "end_year",
            "status",
            "submitted_on",
            "public_influence",
            "multistakeholder_forum",
            "source_url",
        ],
        read_only: &["id", "created_at", "updated_at", "version"],
    };

    /// Validates a body, naming every bad field.
    fn from_fields(mut f: Fields) -> Result<Self, ApiError> {
        let country_code = f.required::<String>("country_code");
        if let Some(code) = &country_code {
            f.ensure(
                is_country_code(code),
                "country_code",
                "must be three upper-case letters (ISO 3166-1 alpha-3)",
            );
        }
        let local_member_slug = f.nullable::<String>("local_member_slug");
        if let Some(slug) = &local_member_slug {
            f.ensure(
                is_local_member_slug(slug),
                "local_member_slug",
                "must be a local member's slug: lower-case letters and digits in words joined \
                 by single hyphens, e.g. `sekondi-takoradi-ghana`",
            );
        }
        let number = f.required::<i32>("number");
        if let Some(number) = number {
            f.ensure(number >= 1, "number", "must be 1 or more");
        }
        let title = f.required_text("title", 500);
        let start_year = f.required::<i32>("start_year");
        if let Some(year) = start_year {
            f.ensure(
                (2011..=2100).contains(&year),
                "start_year",
                "must be a year from 2011 to 2100",
            );
        }
        let end_year = f.required::<i32>("end_year");
        if let (Some(start), Some(end)) = (start_year, end_year) {
            f.ensure(
                start <= end && end <= start.saturating_add(4),
                "end_year",
                format!(
                    "must be from start_year to start_year + 4 ({start}–{})",
                    start.saturating_add(4)
                ),
            );
        }
        let status = f.with_default("status", PlanStatus::Draft);
        let submitted_on = f.nullable_date("submitted_on");
        let public_influence = f.nullable::<PublicInfluence>("public_influence");
        let multistakeholder_forum = f.nullable::<bool>("multistakeholder_forum");
        let source_url = f.nullable_url("source_url");
        f.finish()?;
        let (
            Some(country_code),
            Some(number),
            Some(title),
            Some(start_year),
            Some(end_year),
            Some(status),
        ) = (country_code, number, title, start_year, end_year, status)
        else {
            return Err(ApiError::internal(
                "action plan reader lost a required field",
            ));
        };
        Ok(Self {
            country_code,
            local_member_slug,
            number,
            title,
            start_year,
            end_year,
            status,
            submitted_on,
            public_influence,
            multistakeholder_forum,
            source_url,
        })
    }
}

/// The create-body form of this plan, the base a merge patch applies to.
impl From<&ActionPlan> for NewActionPlan {
    fn from(plan: &ActionPlan) -> Self {
        Self {
            country_code: plan.country_code.clone(),
            local_member_slug: plan.local_member_slug.clone(),
            number: plan.number,
            title: plan.title.clone(),
            start_year: plan.start_year,
            end_year: plan.end_year,
            status: plan.status,
            submitted_on: plan.submitted_on,
            public_influence: plan.public_influence,
            multistakeholder_forum: plan.multistakeholder_forum,
            source_url: plan.source_url.clone(),
        }
    }
}

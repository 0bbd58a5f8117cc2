//! IRM finding types: the response, the create body, and the row the server writes (the body
//! plus the verdicts it derives).

use super::verdicts::{self, Ratings};
use crate::body::{FieldSet, Fields};
use crate::error::{ApiError, FieldError};
use crate::resources::commitments::model::check_distinct;
use crate::schema::irm_findings;
use crate::vocab::{
    Completion, DidItOpenGovernment, FindingKind, OgpValue, PotentialForResults, PotentialImpact,
    Report, Specificity, VerdictBasis,
};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// One statement of one IRM report about an action plan, or (for assessments) about one of
/// its commitments.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = irm_findings, check_for_backend(diesel::pg::Pg))]
pub struct IrmFinding {
    /// Server-assigned id; the key.
    pub id: i64,
    /// The action plan the report is about.
    pub action_plan_id: i64,
    /// The commitment assessed (assessments), or that the statement concerns.
    pub commitment_id: Option<i64>,
    /// The IRM report it comes from.
    pub report: Report,
    /// What it states.
    pub kind: FindingKind,
    /// Heading, when the report gives one.
    pub title: Option<String>,
    /// The text.
    pub body: Option<String>,
    /// Order within the report (recommendations are numbered by it).
    pub position: Option<i32>,
    /// When the report was published.
    pub published_on: Option<NaiveDate>,
    /// Where the report is published.
    pub source_url: Option<String>,
    /// Assessment rating: specificity.
    pub specificity: Option<Specificity>,
    /// Assessment rating: the OGP values it is relevant to (`[]`: none; `null`: not rated).
    pub relevance: Option<Vec<OgpValue>>,
    /// Assessment rating: potential impact.
    pub potential_impact: Option<PotentialImpact>,
    /// Assessment rating (2020+ method): potential for results.
    pub potential_for_results: Option<PotentialForResults>,
    /// Assessment rating: completion.
    pub completion: Option<Completion>,
    /// Assessment rating: did it open government?
    pub did_it_open_government: Option<DidItOpenGovernment>,
    /// Assessment verdict: well-designed? (`null`: unknown).
    pub well_designed: Option<bool>,
    /// Where `well_designed` comes from: `published` by the IRM or `derived` from the ratings.
    pub well_designed_basis: Option<VerdictBasis>,
    /// Assessment verdict: starred? (`null`: unknown).
    pub starred: Option<bool>,
    /// Where `starred` comes from: `published` by the IRM or `derived` from the ratings.
    pub starred_basis: Option<VerdictBasis>,
    /// Process criterion: no public engagement in developing the plan.
    pub no_public_engagement: Option<bool>,
    /// Process criterion: the government did not engage with the IRM.
    pub irm_not_engaged: Option<bool>,
    /// Process criterion: no progress on any commitment.
    pub no_progress_on_any_commitment: Option<bool>,
    /// Process verdict (derived): the country acted contrary to OGP process, i.e. any of the
    /// three criteria holds.
    pub acted_contrary_to_process: Option<bool>,
    /// When the record was created (server-set).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (server-set).
    pub updated_at: DateTime<Utc>,
    /// 1 on create, +1 on every update; the ETag is `"<version>"`.
    pub version: i32,
}

/// An IRM finding to create. In a PATCH every field is optional (JSON Merge Patch).
///
/// Which fields a finding takes depends on `kind`: ratings and verdicts only on an
/// `assessment` (which needs `commitment_id`); the three criteria on a `process` finding
/// (required there); `body` is required on `performance`, `recommendation` and `summary`;
/// `position` on `recommendation`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewIrmFinding {
    /// The action plan the report is about; it must exist.
    pub action_plan_id: i64,
    /// The commitment (required for assessments); it must belong to `action_plan_id`.
    pub commitment_id: Option<i64>,
    /// The IRM report it comes from.
    pub report: Report,
    /// What it states.
    pub kind: FindingKind,
    /// Heading, 1–1000 characters.
    #[schema(max_length = 1000)]
    pub title: Option<String>,
    /// The text, up to 100 000 characters.
    #[schema(max_length = 100000)]
    pub body: Option<String>,
    /// Order within the report, ≥ 1 (required for recommendations; unique per report).
    #[schema(minimum = 1)]
    pub position: Option<i32>,
    /// When the report was published (`YYYY-MM-DD`).
    pub published_on: Option<NaiveDate>,
    /// Where the report is published: an `http(s)://` URL.
    #[schema(max_length = 2000)]
    pub source_url: Option<String>,
    /// Assessment rating: specificity.
    pub specificity: Option<Specificity>,
    /// Assessment rating: the OGP values it is relevant to, each at most once.
    pub relevance: Option<Vec<OgpValue>>,
    /// Assessment rating: potential impact.
    pub potential_impact: Option<PotentialImpact>,
    /// Assessment rating (2020+ method): potential for results.
    pub potential_for_results: Option<PotentialForResults>,
    /// Assessment rating: completion.
    pub completion: Option<Completion>,
    /// Assessment rating: did it open government?
    pub did_it_open_government: Option<DidItOpenGovernment>,
    /// The IRM's published "well-designed?" verdict. Omit to let the server derive it from
    /// the ratings; a published verdict the ratings contradict is refused (422).
    pub well_designed: Option<bool>,
    /// The IRM's published "starred?" verdict. Omit to let the server derive it; a
    /// published verdict the ratings contradict is refused (422).
    pub starred: Option<bool>,
    /// Process criterion (required on `process` findings): no public engagement.
    pub no_public_engagement: Option<bool>,
    /// Process criterion (required on `process` findings): the government did not engage
    /// with the IRM.
    pub irm_not_engaged: Option<bool>,
    /// Process criterion (required on `process` findings): no progress on any commitment.
    pub no_progress_on_any_commitment: Option<bool>,
}

crate::openapi::merge_patch!(IrmFindingPatch, NewIrmFinding);

/// The row written: the body plus the verdicts resolved against the ratings.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = irm_findings, treat_none_as_null = true)]
pub struct IrmFindingRow {
    pub action_plan_id: i64,
    pub commitment_id: Option<i64>,
    pub report: Report,
    pub kind: FindingKind,
    pub title: Option<String>,
    pub body: Option<String>,
    pub position: Option<i32>,
    pub published_on: Option<NaiveDate>,
    pub source_url: Option<String>,
    pub specificity: Option<Specificity>,
    pub relevance: Option<Vec<OgpValue>>,
    pub potential_impact: Option<PotentialImpact>,
    pub potential_for_results: Option<PotentialForResults>,
    pub completion: Option<Completion>,
    pub did_it_open_government: Option<DidItOpenGovernment>,
    pub well_designed: Option<bool>,
    pub well_designed_basis: Option<VerdictBasis>,
    pub starred: Option<bool>,
    pub starred_basis: Option<VerdictBasis>,
    pub no_public_engagement: Option<bool>,
    pub irm_not_engaged: Option<bool>,
    pub no_progress_on_any_commitment: Option<bool>,
}

/// Fields only an assessment carries.
const ASSESSMENT_ONLY: &[&str] = &[
    "specificity",
    "relevance",
    "potential_impact",
    "potential_for_results",
    "completion",
    "did_it_open_government",
    "well_designed",
    "starred",
];

/// Fields only a process finding carries.
const PROCESS_ONLY: &[&str] = &[
    "no_public_engagement",
    "irm_not_engaged",
    "no_progress_on_any_commitment",
];

impl NewIrmFinding {
    pub const FIELDS: FieldSet = FieldSet {
        writable: &[
            "action_plan_id",
            "commitment_id",
            "report",
            "kind",
            "title",
            "body",
            "position",
            "published_on",
            "source_url",
            "specificity",
            "relevance",
            "potential_impact",
            "potential_for_results",
            "completion",
            "did_it_open_government",
            "well_designed",
            "starred",
            "no_public_engagement",
            "irm_not_engaged",
            "no_progress_on_any_commitment",
        ],
        read_only: &[
            "id",
            "well_designed_basis",
            "starred_basis",
            "acted_contrary_to_process",
            "created_at",
            "updated_at",
            "version",
        ],
    };

    /// Validates a body, naming every bad field. The verdicts are checked against the ratings
    /// later, by [`NewIrmFinding::into_row`], which needs the plan's start year.
    pub fn from_fields(mut f: Fields) -> Result<Self, ApiError> {
        let action_plan_id = f.required::<i64>("action_plan_id");
        if let Some(id) = action_plan_id {
            f.ensure(id >= 1, "action_plan_id", "must be a positive id");
        }
        let commitment_id = f.nullable::<i64>("commitment_id");
        if let Some(id) = commitment_id {
            f.ensure(id >= 1, "commitment_id", "must be a positive id");
        }
        let report = f.required::<Report>("report");
        let kind = f.required::<FindingKind>("kind");
        let title = f.nullable_text("title", 1000);
        let body = f.nullable_text("body", 100_000);
        let position = f.nullable::<i32>("position");
        if let Some(position) = position {
            f.ensure(position >= 1, "position", "must be 1 or more");
        }
        let published_on = f.nullable_date("published_on");
        let source_url = f.nullable_url("source_url");
        let relevance = f.nullable::<Vec<OgpValue>>("relevance");
        if let Some(values) = &relevance {
            check_distinct(&mut f, "relevance", values);
        }
        // The placeholders below never escape: a missing required field fails `finish()`.
        let finding = Self {
            action_plan_id: action_plan_id.unwrap_or_default(),
            commitment_id,
            report: report.unwrap_or(Report::DesignReport),
            kind: kind.unwrap_or(FindingKind::Summary),
            title,
            body,
            position,
            published_on,
            source_url,
            specificity: f.nullable("specificity"),
            relevance,
            potential_impact: f.nullable("potential_impact"),
            potential_for_results: f.nullable("potential_for_results"),
            completion: f.nullable("completion"),
            did_it_open_government: f.nullable("did_it_open_government"),
            well_designed: f.nullable("well_designed"),
            starred: f.nullable("starred"),
            no_public_engagement: f.nullable("no_public_engagement"),
            irm_not_engaged: f.nullable("irm_not_engaged"),
            no_progress_on_any_commitment: f.nullable("no_progress_on_any_commitment"),
        };
        if let Some(kind) = kind {
            check_kind(&mut f, kind);
        }
        f.finish()?;
        Ok(finding)
    }

    /// The row to write, with each verdict resolved: as published, else derived from the
    /// ratings. A published verdict the ratings contradict is a 422 on that field.
    pub fn into_row(self, plan_start_year: i32) -> Result<IrmFindingRow, ApiError> {
        let ratings = Ratings {
            specificity: self.specificity,
            relevance: self.relevance.as_deref(),
            potential_impact: self.potential_impact,
            completion: self.completion,
        };
        let assessment = self.kind == FindingKind::Assessment;
        let derived_well = assessment
            .then(|| verdicts::well_designed(&ratings))
            .flatten();
        let derived_star = assessment
            .then(|| verdicts::starred(&ratings, plan_start_year))
            .flatten();
        let mut errors = Vec::new();
        let mut verdict = |field: &str, published, derived| {
            verdicts::resolve(published, derived).unwrap_or_else(|derived| {
                errors.push(FieldError::new(
                    field,
                    format!("contradicts the ratings, which make it {derived}; omit it to use the derived verdict"),
                ));
                verdicts::Verdict { value: None, basis: None }
            })
        };
        let well = verdict("well_designed", self.well_designed, derived_well);
        let star = verdict("starred", self.starred, derived_star);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok(IrmFindingRow {
            action_plan_id: self.action_plan_id,
            commitment_id: self.commitment_id,
            report: self.report,
            kind: self.kind,
            title: self.title,
            body: self.body,
            position: self.position,
            published_on: self.published_on,
            source_url: self.source_url,
            specificity: self.specificity,
            relevance: self.relevance,
            potential_impact: self.potential_impact,
            potential_for_results: self.potential_for_results,
            completion: self.completion,
            did_it_open_government: self.did_it_open_government,
            well_designed: well.value,
            well_designed_basis: well.basis,
            starred: star.value,
            starred_basis: star.basis,
            no_public_engagement: self.no_public_engagement,
            irm_not_engaged: self.irm_not_engaged,
            no_progress_on_any_commitment: self.no_progress_on_any_commitment,
        })
    }
}

/// The per-kind rules: which fields a kind requires and which it refuses.
fn check_kind(f: &mut Fields, kind: FindingKind) {
    if kind != FindingKind::Assessment {
        for field in ASSESSMENT_ONLY {
            if f.has(field) && !f.has_error(field) {
                f.error(
                    field,
                    format!("only an assessment carries it (kind is `{kind}`)"),
                );
            }
        }
    } else if !f.has("commitment_id") && !f.has_error("commitment_id") {
        f.error("commitment_id", "is required for an assessment");
    }
    if kind == FindingKind::Process {
        for field in PROCESS_ONLY {
            if !f.has(field) && !f.has_error(field) {
                f.error(field, "is required for a process finding (true or false)");
            }
        }
    } else {
        for field in PROCESS_ONLY {
            if f.has(field) && !f.has_error(field) {
                f.error(
                    field,
                    format!("only a process finding carries it (kind is `{kind}`)"),
                );
            }
        }
    }
    let needs_body = matches!(
        kind,
        FindingKind::Performance | FindingKind::Recommendation | FindingKind::Summary
    );
    if needs_body && !f.has("body") && !f.has_error("body") {
        f.error("body", format!("is required for a `{kind}` finding"));
    }
    if kind == FindingKind::Recommendation && !f.has("position") && !f.has_error("position") {
        f.error("position", "is required for a recommendation (its number)");
    }
}

impl IrmFinding {
    /// The create-body form of this finding, the base a merge patch applies to. Derived
    /// verdicts are left out, so they follow the ratings after the patch.
    pub fn to_input(&self) -> NewIrmFinding {
        let published =
            |value: Option<bool>, basis| value.filter(|_| basis == Some(VerdictBasis::Published));
        NewIrmFinding {
            action_plan_id: self.action_plan_id,
            commitment_id: self.commitment_id,
            report: self.report,
            kind: self.kind,
            title: self.title.clone(),
            body: self.body.clone(),
            position: self.position,
            published_on: self.published_on,
            source_url: self.source_url.clone(),
            specificity: self.specificity,
            relevance: self.relevance.clone(),
            potential_impact: self.potential_impact,
            potential_for_results: self.potential_for_results,
            completion: self.completion,
            did_it_open_government: self.did_it_open_government,
            well_designed: published(self.well_designed, self.well_designed_basis),
            starred: published(self.starred, self.starred_basis),
            no_public_engagement: self.no_public_engagement,
            irm_not_engaged: self.irm_not_engaged,
            no_progress_on_any_commitment: self.no_progress_on_any_commitment,
        }
    }
}

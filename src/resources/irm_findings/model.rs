//! IRM finding types: the response, the create body, and the row the server writes (the body
//! plus the verdicts it derives, `row.rs`). Which fields a finding may carry depends on its kind
//! and on its report's era (`rules.rs`, docs/irm-method.md).

use super::rules;
use crate::body::{check_distinct, FieldSet, Fields, FromFields};
use crate::error::ApiError;
use crate::schema::irm_findings;
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, FindingKind, OgpValue, PotentialForResults,
    PotentialImpact, Report, Specificity, VerdictBasis,
};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// One statement of one IRM report about an action plan, or (for assessments) about one of
/// its commitments. Each indicator, verdict and process criterion is `null` where the IRM did
/// not rate it; a verdict's `*_basis` says whether it was `published`, `derived` by the rule of
/// the report's era, or is `not_applicable` (the IRM gave no such verdict on that report).
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = irm_findings, check_for_backend(diesel::pg::Pg))]
// A whole real example (the IRM's Action Plan Review of Ghana's 2021-2023 plan on GH0038,
// data/): the 2021+ indicators rated, the verdicts of other eras not applicable.
#[schema(example = json!({
    "id": 13, "action_plan_id": 2, "commitment_id": 3, "report": "action_plan_review",
    "kind": "assessment", "title": null, "body": null, "position": null, "published_on": null,
    "source_url": "https://opengovpartnership.org/members/ghana/commitments/GH0038",
    "specificity": null, "relevance": null, "potential_impact": null,
    "potential_for_results": null, "completion": null, "did_it_open_government": null,
    "verifiable": true, "open_government_lens": true, "early_results": null,
    "well_designed": null, "well_designed_basis": "not_applicable",
    "starred": null, "starred_basis": "not_applicable",
    "potentially_starred": null, "potentially_starred_basis": "not_applicable",
    "promising": null, "promising_basis": null,
    "no_public_engagement": null, "irm_not_engaged": null, "late_action_plan": null,
    "iap2_minimum_not_met": null, "no_online_repository": null,
    "co_creation_minimum_not_met": null, "no_progress_on_any_commitment": null,
    "acted_contrary_to_process": null, "acted_contrary_to_process_basis": null,
    "created_at": "2026-11-30T09:00:00Z", "updated_at": "2026-11-30T09:00:00Z", "version": 1
}))]
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
    /// Assessment rating (progress, mid-term, end-of-term, implementation and transitional
    /// results reports): specificity.
    pub specificity: Option<Specificity>,
    /// Assessment rating (reports up to 2021): the OGP values it is relevant to (`[]`: none;
    /// `null`: not rated).
    pub relevance: Option<Vec<OgpValue>>,
    /// Assessment rating (reports up to 2021): potential impact.
    pub potential_impact: Option<PotentialImpact>,
    /// Assessment rating (action plan reviews and results reports): potential for results.
    pub potential_for_results: Option<PotentialForResults>,
    /// Assessment rating (any report with assessments): completion.
    pub completion: Option<Completion>,
    /// Assessment rating (end-of-term, implementation and transitional results reports, and
    /// results reports of plans starting before 2021): did it open government?
    pub did_it_open_government: Option<DidItOpenGovernment>,
    /// Assessment rating (design reports, action plan reviews, results reports): verifiable?
    /// A commitment that is not verifiable is not assessed further.
    pub verifiable: Option<bool>,
    /// Assessment rating (action plan reviews and results reports): does it have an open
    /// government lens?
    pub open_government_lens: Option<bool>,
    /// Assessment rating (results reports of plans from 2021): early results.
    pub early_results: Option<EarlyResults>,
    /// Assessment verdict: well-designed? (progress, mid-term and end-of-term reports of
    /// 2016–2019; `null`: unknown or not applicable, see the basis).
    pub well_designed: Option<bool>,
    /// Where `well_designed` comes from.
    pub well_designed_basis: Option<VerdictBasis>,
    /// Assessment verdict: starred? (reports of 2014–2021 that awarded stars; `null`: unknown
    /// or not applicable, see the basis).
    pub starred: Option<bool>,
    /// Where `starred` comes from.
    pub starred_basis: Option<VerdictBasis>,
    /// Assessment verdict (design reports, published only): potentially starred?
    pub potentially_starred: Option<bool>,
    /// Where `potentially_starred` comes from: `published`, `not_applicable` or `null`.
    pub potentially_starred_basis: Option<VerdictBasis>,
    /// Assessment verdict (action plan reviews, published only): one of the plan's promising
    /// commitments?
    pub promising: Option<bool>,
    /// Where `promising` comes from: `published`, `not_applicable` or `null`.
    pub promising_basis: Option<VerdictBasis>,
    /// Process criterion (2014–2017): no public engagement in developing the plan.
    pub no_public_engagement: Option<bool>,
    /// Process criterion (2014–2017): the government did not engage with the IRM.
    pub irm_not_engaged: Option<bool>,
    /// Process criterion (2017–2021: more than 4 months late; from 2022: no plan within 12
    /// months of the last one's end): the action plan was late.
    pub late_action_plan: Option<bool>,
    /// Process criterion (2017–2021): IAP2 "involve" during development or "inform" during
    /// implementation not reached.
    pub iap2_minimum_not_met: Option<bool>,
    /// Process criterion (2017–2021): no online repository.
    pub no_online_repository: Option<bool>,
    /// Process criterion (from 2022): the Participation & Co-Creation Standards' minimum
    /// requirements not met.
    pub co_creation_minimum_not_met: Option<bool>,
    /// Process criterion (every era): no progress on any commitment.
    pub no_progress_on_any_commitment: Option<bool>,
    /// Process verdict: the country acted contrary to OGP process.
    pub acted_contrary_to_process: Option<bool>,
    /// Where `acted_contrary_to_process` comes from: `published`, or `derived` from the
    /// criteria of the report's era (any true → true, all false → false).
    pub acted_contrary_to_process_basis: Option<VerdictBasis>,
    /// When the record was created (server-set).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (server-set).
    pub updated_at: DateTime<Utc>,
    /// 1 on create, +1 on every update; the ETag is `"<version>"`.
    pub version: i32,
}

/// An IRM finding to create. In a PATCH every field is optional (JSON Merge Patch).
///
/// Which fields a finding takes depends on `kind` and on the era of `report`
/// (docs/irm-method.md): ratings and verdicts only on an `assessment` (which needs
/// `commitment_id`; a co-creation brief holds none), each indicator only on the report types
/// that rated it, process criteria only on a `process` finding and only those of the report's
/// era; `body` is required on `performance`, `recommendation` and `summary`; `position` on
/// `recommendation`. A field outside its era is a 422 naming the report types where it belongs.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "action_plan_id": 2, "commitment_id": 3, "report": "action_plan_review",
    "kind": "assessment", "verifiable": true, "open_government_lens": true,
    "source_url": "https://opengovpartnership.org/members/ghana/commitments/GH0038"
}))]
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
    /// When the report was published (`YYYY-MM-DD`); its year decides the era's verdict rules.
    pub published_on: Option<NaiveDate>,
    /// Where the report is published: an `http(s)://` URL.
    #[schema(max_length = 2000)]
    pub source_url: Option<String>,
    /// Assessment rating: specificity (progress, mid-term, end-of-term, implementation and
    /// transitional results reports).
    pub specificity: Option<Specificity>,
    /// Assessment rating: the OGP values it is relevant to, each at most once (reports up to
    /// 2021).
    pub relevance: Option<Vec<OgpValue>>,
    /// Assessment rating: potential impact (reports up to 2021).
    pub potential_impact: Option<PotentialImpact>,
    /// Assessment rating: potential for results (action plan reviews, results reports).
    pub potential_for_results: Option<PotentialForResults>,
    /// Assessment rating: completion.
    pub completion: Option<Completion>,
    /// Assessment rating: did it open government? (end-of-term, implementation, transitional
    /// results reports; results reports of plans starting before 2021).
    pub did_it_open_government: Option<DidItOpenGovernment>,
    /// Assessment rating: verifiable? (design reports, action plan reviews, results reports).
    /// `false` means the IRM assessed it no further: other ratings are then refused.
    pub verifiable: Option<bool>,
    /// Assessment rating: open government lens? (action plan reviews, results reports).
    pub open_government_lens: Option<bool>,
    /// Assessment rating: early results (results reports of plans from 2021).
    pub early_results: Option<EarlyResults>,
    /// The IRM's published "well-designed?" verdict (progress, mid-term and end-of-term reports
    /// of 2016–2019). Omit to let the server derive it; a published verdict the ratings contradict,
    /// or one on a report without this verdict, is refused (422).
    pub well_designed: Option<bool>,
    /// The IRM's published "starred?" verdict (reports of 2014–2021 that awarded stars). Omit to
    /// let the server derive it; a contradicted or not applicable one is refused (422).
    pub starred: Option<bool>,
    /// The IRM's published "potentially starred" verdict (design reports only; never derived).
    pub potentially_starred: Option<bool>,
    /// The IRM's published "promising commitment" selection (action plan reviews only; never
    /// derived).
    pub promising: Option<bool>,
    /// Process criterion (2014–2017 reports): no public engagement.
    pub no_public_engagement: Option<bool>,
    /// Process criterion (2014–2017 reports): the government did not engage with the IRM.
    pub irm_not_engaged: Option<bool>,
    /// Process criterion (reports from 2019): the action plan was late.
    pub late_action_plan: Option<bool>,
    /// Process criterion (2019–2021 reports): IAP2 minimum not met.
    pub iap2_minimum_not_met: Option<bool>,
    /// Process criterion (2019–2021 reports): no online repository.
    pub no_online_repository: Option<bool>,
    /// Process criterion (reports from 2021): co-creation standards' minimum not met.
    pub co_creation_minimum_not_met: Option<bool>,
    /// Process criterion (every era): no progress on any commitment.
    pub no_progress_on_any_commitment: Option<bool>,
    /// The IRM's published process verdict ("acted contrary to OGP process: yes/no"). Omit to
    /// derive it from the criteria; one the criteria contradict is refused (422).
    pub acted_contrary_to_process: Option<bool>,
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
    pub verifiable: Option<bool>,
    pub open_government_lens: Option<bool>,
    pub early_results: Option<EarlyResults>,
    pub well_designed: Option<bool>,
    pub well_designed_basis: Option<VerdictBasis>,
    pub starred: Option<bool>,
    pub starred_basis: Option<VerdictBasis>,
    /// Published only; its basis is a generated column (`published` / `not_applicable`).
    pub potentially_starred: Option<bool>,
    /// Published only; its basis is a generated column.
    pub promising: Option<bool>,
    pub no_public_engagement: Option<bool>,
    pub irm_not_engaged: Option<bool>,
    pub late_action_plan: Option<bool>,
    pub iap2_minimum_not_met: Option<bool>,
    pub no_online_repository: Option<bool>,
    pub co_creation_minimum_not_met: Option<bool>,
    pub no_progress_on_any_commitment: Option<bool>,
    pub acted_contrary_to_process: Option<bool>,
    pub acted_contrary_to_process_basis: Option<VerdictBasis>,
}

impl FromFields for NewIrmFinding {
    const FIELDS: FieldSet = FieldSet {
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
            "verifiable",
            "open_government_lens",
            "early_results",
            "well_designed",
            "starred",
            "potentially_starred",
            "promising",
            "no_public_engagement",
            "irm_not_engaged",
            "late_action_plan",
            "iap2_minimum_not_met",
            "no_online_repository",
            "co_creation_minimum_not_met",
            "no_progress_on_any_commitment",
            "acted_contrary_to_process",
        ],
        read_only: &[
            "id",
            "well_designed_basis",
            "starred_basis",
            "potentially_starred_basis",
            "promising_basis",
            "acted_contrary_to_process_basis",
            "created_at",
            "updated_at",
            "version",
        ],
    };

    /// Validates a body, naming every bad field, including the fields its kind and its
    /// report's era do not take. The rules that need the plan (its years) are checked later,
    /// by [`NewIrmFinding::into_row`].
    fn from_fields(mut f: Fields) -> Result<Self, ApiError> {
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
            verifiable: f.nullable("verifiable"),
            open_government_lens: f.nullable("open_government_lens"),
            early_results: f.nullable("early_results"),
            well_designed: f.nullable("well_designed"),
            starred: f.nullable("starred"),
            potentially_starred: f.nullable("potentially_starred"),
            promising: f.nullable("promising"),
            no_public_engagement: f.nullable("no_public_engagement"),
            irm_not_engaged: f.nullable("irm_not_engaged"),
            late_action_plan: f.nullable("late_action_plan"),
            iap2_minimum_not_met: f.nullable("iap2_minimum_not_met"),
            no_online_repository: f.nullable("no_online_repository"),
            co_creation_minimum_not_met: f.nullable("co_creation_minimum_not_met"),
            no_progress_on_any_commitment: f.nullable("no_progress_on_any_commitment"),
            acted_contrary_to_process: f.nullable("acted_contrary_to_process"),
        };
        if let Some(kind) = kind {
            rules::check_kind(&mut f, kind);
            if let Some(report) = report {
                rules::check_era(&mut f, kind, report);
            }
        }
        if finding.verifiable == Some(false) {
            rules::check_not_assessed_further(&mut f);
        }
        f.finish()?;
        Ok(finding)
    }
}

/// The create-body form of this finding, the base a merge patch applies to. Derived and
/// not applicable verdicts are left out, so they follow the ratings after the patch.
impl From<&IrmFinding> for NewIrmFinding {
    fn from(finding: &IrmFinding) -> Self {
        let published =
            |value: Option<bool>, basis| value.filter(|_| basis == Some(VerdictBasis::Published));
        Self {
            action_plan_id: finding.action_plan_id,
            commitment_id: finding.commitment_id,
            report: finding.report,
            kind: finding.kind,
            title: finding.title.clone(),
            body: finding.body.clone(),
            position: finding.position,
            published_on: finding.published_on,
            source_url: finding.source_url.clone(),
            specificity: finding.specificity,
            relevance: finding.relevance.clone(),
            potential_impact: finding.potential_impact,
            potential_for_results: finding.potential_for_results,
            completion: finding.completion,
            did_it_open_government: finding.did_it_open_government,
            verifiable: finding.verifiable,
            open_government_lens: finding.open_government_lens,
            early_results: finding.early_results,
            well_designed: published(finding.well_designed, finding.well_designed_basis),
            starred: published(finding.starred, finding.starred_basis),
            potentially_starred: published(
                finding.potentially_starred,
                finding.potentially_starred_basis,
            ),
            promising: published(finding.promising, finding.promising_basis),
            no_public_engagement: finding.no_public_engagement,
            irm_not_engaged: finding.irm_not_engaged,
            late_action_plan: finding.late_action_plan,
            iap2_minimum_not_met: finding.iap2_minimum_not_met,
            no_online_repository: finding.no_online_repository,
            co_creation_minimum_not_met: finding.co_creation_minimum_not_met,
            no_progress_on_any_commitment: finding.no_progress_on_any_commitment,
            acted_contrary_to_process: published(
                finding.acted_contrary_to_process,
                finding.acted_contrary_to_process_basis,
            ),
        }
    }
}

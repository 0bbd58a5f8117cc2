//! `GET /action-plans/{id}/irm-summary?report=…`: an IRM report page about one plan, as data:
//! the headline, the "at a glance" counts the IRM prints for that type of report, each
//! commitment with the ratings and verdicts of the report's era, the process verdict with its
//! era's criteria, the performance narrative and the numbered recommendations.

use super::TAG;
use crate::data_version::revalidate;
use crate::db::keyed::Keyed;
use crate::db::ReadPool;
use crate::error::ApiError;
use crate::listing::response::json_with_body_etag;
use crate::openapi::ItemProblems;
use crate::resources::action_plans::model::ActionPlan;
use crate::resources::commitments;
use crate::resources::irm_findings::eras;
use crate::resources::irm_findings::{self, model::IrmFinding};
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, FindingKind, PotentialForResults,
    PotentialImpact, Report, VerdictBasis,
};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[path = "irm_glance.rs"]
mod glance;

/// One commitment of the plan, with the report's ratings and verdicts on it (each `null` where
/// the report did not rate it).
#[derive(Debug, Serialize, ToSchema)]
pub struct Highlight {
    /// The commitment.
    pub commitment_id: i64,
    /// Its number within the plan.
    pub number: i32,
    /// Its theme.
    pub theme: Option<String>,
    /// Its title.
    pub title: String,
    /// The report's assessment of it, if the report assessed it.
    pub assessment_id: Option<i64>,
    /// "Well-designed?" (`null`: not assessed or unknown).
    pub well_designed: Option<bool>,
    /// Where `well_designed` comes from.
    pub well_designed_basis: Option<VerdictBasis>,
    /// "Starred?" (`null`: not assessed or unknown).
    pub starred: Option<bool>,
    /// Where `starred` comes from.
    pub starred_basis: Option<VerdictBasis>,
    /// "Potentially starred" (design reports).
    pub potentially_starred: Option<bool>,
    /// "Promising commitment" (action plan reviews).
    pub promising: Option<bool>,
    /// Verifiable (design reports, action plan reviews, results reports).
    pub verifiable: Option<bool>,
    /// Open government lens (action plan reviews, results reports).
    pub open_government_lens: Option<bool>,
    /// Potential for results (action plan reviews, results reports).
    pub potential_for_results: Option<PotentialForResults>,
    /// Potential impact (reports up to 2021).
    pub potential_impact: Option<PotentialImpact>,
    /// Completion.
    pub completion: Option<Completion>,
    /// Did it open government? (end-of-term, implementation, transitional results reports and
    /// results reports of plans before 2021).
    pub did_it_open_government: Option<DidItOpenGovernment>,
    /// Early results (results reports of plans from 2021).
    pub early_results: Option<EarlyResults>,
}

/// Whether the country acted contrary to OGP process, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessVerdict {
    /// The process finding.
    pub finding_id: i64,
    /// Acted contrary to OGP process (`null`: unknown).
    pub acted_contrary_to_process: Option<bool>,
    /// Where the verdict comes from: `published`, or `derived` from the criteria.
    pub acted_contrary_to_process_basis: Option<VerdictBasis>,
    /// The criteria of the report's era, in the IRM's order, each `true`, `false` or `null`
    /// (not recorded).
    #[schema(value_type = Object)]
    pub criteria: serde_json::Map<String, serde_json::Value>,
    /// The report's narrative on the process.
    pub body: Option<String>,
}

/// One line of the report's "at a glance" box.
#[derive(Debug, Serialize, ToSchema)]
pub struct GlanceCount {
    /// What is counted, as a field-like name (`commitments`, `starred`, `promising`, …).
    pub indicator: &'static str,
    /// The IRM's wording of the line.
    pub label: &'static str,
    /// How many of the plan's commitments it counts, from the stored assessments.
    pub count: i64,
}

/// A narrative finding (summary, performance) or a recommendation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Narrative {
    /// The finding.
    pub finding_id: i64,
    /// Its number (recommendations) or order.
    pub position: Option<i32>,
    /// Its heading.
    pub title: Option<String>,
    /// Its text.
    pub body: Option<String>,
}

/// An IRM report about one action plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct IrmSummary {
    /// The plan.
    pub action_plan: ActionPlan,
    /// The report summarized.
    pub report: Report,
    /// The report's headline narrative.
    pub summary: Option<Narrative>,
    /// The report's "at a glance" counts, the lines the IRM prints for this type of report,
    /// counted from the stored assessments.
    pub at_a_glance: Vec<GlanceCount>,
    /// Every commitment of the plan, by number, with the report's verdicts.
    pub highlights: Vec<Highlight>,
    /// The process verdict, when the report records one.
    pub process: Option<ProcessVerdict>,
    /// The performance narrative(s), in order.
    pub performance: Vec<Narrative>,
    /// The recommendations, by number.
    pub recommendations: Vec<Narrative>,
}

/// Query parameters of the IRM summary.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The IRM report to summarize.
    #[param(value_type = Report, required = true)]
    pub report: Option<String>,
}

fn narrative(finding: &IrmFinding) -> Narrative {
    Narrative {
        finding_id: finding.id,
        position: finding.position,
        title: finding.title.clone(),
        body: finding.body.clone(),
    }
}

fn assemble(
    plan: ActionPlan,
    report: Report,
    commitments: Vec<commitments::model::Commitment>,
    findings: Vec<IrmFinding>,
) -> IrmSummary {
    let of_kind = |kind: FindingKind| findings.iter().filter(move |f| f.kind == kind);
    let highlights: Vec<Highlight> = commitments
        .into_iter()
        .map(|c| {
            let assessment =
                of_kind(FindingKind::Assessment).find(|f| f.commitment_id == Some(c.id));
            Highlight {
                commitment_id: c.id,
                number: c.number,
                theme: c.theme,
                title: c.title,
                assessment_id: assessment.map(|a| a.id),
                well_designed: assessment.and_then(|a| a.well_designed),
                well_designed_basis: assessment.and_then(|a| a.well_designed_basis),
                starred: assessment.and_then(|a| a.starred),
                starred_basis: assessment.and_then(|a| a.starred_basis),
                potentially_starred: assessment.and_then(|a| a.potentially_starred),
                promising: assessment.and_then(|a| a.promising),
                verifiable: assessment.and_then(|a| a.verifiable),
                open_government_lens: assessment.and_then(|a| a.open_government_lens),
                potential_for_results: assessment.and_then(|a| a.potential_for_results),
                potential_impact: assessment.and_then(|a| a.potential_impact),
                completion: assessment.and_then(|a| a.completion),
                did_it_open_government: assessment.and_then(|a| a.did_it_open_government),
                early_results: assessment.and_then(|a| a.early_results),
            }
        })
        .collect();
    let process = of_kind(FindingKind::Process).next().map(|f| {
        let fields = serde_json::to_value(f).unwrap_or_default();
        let criteria = eras::criteria(report)
            .iter()
            .map(|name| (name.to_string(), fields[*name].clone()))
            .collect();
        ProcessVerdict {
            finding_id: f.id,
            acted_contrary_to_process: f.acted_contrary_to_process,
            acted_contrary_to_process_basis: f.acted_contrary_to_process_basis,
            criteria,
            body: f.body.clone(),
        }
    });
    let mut performance: Vec<&IrmFinding> = of_kind(FindingKind::Performance).collect();
    performance.sort_by_key(|f| (f.position.unwrap_or(i32::MAX), f.id));
    let mut recommendations: Vec<&IrmFinding> = of_kind(FindingKind::Recommendation).collect();
    recommendations.sort_by_key(|f| (f.position, f.id));
    IrmSummary {
        at_a_glance: glance::counts(report, &highlights),
        summary: of_kind(FindingKind::Summary).next().map(narrative),
        process,
        performance: performance.into_iter().map(narrative).collect(),
        recommendations: recommendations.into_iter().map(narrative).collect(),
        highlights,
        action_plan: plan,
        report,
    }
}

/// Get the IRM summary of an action plan
///
/// One IRM report about the plan as a dashboard needs it, in one call: the headline and the
/// report type's "at a glance" counts, each commitment with its theme and the ratings and
/// verdicts of the report's era, whether the country acted contrary to OGP process (with the
/// era's criteria), the performance narrative and the numbered recommendations.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), SummaryQuery),
    responses((status = 200, description = "The report as data", body = IrmSummary,
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        (status = 400, description = "`report` missing or invalid, or an unknown parameter",
            body = crate::error::Problem, content_type = "application/problem+json"),
        ItemProblems)
)]
#[get("/action-plans/{id}/irm-summary")]
pub async fn get_irm_summary(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
    params: web::Query<SummaryQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = match params.report.as_deref() {
        None => {
            return Err(ApiError::invalid_query(format!(
                "`report` is required: one of {}",
                Report::allowed()
            )))
        }
        Some(text) => text
            .parse::<Report>()
            .map_err(|e| ApiError::invalid_query(format!("`report` {e} (got `{text}`)")))?,
    };
    let id = id.into_inner();
    let mut conn = pool.conn().await?;
    // Before the plan's 404: a tag was only sent with a 200, so at its version the plan exists.
    if let Some(not_modified) = revalidate(&req, &mut conn, &[], false).await? {
        return Ok(not_modified);
    }
    let plan = ActionPlan::find(&mut conn, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no action plan has the id {id}")))?;
    let commitments = commitments::query::of_plans(&mut conn, &[id]).await?;
    let findings = irm_findings::query::of_plan_report(&mut conn, id, report).await?;
    Ok(json_with_body_etag(
        &req,
        &assemble(plan, report, commitments, findings),
    ))
}

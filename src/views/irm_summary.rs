//! `GET /action-plans/{id}/irm-summary?report=…`: an IRM report page about one plan, as data:
//! the headline, each commitment with its verdicts, the process verdict, the performance
//! narrative and the numbered recommendations.

use super::TAG;
use crate::db::ReadPool;
use crate::error::ApiError;
use crate::listing::response::json_with_body_etag;
use crate::openapi::ItemProblems;
use crate::resources::action_plans::{self, model::ActionPlan};
use crate::resources::commitments;
use crate::resources::irm_findings::{self, model::IrmFinding};
use crate::vocab::{FindingKind, Report, VerdictBasis};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One commitment of the plan, with the report's verdicts on it.
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
}

/// Whether the country acted contrary to OGP process, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessVerdict {
    /// The process finding.
    pub finding_id: i64,
    /// Any of the three criteria holds.
    pub acted_contrary_to_process: bool,
    /// No public engagement in developing the plan.
    pub no_public_engagement: bool,
    /// The government did not engage with the IRM.
    pub irm_not_engaged: bool,
    /// No progress on any commitment.
    pub no_progress_on_any_commitment: bool,
    /// The report's narrative on the process.
    pub body: Option<String>,
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
    let highlights = commitments
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
            }
        })
        .collect();
    let process = of_kind(FindingKind::Process)
        .next()
        .map(|f| ProcessVerdict {
            finding_id: f.id,
            acted_contrary_to_process: f.acted_contrary_to_process.unwrap_or(false),
            no_public_engagement: f.no_public_engagement.unwrap_or(false),
            irm_not_engaged: f.irm_not_engaged.unwrap_or(false),
            no_progress_on_any_commitment: f.no_progress_on_any_commitment.unwrap_or(false),
            body: f.body.clone(),
        });
    let mut performance: Vec<&IrmFinding> = of_kind(FindingKind::Performance).collect();
    performance.sort_by_key(|f| (f.position.unwrap_or(i32::MAX), f.id));
    let mut recommendations: Vec<&IrmFinding> = of_kind(FindingKind::Recommendation).collect();
    recommendations.sort_by_key(|f| (f.position, f.id));
    IrmSummary {
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
/// One IRM report about the plan as a dashboard needs it, in one call: the headline, each
/// commitment with its theme and verdicts, whether the country acted contrary to OGP process
/// (with the three criteria), the performance narrative and the numbered recommendations.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), SummaryQuery),
    responses((status = 200, description = "The report as data", body = IrmSummary,
        headers(("ETag" = String, description = "Weak ETag of the body"))),
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
    let plan = action_plans::query::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no action plan has the id {id}")))?;
    let commitments = commitments::query::of_plans(&mut conn, &[id]).await?;
    let findings = irm_findings::query::of_plan_report(&mut conn, id, report).await?;
    Ok(json_with_body_etag(
        &req,
        &assemble(plan, report, commitments, findings),
    ))
}

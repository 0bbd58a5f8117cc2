//! IRM finding SQL.

use super::model::{IrmFinding, IrmFindingRow};
use super::verdicts::{self, Ratings};
use crate::error::ApiError;
use crate::schema::irm_findings;
use crate::vocab::{FindingKind, VerdictBasis};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(irm_findings, IrmFinding, IrmFindingRow, i64);

/// After a plan's start year changed: re-derives the `starred` verdict of its assessments
/// (the rule depends on the era). A published verdict the new era contradicts makes the
/// change a 422 on `start_year`.
pub async fn rederive_starred(
    conn: &mut AsyncPgConnection,
    action_plan_id: i64,
    start_year: i32,
) -> Result<(), ApiError> {
    let assessments: Vec<IrmFinding> = irm_findings::table
        .filter(irm_findings::action_plan_id.eq(action_plan_id))
        .filter(irm_findings::kind.eq(FindingKind::Assessment))
        .select(IrmFinding::as_select())
        .for_update()
        .load(conn)
        .await?;
    for finding in assessments {
        let ratings = Ratings {
            specificity: finding.specificity,
            relevance: finding.relevance.as_deref(),
            potential_impact: finding.potential_impact,
            completion: finding.completion,
        };
        let derived = verdicts::starred(&ratings, start_year);
        let published = finding
            .starred
            .filter(|_| finding.starred_basis == Some(VerdictBasis::Published));
        let verdict = verdicts::resolve(published, derived).map_err(|_| {
            ApiError::invalid_field(
                "start_year",
                format!(
                    "IRM finding {} records a published `starred` verdict that the rule for plans \
                     starting in {start_year} contradicts",
                    finding.id
                ),
            )
        })?;
        if verdict.value != finding.starred || verdict.basis != finding.starred_basis {
            diesel::update(irm_findings::table.find(finding.id))
                .set((
                    irm_findings::starred.eq(verdict.value),
                    irm_findings::starred_basis.eq(verdict.basis),
                ))
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// The findings about these plans, by plan and id (for `include=irm_findings`).
pub async fn of_plans(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<IrmFinding>> {
    irm_findings::table
        .filter(irm_findings::action_plan_id.eq_any(ids))
        .order((irm_findings::action_plan_id, irm_findings::id))
        .select(IrmFinding::as_select())
        .load(conn)
        .await
}

/// The findings about these commitments, by commitment and id (for `include=irm_findings`).
pub async fn of_commitments(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<IrmFinding>> {
    irm_findings::table
        .filter(irm_findings::commitment_id.eq_any(ids))
        .order((irm_findings::commitment_id, irm_findings::id))
        .select(IrmFinding::as_select())
        .load(conn)
        .await
}

/// The findings of one report about one plan, by id.
pub async fn of_plan_report(
    conn: &mut AsyncPgConnection,
    action_plan_id: i64,
    report: crate::vocab::Report,
) -> QueryResult<Vec<IrmFinding>> {
    irm_findings::table
        .filter(irm_findings::action_plan_id.eq(action_plan_id))
        .filter(irm_findings::report.eq(report))
        .order(irm_findings::id)
        .select(IrmFinding::as_select())
        .load(conn)
        .await
}

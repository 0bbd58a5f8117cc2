//! IRM finding SQL.

use super::eras::PlanYears;
use super::model::{IrmFinding, IrmFindingRow, NewIrmFinding};
use crate::error::ApiError;
use crate::schema::irm_findings;
use crate::vocab::FindingKind;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(irm_findings, IrmFinding, IrmFindingRow, i64, id);

/// After a plan's years changed: re-checks its findings by the rules of their era (which
/// depends on the plan's years) and re-derives their verdicts. A finding the new years make
/// invalid (a published verdict the era contradicts, an indicator of the wrong generation)
/// makes the change a 422 on `field` (the plan's changed year).
pub async fn rederive_verdicts(
    conn: &mut AsyncPgConnection,
    action_plan_id: i64,
    plan: PlanYears,
    field: &str,
) -> Result<(), ApiError> {
    let findings: Vec<IrmFinding> = irm_findings::table
        .filter(irm_findings::action_plan_id.eq(action_plan_id))
        .filter(irm_findings::kind.eq(FindingKind::Assessment))
        .select(IrmFinding::as_select())
        .for_update()
        .load(conn)
        .await?;
    for finding in findings {
        let row = NewIrmFinding::from(&finding)
            .into_row(plan)
            .map_err(|error| {
                let reasons: Vec<String> = error
                    .errors
                    .iter()
                    .map(|e| format!("`{}` {}", e.field, e.message))
                    .collect();
                ApiError::invalid_field(
                    field,
                    format!(
                        "IRM finding {} would no longer hold with these plan years: {}",
                        finding.id,
                        reasons.join("; ")
                    ),
                )
            })?;
        let stored = (
            finding.well_designed,
            finding.well_designed_basis,
            finding.starred,
            finding.starred_basis,
        );
        if (
            row.well_designed,
            row.well_designed_basis,
            row.starred,
            row.starred_basis,
        ) != stored
        {
            diesel::update(irm_findings::table.find(finding.id))
                .set((
                    irm_findings::well_designed.eq(row.well_designed),
                    irm_findings::well_designed_basis.eq(row.well_designed_basis),
                    irm_findings::starred.eq(row.starred),
                    irm_findings::starred_basis.eq(row.starred_basis),
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

/// The years of a finding's plan, share-locked until the end of the transaction: they cannot
/// change while a finding whose verdicts depend on them is written.
pub async fn plan_years_for_share(
    conn: &mut AsyncPgConnection,
    action_plan_id: i64,
) -> QueryResult<Option<PlanYears>> {
    use crate::schema::action_plans;
    let years: Option<(i32, i32)> = action_plans::table
        .find(action_plan_id)
        .select((action_plans::start_year, action_plans::end_year))
        .for_share()
        .first(conn)
        .await
        .optional()?;
    Ok(years.map(|(start, end)| PlanYears { start, end }))
}

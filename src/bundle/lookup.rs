//! Rows by natural key (the keys are unique in the database: constraints of migrations
//! 2026-11-29-000002 to -000005 and the index of 2026-11-30-000012). Each query locks what it
//! finds until the import's transaction ends, so what was compared is what is written over.

use crate::resources::action_plans::model::ActionPlan;
use crate::resources::commitments::model::Commitment;
use crate::resources::irm_findings::model::IrmFinding;
use crate::resources::milestones::model::Milestone;
use crate::schema::{action_plans, commitments, irm_findings, milestones};
use crate::vocab::{FindingKind, Report};
use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The plan `number` of country `code`.
pub async fn plan(
    conn: &mut AsyncPgConnection,
    code: &str,
    number: i32,
) -> QueryResult<Option<ActionPlan>> {
    action_plans::table
        .filter(action_plans::country_code.eq(code))
        .filter(action_plans::number.eq(number))
        .select(ActionPlan::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The commitment `number` of plan `plan_id`.
pub async fn commitment(
    conn: &mut AsyncPgConnection,
    plan_id: i64,
    number: i32,
) -> QueryResult<Option<Commitment>> {
    commitments::table
        .filter(commitments::action_plan_id.eq(plan_id))
        .filter(commitments::number.eq(number))
        .select(Commitment::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The milestone at `position` of commitment `commitment_id`.
pub async fn milestone(
    conn: &mut AsyncPgConnection,
    commitment_id: i64,
    position: i32,
) -> QueryResult<Option<Milestone>> {
    milestones::table
        .filter(milestones::commitment_id.eq(commitment_id))
        .filter(milestones::position.eq(position))
        .select(Milestone::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The finding of plan `plan_id` in `report` of `kind`: an assessment by its commitment, any
/// other kind by its position (a null position is a key too).
pub async fn finding(
    conn: &mut AsyncPgConnection,
    plan_id: i64,
    report: Report,
    kind: FindingKind,
    commitment_id: Option<i64>,
    position: Option<i32>,
) -> QueryResult<Option<IrmFinding>> {
    let query = irm_findings::table
        .filter(irm_findings::action_plan_id.eq(plan_id))
        .filter(irm_findings::report.eq(report))
        .filter(irm_findings::kind.eq(kind))
        .select(IrmFinding::as_select());
    // Two queries, not one boxed: a locking clause cannot be boxed.
    if kind == FindingKind::Assessment {
        query
            .filter(irm_findings::commitment_id.is_not_distinct_from(commitment_id))
            .for_update()
            .first(conn)
            .await
            .optional()
    } else {
        query
            .filter(irm_findings::position.is_not_distinct_from(position))
            .for_update()
            .first(conn)
            .await
            .optional()
    }
}

//! `?prune=true`: after the upsert, the records under the bundle's scope that it no longer
//! holds are deleted, children first (findings, milestones, commitments, plans, local members),
//! in the same transaction. The scope: the local members and plans of the bundle's countries, the commitments and findings of
//! the bundle's plans (and of the plans pruned), the milestones of the bundle's commitments (and
//! of the commitments pruned). Records outside it (another country's plans, the milestones of a
//! commitment the bundle does not hold) are never touched. Each delete is a row delete, so the
//! change feed records each one.

use super::upsert::ImportOutcome;
use crate::error::ApiError;
use crate::schema::{action_plans, commitments, irm_findings, local_members, milestones};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// What the upsert wrote or found, by id: what pruning keeps.
#[derive(Debug, Default)]
pub struct Kept {
    pub countries: Vec<String>,
    pub local_members: Vec<String>,
    pub plans: Vec<i64>,
    pub commitments: Vec<i64>,
    pub milestones: Vec<i64>,
    pub findings: Vec<i64>,
}

/// Deletes what the bundle's scope holds beyond `kept`; counts it in `outcome`.
pub async fn prune(
    conn: &mut AsyncPgConnection,
    kept: &Kept,
    outcome: &mut ImportOutcome,
) -> Result<(), ApiError> {
    let plans: Vec<i64> = action_plans::table
        .filter(action_plans::country_code.eq_any(&kept.countries))
        .filter(diesel::dsl::not(action_plans::id.eq_any(&kept.plans)))
        .select(action_plans::id)
        .load(conn)
        .await?;
    let scope_plans: Vec<i64> = kept.plans.iter().chain(&plans).copied().collect();
    let commitments: Vec<i64> = commitments::table
        .filter(commitments::action_plan_id.eq_any(&scope_plans))
        .filter(diesel::dsl::not(commitments::id.eq_any(&kept.commitments)))
        .select(commitments::id)
        .load(conn)
        .await?;
    let scope_commitments: Vec<i64> = kept
        .commitments
        .iter()
        .chain(&commitments)
        .copied()
        .collect();

    let findings = diesel::delete(
        irm_findings::table
            .filter(irm_findings::action_plan_id.eq_any(&scope_plans))
            .filter(diesel::dsl::not(irm_findings::id.eq_any(&kept.findings))),
    )
    .execute(conn)
    .await?;
    let milestones = diesel::delete(
        milestones::table
            .filter(milestones::commitment_id.eq_any(&scope_commitments))
            .filter(diesel::dsl::not(milestones::id.eq_any(&kept.milestones))),
    )
    .execute(conn)
    .await?;
    let commitments =
        diesel::delete(commitments::table.filter(commitments::id.eq_any(&commitments)))
            .execute(conn)
            .await?;
    let plans = diesel::delete(action_plans::table.filter(action_plans::id.eq_any(&plans)))
        .execute(conn)
        .await?;
    // After the plans: a member's last plans may have gone just above.
    let members = diesel::delete(
        local_members::table
            .filter(local_members::country_code.eq_any(&kept.countries))
            .filter(diesel::dsl::not(
                local_members::slug.eq_any(&kept.local_members),
            )),
    )
    .execute(conn)
    .await?;
    outcome.local_members.deleted = members as u64;
    outcome.irm_findings.deleted = findings as u64;
    outcome.milestones.deleted = milestones as u64;
    outcome.commitments.deleted = commitments as u64;
    outcome.action_plans.deleted = plans as u64;
    Ok(())
}

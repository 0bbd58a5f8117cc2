//! An import's second step, inside its one transaction: each checked record upserted by its
//! natural key, parents first. A new record is inserted through the create flow's write
//! (`flow::store_new`); a changed one is updated through the update flow's (`Item::prepare`,
//! then `Item::store_update`: version + 1 and one change-feed entry, by the triggers); an
//! identical one (its create body equals the stored row's create-body form) is not written at
//! all, so neither its version nor the change feed moves.

use super::apply::ImportProgress;
use super::lookup;
use super::prune::Kept;
use super::validate::{Checked, CommitmentKey, PlanKey};
use crate::db::keyed::Keyed;
use crate::error::ApiError;
use crate::flow::{store_new, Item};
use crate::resources::action_plans::model::ActionPlan;
use crate::resources::commitments::model::Commitment;
use crate::resources::countries::model::Country;
use crate::resources::irm_findings::model::IrmFinding;
use crate::resources::milestones::model::Milestone;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// What an import did (or, in a dry run, would do) to one collection.
#[derive(Debug, Default, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
pub struct Counts {
    /// Records that were not in the database: inserted.
    pub created: u64,
    /// Records that differed from the stored one: updated (version + 1).
    pub updated: u64,
    /// Records identical to the stored one: not written.
    pub unchanged: u64,
    /// Records under the bundle's scope that it no longer holds: deleted (`?prune=true` only).
    pub deleted: u64,
}

/// The answer to an import.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ImportOutcome {
    /// Whether this was a dry run (`?dry_run=true`): the counts of what an import would do;
    /// nothing was written.
    pub dry_run: bool,
    pub countries: Counts,
    pub action_plans: Counts,
    pub commitments: Counts,
    pub milestones: Counts,
    pub irm_findings: Counts,
}

/// Inserts `input` when `existing` is `None`, updates `existing` when it differs, else leaves
/// it; counts which. Returns the stored row.
async fn upsert<T>(
    conn: &mut AsyncPgConnection,
    existing: Option<T>,
    input: T::Input,
    counts: &mut Counts,
) -> Result<T, ApiError>
where
    T: Item,
    T::Input: Serialize,
{
    let Some(current) = existing else {
        counts.created += 1;
        return store_new::<T>(conn, input).await;
    };
    let same = serde_json::to_value(T::Input::from(&current)).map_err(ApiError::internal)?
        == serde_json::to_value(&input).map_err(ApiError::internal)?;
    if same {
        counts.unchanged += 1;
        return Ok(current);
    }
    counts.updated += 1;
    let write = T::prepare(conn, input).await?;
    T::store_update(conn, &current, &write).await
}

/// An error of the write of the record at `pointer`, placed there.
fn at(pointer: String) -> impl FnOnce(ApiError) -> ApiError {
    move |mut error| {
        error.detail = format!("{} (at {pointer})", error.detail);
        error.errors = error
            .errors
            .into_iter()
            .map(|e| e.under(&pointer))
            .collect();
        error
    }
}

/// Ids of the parents written or found so far, by natural key.
#[derive(Default)]
struct Ids {
    plans: HashMap<PlanKey, i64>,
    commitments: HashMap<CommitmentKey, i64>,
}

impl Ids {
    async fn plan(&mut self, conn: &mut AsyncPgConnection, key: &PlanKey) -> Result<i64, ApiError> {
        if let Some(id) = self.plans.get(key) {
            return Ok(*id);
        }
        let plan = lookup::plan(conn, &key.0, key.1)
            .await?
            .ok_or_else(|| ApiError::internal(format!("checked plan {key:?} is gone")))?;
        self.plans.insert(key.clone(), plan.id);
        Ok(plan.id)
    }

    async fn commitment(
        &mut self,
        conn: &mut AsyncPgConnection,
        key: &CommitmentKey,
    ) -> Result<i64, ApiError> {
        if let Some(id) = self.commitments.get(key) {
            return Ok(*id);
        }
        let plan_id = self.plan(conn, &(key.0.clone(), key.1)).await?;
        let commitment = lookup::commitment(conn, plan_id, key.2)
            .await?
            .ok_or_else(|| ApiError::internal(format!("checked commitment {key:?} is gone")))?;
        self.commitments.insert(key.clone(), commitment.id);
        Ok(commitment.id)
    }
}

/// Writes every record of `checked`, parents first; returns the counts and what the bundle
/// holds (for pruning).
pub async fn write(
    conn: &mut AsyncPgConnection,
    checked: Checked,
    progress: &dyn ImportProgress,
) -> Result<(ImportOutcome, Kept), ApiError> {
    let total = (checked.countries.len()
        + checked.plans.len()
        + checked.commitments.len()
        + checked.milestones.len()
        + checked.findings.len()) as u64;
    let mut done = 0u64;
    let mut advance = || {
        done += 1;
        // Every 1000 records and at the end: a bar needs no more.
        if done % 1000 == 0 || done == total {
            progress.written(done, total);
        }
    };
    progress.written(0, total);
    let mut outcome = ImportOutcome::default();
    let mut kept = Kept::default();
    let mut ids = Ids::default();
    for (i, country) in checked.countries.into_iter().enumerate() {
        let existing = Country::find_for_update(conn, &country.code).await?;
        let stored = upsert::<Country>(conn, existing, country, &mut outcome.countries)
            .await
            .map_err(at(format!("/countries/{i}")))?;
        kept.countries.push(stored.code);
        advance();
    }
    for (i, plan) in checked.plans.into_iter().enumerate() {
        let key = (plan.country_code.clone(), plan.number);
        let existing = lookup::plan(conn, &key.0, key.1).await?;
        let stored = upsert::<ActionPlan>(conn, existing, plan, &mut outcome.action_plans)
            .await
            .map_err(at(format!("/action_plans/{i}")))?;
        ids.plans.insert(key, stored.id);
        kept.plans.push(stored.id);
        advance();
    }
    for (i, (plan_key, mut commitment)) in checked.commitments.into_iter().enumerate() {
        let plan_id = ids.plan(conn, &plan_key).await?;
        commitment.action_plan_id = plan_id;
        let key = (plan_key.0, plan_key.1, commitment.number);
        let existing = lookup::commitment(conn, plan_id, commitment.number).await?;
        let stored = upsert::<Commitment>(conn, existing, commitment, &mut outcome.commitments)
            .await
            .map_err(at(format!("/commitments/{i}")))?;
        ids.commitments.insert(key, stored.id);
        kept.commitments.push(stored.id);
        advance();
    }
    for (i, (commitment_key, mut milestone)) in checked.milestones.into_iter().enumerate() {
        let commitment_id = ids.commitment(conn, &commitment_key).await?;
        milestone.commitment_id = commitment_id;
        let existing = lookup::milestone(conn, commitment_id, milestone.position).await?;
        let stored = upsert::<Milestone>(conn, existing, milestone, &mut outcome.milestones)
            .await
            .map_err(at(format!("/milestones/{i}")))?;
        kept.milestones.push(stored.id);
        advance();
    }
    for (i, (plan_key, commitment_number, mut finding)) in checked.findings.into_iter().enumerate()
    {
        let plan_id = ids.plan(conn, &plan_key).await?;
        finding.action_plan_id = plan_id;
        finding.commitment_id = match commitment_number {
            Some(number) => Some(
                ids.commitment(conn, &(plan_key.0.clone(), plan_key.1, number))
                    .await?,
            ),
            None => None,
        };
        let existing = lookup::finding(
            conn,
            plan_id,
            finding.report,
            finding.kind,
            finding.commitment_id,
            finding.position,
        )
        .await?;
        let stored = upsert::<IrmFinding>(conn, existing, finding, &mut outcome.irm_findings)
            .await
            .map_err(at(format!("/irm_findings/{i}")))?;
        kept.findings.push(stored.id);
        advance();
    }
    Ok((outcome, kept))
}

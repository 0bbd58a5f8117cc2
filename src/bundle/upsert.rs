//! An import's second step, inside its one transaction: each checked record upserted by its
//! natural key, parents first. Countries, local members and plans go one by one: a new record is inserted
//! through the create flow's write (`flow::store_new`); commitments, milestones and findings in
//! batches (`super::batch`: one lookup and one multi-row insert per batch). A changed record is
//! updated through the update flow's write (`Item::prepare`, then `Item::store_update`:
//! version + 1 and one change-feed entry, by the triggers); an
//! identical one (its create body equals the stored row's create-body form) is not written at
//! all, so neither its version nor the change feed moves.

use super::apply::ImportProgress;
use super::batch::{self, at, unchanged, Pending, BATCH};
use super::lookup;
use super::prune::Kept;
use super::validate::{plan_of, Checked, CommitmentKey, PlanKey};
use crate::db::keyed::Keyed;
use crate::error::ApiError;
use crate::flow::{store_new, Item};
use crate::resources::action_plans::model::ActionPlan;
use crate::resources::commitments::model::Commitment;
use crate::resources::countries::model::Country;
use crate::resources::irm_findings::eras::PlanYears;
use crate::resources::irm_findings::model::IrmFinding;
use crate::resources::local_members::model::LocalMember;
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
    pub local_members: Counts,
    pub action_plans: Counts,
    pub commitments: Counts,
    pub milestones: Counts,
    pub irm_findings: Counts,
}

/// Inserts `input` when `existing` is `None`, updates `existing` when it differs, else leaves
/// it; counts which. Returns the stored row. (Countries and plans, a few per bundle, go one by
/// one through here; the large collections through `super::batch`.)
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
    if unchanged(&current, &input)? {
        counts.unchanged += 1;
        return Ok(current);
    }
    counts.updated += 1;
    let write = T::prepare(conn, input).await?;
    T::store_update(conn, &current, &write).await
}

/// Ids (and, for plans, years) of the parents written or found so far, by natural key.
#[derive(Default)]
struct Ids {
    plans: HashMap<PlanKey, (i64, PlanYears)>,
    commitments: HashMap<CommitmentKey, i64>,
}

fn years(plan: &ActionPlan) -> PlanYears {
    PlanYears {
        start: plan.start_year,
        end: plan.end_year,
    }
}

impl Ids {
    /// A plan the bundle names but does not hold is looked up (once), unless validation found
    /// it already.
    async fn plan(
        &mut self,
        conn: &mut AsyncPgConnection,
        key: &PlanKey,
    ) -> Result<(i64, PlanYears), ApiError> {
        if let Some(plan) = self.plans.get(key) {
            return Ok(*plan);
        }
        let plan = lookup::plan(conn, &key.0, key.1.as_deref(), key.2)
            .await?
            .ok_or_else(|| ApiError::internal(format!("checked plan {key:?} is gone")))?;
        let found = (plan.id, years(&plan));
        self.plans.insert(key.clone(), found);
        Ok(found)
    }

    /// A commitment the bundle names but does not hold is looked up (once), unless validation
    /// found it already.
    async fn commitment(
        &mut self,
        conn: &mut AsyncPgConnection,
        key: &CommitmentKey,
    ) -> Result<i64, ApiError> {
        if let Some(id) = self.commitments.get(key) {
            return Ok(*id);
        }
        let (plan_id, _) = self.plan(conn, &plan_of(key)).await?;
        let commitment = lookup::commitment(conn, plan_id, key.3)
            .await?
            .ok_or_else(|| ApiError::internal(format!("checked commitment {key:?} is gone")))?;
        self.commitments.insert(key.clone(), commitment.id);
        Ok(commitment.id)
    }
}

/// Reports the written records to `progress` at most once per batch.
struct Advance<'a> {
    progress: &'a dyn ImportProgress,
    done: u64,
    total: u64,
}

impl Advance<'_> {
    fn by(&mut self, n: usize) {
        let before = self.done / 1000;
        self.done += n as u64;
        // Every 1000 records and at the end: a bar needs no more.
        if self.done / 1000 != before || self.done == self.total {
            self.progress.written(self.done, self.total);
        }
    }
}

/// Writes every record of `checked`, parents first; returns the counts and what the bundle
/// holds (for pruning).
pub async fn write(
    conn: &mut AsyncPgConnection,
    checked: Checked,
    progress: &dyn ImportProgress,
) -> Result<(ImportOutcome, Kept), ApiError> {
    let total = checked.len() as u64;
    progress.written(0, total);
    let mut advance = Advance {
        progress,
        done: 0,
        total,
    };
    let mut outcome = ImportOutcome::default();
    let mut kept = Kept::default();
    // The stored parents that validation found (and locked): no second lookup.
    let mut ids = Ids {
        plans: checked.stored_plans,
        commitments: checked.stored_commitments,
    };
    for (i, country) in checked.countries.into_iter().enumerate() {
        let existing = Country::find_for_update(conn, &country.code).await?;
        let stored = upsert::<Country>(conn, existing, country, &mut outcome.countries)
            .await
            .map_err(at(&format!("/countries/{i}")))?;
        kept.countries.push(stored.code);
        advance.by(1);
    }
    for (i, member) in checked.local_members.into_iter().enumerate() {
        let existing = LocalMember::find_for_update(conn, &member.slug).await?;
        let stored = upsert::<LocalMember>(conn, existing, member, &mut outcome.local_members)
            .await
            .map_err(at(&format!("/local_members/{i}")))?;
        kept.local_members.push(stored.slug);
        advance.by(1);
    }
    for (i, plan) in checked.plans.into_iter().enumerate() {
        let key = (
            plan.country_code.clone(),
            plan.local_member_slug.clone(),
            plan.number,
        );
        let existing = lookup::plan(conn, &key.0, key.1.as_deref(), key.2).await?;
        let stored = upsert::<ActionPlan>(conn, existing, plan, &mut outcome.action_plans)
            .await
            .map_err(at(&format!("/action_plans/{i}")))?;
        ids.plans.insert(key, (stored.id, years(&stored)));
        kept.plans.push(stored.id);
        advance.by(1);
    }

    let mut records = checked.commitments.into_iter().enumerate().peekable();
    while records.peek().is_some() {
        let mut batch = Vec::with_capacity(BATCH);
        let mut keys = Vec::with_capacity(BATCH);
        for (i, (plan_key, mut commitment)) in records.by_ref().take(BATCH) {
            commitment.action_plan_id = ids.plan(conn, &plan_key).await?.0;
            keys.push((plan_key.0, plan_key.1, plan_key.2, commitment.number));
            batch.push(Pending::<Commitment> {
                pointer: format!("/commitments/{i}"),
                input: commitment,
                context: (),
            });
        }
        let n = batch.len();
        let stored = batch::write(conn, batch, &mut outcome.commitments).await?;
        for (key, id) in keys.into_iter().zip(stored) {
            ids.commitments.insert(key, id);
            kept.commitments.push(id);
        }
        advance.by(n);
    }

    let mut records = checked.milestones.into_iter().enumerate().peekable();
    while records.peek().is_some() {
        let mut batch = Vec::with_capacity(BATCH);
        for (i, (commitment_key, mut milestone)) in records.by_ref().take(BATCH) {
            milestone.commitment_id = ids.commitment(conn, &commitment_key).await?;
            batch.push(Pending::<Milestone> {
                pointer: format!("/milestones/{i}"),
                input: milestone,
                context: (),
            });
        }
        let n = batch.len();
        let stored = batch::write(conn, batch, &mut outcome.milestones).await?;
        kept.milestones.extend(stored);
        advance.by(n);
    }

    let mut records = checked.findings.into_iter().enumerate().peekable();
    while records.peek().is_some() {
        let mut batch = Vec::with_capacity(BATCH);
        for (i, (plan_key, commitment_number, mut finding)) in records.by_ref().take(BATCH) {
            let (plan_id, years) = ids.plan(conn, &plan_key).await?;
            finding.action_plan_id = plan_id;
            finding.commitment_id = match commitment_number {
                Some(number) => Some(
                    ids.commitment(
                        conn,
                        &(plan_key.0.clone(), plan_key.1.clone(), plan_key.2, number),
                    )
                    .await?,
                ),
                None => None,
            };
            batch.push(Pending::<IrmFinding> {
                pointer: format!("/irm_findings/{i}"),
                input: finding,
                context: years,
            });
        }
        let n = batch.len();
        let stored = batch::write(conn, batch, &mut outcome.irm_findings).await?;
        kept.findings.extend(stored);
        advance.by(n);
    }
    Ok((outcome, kept))
}

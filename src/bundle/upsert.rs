//! An import's writes, inside its one transaction, a checked chunk at a time (`Writer`): each
//! record upserted by its natural key, parents first. Countries, local members and plans go one
//! by one: a new record is inserted
//! through the create flow's write (`flow::store_new`); commitments, milestones and findings in
//! batches (`super::batch`: one lookup and one multi-row insert per batch). A changed record is
//! updated through the update flow's write (`Item::prepare`, then `Item::store_update`:
//! version + 1 and one change-feed entry, by the triggers); an
//! identical one (its create body equals the stored row's create-body form) is not written at
//! all, so neither its version nor the change feed moves.

use super::batch::{self, at, unchanged, Pending};
use super::lookup;
use super::prune::Kept;
use super::validate::{CommitmentKey, PlanKey};
use crate::db::keyed::Keyed;
use crate::error::ApiError;
use crate::flow::{store_new, Item};
use crate::resources::action_plans::model::{ActionPlan, NewActionPlan};
use crate::resources::commitments::model::{Commitment, NewCommitment};
use crate::resources::countries::model::{Country, NewCountry};
use crate::resources::irm_findings::eras::PlanYears;
use crate::resources::irm_findings::model::{IrmFinding, NewIrmFinding};
use crate::resources::local_members::model::{LocalMember, NewLocalMember};
use crate::resources::milestones::model::{Milestone, NewMilestone};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
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
/// it; counts which. Returns the stored row. (Countries, local members and plans, a few per bundle, go one by
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

fn years(plan: &ActionPlan) -> PlanYears {
    PlanYears {
        start: plan.start_year,
        end: plan.end_year,
    }
}

/// Writes checked chunks, parents first, keeping only the plans' ids between chunks (a few
/// thousand); a chunk's commitments are looked up by natural key in one query, inside the
/// import's transaction, which holds what the earlier chunks wrote.
#[derive(Default)]
pub struct Writer {
    /// What the import did so far.
    pub outcome: ImportOutcome,
    /// What the bundle holds, by id: collected only for a prune.
    pub kept: Option<Kept>,
    plans: HashMap<PlanKey, (i64, PlanYears)>,
}

impl Writer {
    /// A writer; `prune`: collect what the bundle holds.
    pub fn new(prune: bool) -> Self {
        Self {
            kept: prune.then(Kept::default),
            ..Self::default()
        }
    }

    /// Upserts a chunk of countries.
    pub async fn countries(
        &mut self,
        conn: &mut AsyncPgConnection,
        chunk: Vec<(u64, NewCountry)>,
    ) -> Result<(), ApiError> {
        for (i, country) in chunk {
            let existing = Country::find_for_update(conn, &country.code).await?;
            let stored = upsert::<Country>(conn, existing, country, &mut self.outcome.countries)
                .await
                .map_err(at(&format!("/countries/{i}")))?;
            if let Some(kept) = &mut self.kept {
                kept.countries.push(stored.code);
            }
        }
        Ok(())
    }

    /// Upserts a chunk of OGP Local members.
    pub async fn local_members(
        &mut self,
        conn: &mut AsyncPgConnection,
        chunk: Vec<(u64, NewLocalMember)>,
    ) -> Result<(), ApiError> {
        for (i, member) in chunk {
            let existing = LocalMember::find_for_update(conn, &member.slug).await?;
            let counts = &mut self.outcome.local_members;
            let stored = upsert::<LocalMember>(conn, existing, member, counts)
                .await
                .map_err(at(&format!("/local_members/{i}")))?;
            if let Some(kept) = &mut self.kept {
                kept.local_members.push(stored.slug);
            }
        }
        Ok(())
    }

    /// Upserts a chunk of action plans.
    pub async fn plans(
        &mut self,
        conn: &mut AsyncPgConnection,
        chunk: Vec<(u64, NewActionPlan)>,
    ) -> Result<(), ApiError> {
        for (i, plan) in chunk {
            let key = (
                plan.country_code.clone(),
                plan.local_member_slug.clone(),
                plan.number,
            );
            let existing = lookup::plan(conn, &key.0, key.1.as_deref(), key.2).await?;
            let stored = upsert::<ActionPlan>(conn, existing, plan, &mut self.outcome.action_plans)
                .await
                .map_err(at(&format!("/action_plans/{i}")))?;
            self.plans.insert(key, (stored.id, years(&stored)));
            if let Some(kept) = &mut self.kept {
                kept.plans.push(stored.id);
            }
        }
        Ok(())
    }

    /// The ids and years of `keys` (those met before, else looked up in one query).
    async fn plan_ids(
        &mut self,
        conn: &mut AsyncPgConnection,
        keys: impl Iterator<Item = PlanKey>,
    ) -> Result<(), ApiError> {
        let wanted: HashSet<PlanKey> = keys.filter(|k| !self.plans.contains_key(k)).collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let wanted: Vec<PlanKey> = wanted.into_iter().collect();
        for plan in lookup::plans(conn, &wanted).await? {
            let found = (plan.id, years(&plan));
            self.plans.insert(
                (plan.country_code, plan.local_member_slug, plan.number),
                found,
            );
        }
        Ok(())
    }

    fn plan(&self, key: &PlanKey) -> Result<(i64, PlanYears), ApiError> {
        self.plans
            .get(key)
            .copied()
            .ok_or_else(|| ApiError::internal(format!("checked plan {key:?} is gone")))
    }

    /// Upserts a chunk of commitments.
    pub async fn commitments(
        &mut self,
        conn: &mut AsyncPgConnection,
        chunk: Vec<(u64, PlanKey, NewCommitment)>,
    ) -> Result<(), ApiError> {
        self.plan_ids(conn, chunk.iter().map(|(_, k, _)| k.clone()))
            .await?;
        let mut batch = Vec::with_capacity(chunk.len());
        for (i, plan_key, mut commitment) in chunk {
            commitment.action_plan_id = self.plan(&plan_key)?.0;
            batch.push(Pending::<Commitment> {
                pointer: format!("/commitments/{i}"),
                input: commitment,
                context: (),
            });
        }
        let stored = batch::write(conn, batch, &mut self.outcome.commitments).await?;
        if let Some(kept) = &mut self.kept {
            kept.commitments.extend(stored);
        }
        Ok(())
    }

    /// The ids of the commitments `keys`, in one query.
    async fn commitment_ids(
        conn: &mut AsyncPgConnection,
        keys: impl Iterator<Item = CommitmentKey>,
    ) -> Result<HashMap<CommitmentKey, i64>, ApiError> {
        let wanted: HashSet<CommitmentKey> = keys.collect();
        if wanted.is_empty() {
            return Ok(HashMap::new());
        }
        let wanted: Vec<CommitmentKey> = wanted.into_iter().collect();
        Ok(lookup::commitment_ids(conn, &wanted)
            .await?
            .into_iter()
            .collect())
    }

    /// Upserts a chunk of milestones.
    pub async fn milestones(
        &mut self,
        conn: &mut AsyncPgConnection,
        chunk: Vec<(u64, CommitmentKey, NewMilestone)>,
    ) -> Result<(), ApiError> {
        let ids = Self::commitment_ids(conn, chunk.iter().map(|(_, k, _)| k.clone())).await?;
        let mut batch = Vec::with_capacity(chunk.len());
        for (i, key, mut milestone) in chunk {
            milestone.commitment_id = *ids
                .get(&key)
                .ok_or_else(|| ApiError::internal(format!("checked commitment {key:?} is gone")))?;
            batch.push(Pending::<Milestone> {
                pointer: format!("/milestones/{i}"),
                input: milestone,
                context: (),
            });
        }
        let stored = batch::write(conn, batch, &mut self.outcome.milestones).await?;
        if let Some(kept) = &mut self.kept {
            kept.milestones.extend(stored);
        }
        Ok(())
    }

    /// Upserts a chunk of IRM findings.
    pub async fn findings(
        &mut self,
        conn: &mut AsyncPgConnection,
        chunk: Vec<(u64, PlanKey, Option<i32>, NewIrmFinding)>,
    ) -> Result<(), ApiError> {
        self.plan_ids(conn, chunk.iter().map(|(_, k, _, _)| k.clone()))
            .await?;
        let named = chunk
            .iter()
            .filter_map(|(_, k, n, _)| n.map(|n| (k.0.clone(), k.1.clone(), k.2, n)));
        let ids = Self::commitment_ids(conn, named).await?;
        let mut batch = Vec::with_capacity(chunk.len());
        for (i, plan_key, commitment_number, mut finding) in chunk {
            let (plan_id, years) = self.plan(&plan_key)?;
            finding.action_plan_id = plan_id;
            finding.commitment_id = match commitment_number {
                Some(number) => {
                    let key = (plan_key.0.clone(), plan_key.1.clone(), plan_key.2, number);
                    Some(*ids.get(&key).ok_or_else(|| {
                        ApiError::internal(format!("checked commitment {key:?} is gone"))
                    })?)
                }
                None => None,
            };
            batch.push(Pending::<IrmFinding> {
                pointer: format!("/irm_findings/{i}"),
                input: finding,
                context: years,
            });
        }
        let stored = batch::write(conn, batch, &mut self.outcome.irm_findings).await?;
        if let Some(kept) = &mut self.kept {
            kept.findings.extend(stored);
        }
        Ok(())
    }
}

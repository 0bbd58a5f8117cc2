//! `prune` for a CSV: a CSV holds one collection, so its scope is that collection under the
//! parents its rows name, and nothing else: a local-members CSV prunes the local members of the
//! countries it names (with their plans), an action-plans CSV prunes the plans of the
//! countries it names, a commitments CSV the commitments of the plans it names, a milestones
//! CSV the milestones of the commitments it names, an IRM-findings CSV the findings of the
//! plans it names. What a pruned record holds goes with it, children first (a pruned plan's
//! commitments, their milestones and the plan's findings; a pruned commitment's milestones and
//! findings), each a row delete that the change feed records. Countries are never pruned, as
//! in a bundle: a countries CSV's scope is empty. (The bundle's own scope, `bundle::prune`,
//! reaches every collection below the records it holds; for a CSV of commitments it would
//! delete the milestones and findings a CSV of commitments cannot hold.)

use super::Resource;
use crate::bundle::upsert::ImportOutcome;
use crate::bundle::validate::{CommitmentKey, PlanKey};
use crate::error::ApiError;
use crate::schema::{action_plans, commitments, irm_findings, local_members, milestones};
use crate::vocab::{FindingKind, Report};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A finding's natural key: plan, report, kind, commitment number (assessments) or position.
type FindingKey = (PlanKey, String, String, Option<i32>, Option<i32>);

/// What a CSV holds, by natural key: what pruning keeps.
#[derive(Debug, Default)]
pub struct Scope {
    /// Local members: slug → country.
    local_members: HashSet<(String, String)>,
    plans: HashSet<PlanKey>,
    commitments: HashSet<CommitmentKey>,
    milestones: HashSet<(CommitmentKey, i32)>,
    findings: HashSet<FindingKey>,
}

fn text(record: &Map<String, Value>, name: &str) -> Option<String> {
    record.get(name)?.as_str().map(str::to_string)
}

fn number(record: &Map<String, Value>, name: &str) -> Option<i32> {
    i32::try_from(record.get(name)?.as_i64()?).ok()
}

/// A plan's key: a null or absent `local_member_slug` is a national plan.
fn plan_key(record: &Map<String, Value>, number_field: &str) -> Option<PlanKey> {
    Some((
        text(record, "country_code")?,
        text(record, "local_member_slug"),
        number(record, number_field)?,
    ))
}

fn commitment_key(record: &Map<String, Value>) -> Option<CommitmentKey> {
    let (code, member, plan) = plan_key(record, "plan_number")?;
    Some((code, member, plan, number(record, "commitment_number")?))
}

fn finding_key(record: &Map<String, Value>) -> Option<FindingKey> {
    let kind = text(record, "kind")?;
    let assessment = kind == "assessment";
    Some((
        plan_key(record, "plan_number")?,
        text(record, "report")?,
        kind,
        number(record, "commitment_number").filter(|_| assessment),
        number(record, "position").filter(|_| !assessment),
    ))
}

impl Scope {
    /// The keys of `records` (bundle records of `resource`'s collection). A record without a
    /// readable key is invalid and fails the import before any pruning.
    pub fn of(resource: Resource, records: &[Value]) -> Self {
        let mut scope = Self::default();
        for record in records.iter().filter_map(Value::as_object) {
            match resource {
                Resource::Countries => {}
                Resource::LocalMembers => scope
                    .local_members
                    .extend(text(record, "slug").zip(text(record, "country_code"))),
                Resource::ActionPlans => scope.plans.extend(plan_key(record, "number")),
                Resource::Commitments => scope.commitments.extend(
                    plan_key(record, "plan_number")
                        .zip(number(record, "number"))
                        .map(|((code, member, plan), number)| (code, member, plan, number)),
                ),
                Resource::Milestones => scope
                    .milestones
                    .extend(commitment_key(record).zip(number(record, "position"))),
                Resource::IrmFindings => scope.findings.extend(finding_key(record)),
            }
        }
        scope
    }

    /// The countries the scope's plans and their children live in (a first, indexed filter).
    fn countries(&self) -> Vec<String> {
        let codes: HashSet<&String> = self
            .plans
            .iter()
            .map(|k| &k.0)
            .chain(self.local_members.iter().map(|k| &k.1))
            .chain(self.commitments.iter().map(|k| &k.0))
            .chain(self.milestones.iter().map(|k| &k.0 .0))
            .chain(self.findings.iter().map(|k| &k.0 .0))
            .collect();
        codes.into_iter().cloned().collect()
    }
}

fn label<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Deletes what `resource`'s scope holds beyond `scope`; counts it in `outcome`.
pub async fn prune(
    conn: &mut AsyncPgConnection,
    resource: Resource,
    scope: &Scope,
    outcome: &mut ImportOutcome,
) -> Result<(), ApiError> {
    let codes = scope.countries();
    // The plans of the countries the CSV names: (id, key).
    let plans: Vec<(i64, PlanKey)> = action_plans::table
        .filter(action_plans::country_code.eq_any(&codes))
        .select((
            action_plans::id,
            action_plans::country_code,
            action_plans::local_member_slug,
            action_plans::number,
        ))
        .load::<(i64, String, Option<String>, i32)>(conn)
        .await?
        .into_iter()
        .map(|(id, code, member, number)| (id, (code, member, number)))
        .collect();
    let (mut doomed_plans, mut doomed_commitments) = (Vec::new(), Vec::new());
    let (mut doomed_milestones, mut doomed_findings) = (Vec::new(), Vec::new());
    let mut doomed_members: Vec<String> = Vec::new();
    match resource {
        Resource::Countries => return Ok(()),
        Resource::LocalMembers => {
            let kept: HashSet<&String> = scope.local_members.iter().map(|k| &k.0).collect();
            doomed_members = local_members::table
                .filter(local_members::country_code.eq_any(&codes))
                .select(local_members::slug)
                .load::<String>(conn)
                .await?
                .into_iter()
                .filter(|slug| !kept.contains(slug))
                .collect();
            // A pruned member's plans go with it (its plans are what it holds).
            doomed_plans = plans
                .into_iter()
                .filter(|(_, key)| key.1.as_ref().is_some_and(|m| doomed_members.contains(m)))
                .map(|(id, _)| id)
                .collect();
            doomed_commitments = commitments::table
                .filter(commitments::action_plan_id.eq_any(&doomed_plans))
                .select(commitments::id)
                .load(conn)
                .await?;
        }
        Resource::ActionPlans => {
            doomed_plans = plans
                .into_iter()
                .filter(|(_, key)| !scope.plans.contains(key))
                .map(|(id, _)| id)
                .collect();
            doomed_commitments = commitments::table
                .filter(commitments::action_plan_id.eq_any(&doomed_plans))
                .select(commitments::id)
                .load(conn)
                .await?;
        }
        Resource::Commitments => {
            let in_scope: HashSet<PlanKey> = scope
                .commitments
                .iter()
                .map(|(code, member, plan, _)| (code.clone(), member.clone(), *plan))
                .collect();
            let rows: Vec<(i64, String, Option<String>, i32, i32)> = commitments::table
                .inner_join(action_plans::table)
                .filter(action_plans::country_code.eq_any(&codes))
                .select((
                    commitments::id,
                    action_plans::country_code,
                    action_plans::local_member_slug,
                    action_plans::number,
                    commitments::number,
                ))
                .load(conn)
                .await?;
            doomed_commitments = rows
                .into_iter()
                .filter(|(_, code, member, plan, number)| {
                    in_scope.contains(&(code.clone(), member.clone(), *plan))
                        && !scope.commitments.contains(&(
                            code.clone(),
                            member.clone(),
                            *plan,
                            *number,
                        ))
                })
                .map(|(id, ..)| id)
                .collect();
        }
        Resource::Milestones => {
            let in_scope: HashSet<&CommitmentKey> = scope.milestones.iter().map(|k| &k.0).collect();
            type Row = (i64, String, Option<String>, i32, i32, i32);
            let rows: Vec<Row> = milestones::table
                .inner_join(commitments::table.inner_join(action_plans::table))
                .filter(action_plans::country_code.eq_any(&codes))
                .select((
                    milestones::id,
                    action_plans::country_code,
                    action_plans::local_member_slug,
                    action_plans::number,
                    commitments::number,
                    milestones::position,
                ))
                .load(conn)
                .await?;
            doomed_milestones = rows
                .into_iter()
                .filter(|(_, code, member, plan, number, position)| {
                    let key = (code.clone(), member.clone(), *plan, *number);
                    in_scope.contains(&key) && !scope.milestones.contains(&(key, *position))
                })
                .map(|(id, ..)| id)
                .collect();
        }
        Resource::IrmFindings => {
            let in_scope: HashSet<&PlanKey> = scope.findings.iter().map(|k| &k.0).collect();
            let plans: Vec<(i64, PlanKey)> = plans
                .into_iter()
                .filter(|(_, key)| in_scope.contains(key))
                .collect();
            let ids: Vec<i64> = plans.iter().map(|(id, _)| *id).collect();
            let numbers: std::collections::HashMap<i64, i32> = commitments::table
                .filter(commitments::action_plan_id.eq_any(&ids))
                .select((commitments::id, commitments::number))
                .load::<(i64, i32)>(conn)
                .await?
                .into_iter()
                .collect();
            let plan_keys: std::collections::HashMap<i64, PlanKey> = plans.into_iter().collect();
            type Row = (i64, i64, Option<i64>, Report, FindingKind, Option<i32>);
            let rows: Vec<Row> = irm_findings::table
                .filter(irm_findings::action_plan_id.eq_any(&ids))
                .select((
                    irm_findings::id,
                    irm_findings::action_plan_id,
                    irm_findings::commitment_id,
                    irm_findings::report,
                    irm_findings::kind,
                    irm_findings::position,
                ))
                .load(conn)
                .await?;
            for (id, plan, commitment, report, kind, position) in rows {
                let assessment = kind == FindingKind::Assessment;
                let key = (
                    plan_keys.get(&plan).cloned().unwrap_or_default(),
                    label(report),
                    label(kind),
                    commitment
                        .and_then(|c| numbers.get(&c).copied())
                        .filter(|_| assessment),
                    position.filter(|_| !assessment),
                );
                if !scope.findings.contains(&key) {
                    doomed_findings.push(id);
                }
            }
        }
    }
    // Children first: the findings and milestones of what goes, then it.
    let findings = diesel::delete(
        irm_findings::table.filter(
            irm_findings::id
                .eq_any(&doomed_findings)
                .or(irm_findings::action_plan_id.eq_any(&doomed_plans))
                .or(irm_findings::commitment_id.eq_any(&doomed_commitments)),
        ),
    )
    .execute(conn)
    .await?;
    let milestones = diesel::delete(
        milestones::table.filter(
            milestones::id
                .eq_any(&doomed_milestones)
                .or(milestones::commitment_id.eq_any(&doomed_commitments)),
        ),
    )
    .execute(conn)
    .await?;
    let commitments =
        diesel::delete(commitments::table.filter(commitments::id.eq_any(&doomed_commitments)))
            .execute(conn)
            .await?;
    let plans = diesel::delete(action_plans::table.filter(action_plans::id.eq_any(&doomed_plans)))
        .execute(conn)
        .await?;
    let members =
        diesel::delete(local_members::table.filter(local_members::slug.eq_any(&doomed_members)))
            .execute(conn)
            .await?;
    outcome.irm_findings.deleted = findings as u64;
    outcome.milestones.deleted = milestones as u64;
    outcome.commitments.deleted = commitments as u64;
    outcome.action_plans.deleted = plans as u64;
    outcome.local_members.deleted = members as u64;
    Ok(())
}

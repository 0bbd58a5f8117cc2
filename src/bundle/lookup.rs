//! Rows by natural key (the keys are unique in the database: constraints of migrations
//! 2026-11-29-000002 to -000005, the index of 2026-11-30-000012, and the plan keys of
//! 2026-11-30-000020: a national plan by country and number, a local one by member and number). Each query locks what it
//! finds until the import's transaction ends, so what was compared is what is written over.

use crate::resources::action_plans::model::ActionPlan;
use crate::resources::commitments::model::Commitment;
use crate::resources::irm_findings::model::IrmFinding;
use crate::resources::milestones::model::Milestone;
use crate::schema::{action_plans, commitments, irm_findings, milestones};
use crate::vocab::{FindingKind, Report};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Int4, Int8, Nullable, Text};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The plan `number` of country `code`: its national plan when `member` is `None`, else the
/// plan of that local member (of that country).
pub async fn plan(
    conn: &mut AsyncPgConnection,
    code: &str,
    member: Option<&str>,
    number: i32,
) -> QueryResult<Option<ActionPlan>> {
    action_plans::table
        .filter(action_plans::country_code.eq(code))
        .filter(action_plans::local_member_slug.is_not_distinct_from(member))
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

/// The parent ids of a batch, each once: an index-friendly filter ahead of the exact match, so
/// the planner reads the parents' rows whatever it guesses of `unnest`.
fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

// Batches: one query for many natural keys (an import's chunk), each key passed as parallel
// arrays and joined back with `unnest`, so a chunk of N records is one round trip, not N.

/// The commitments with these `(plan id, number)` keys (those that exist), locked.
pub async fn commitments(
    conn: &mut AsyncPgConnection,
    keys: &[(i64, i32)],
) -> QueryResult<Vec<Commitment>> {
    let (plans, numbers): (Vec<i64>, Vec<i32>) = keys.iter().copied().unzip();
    commitments::table
        .filter(commitments::action_plan_id.eq_any(distinct(&plans)))
        .filter(
            sql::<Bool>(
                "(commitments.action_plan_id, commitments.number) IN (SELECT * FROM unnest(",
            )
            .bind::<Array<Int8>, _>(plans)
            .sql(", ")
            .bind::<Array<Int4>, _>(numbers)
            .sql("))"),
        )
        .select(Commitment::as_select())
        .for_update()
        .load(conn)
        .await
}

/// The milestones with these `(commitment id, position)` keys (those that exist), locked.
pub async fn milestones(
    conn: &mut AsyncPgConnection,
    keys: &[(i64, i32)],
) -> QueryResult<Vec<Milestone>> {
    let (commitments, positions): (Vec<i64>, Vec<i32>) = keys.iter().copied().unzip();
    milestones::table
        .filter(milestones::commitment_id.eq_any(distinct(&commitments)))
        .filter(
            sql::<Bool>(
                "(milestones.commitment_id, milestones.position) IN (SELECT * FROM unnest(",
            )
            .bind::<Array<Int8>, _>(commitments)
            .sql(", ")
            .bind::<Array<Int4>, _>(positions)
            .sql("))"),
        )
        .select(Milestone::as_select())
        .for_update()
        .load(conn)
        .await
}

/// A finding's natural key with ids: plan id, report, kind, and its commitment id (an
/// assessment) or its position (any other kind; `None` is a key too).
pub type FindingIdKey = (i64, Report, FindingKind, Option<i64>, Option<i32>);

/// A finding's natural key from its parts: an assessment's by its commitment, any other
/// kind's by its position.
pub fn finding_key(
    plan: i64,
    report: Report,
    kind: FindingKind,
    commitment: Option<i64>,
    position: Option<i32>,
) -> FindingIdKey {
    let assessment = kind == FindingKind::Assessment;
    (
        plan,
        report,
        kind,
        commitment.filter(|_| assessment),
        position.filter(|_| !assessment),
    )
}

/// The findings with these natural keys (those that exist), locked. The same key rules as
/// [`finding`]: an assessment by its commitment, any other kind by its position, where a null
/// matches a null.
pub async fn findings(
    conn: &mut AsyncPgConnection,
    keys: &[FindingIdKey],
) -> QueryResult<Vec<IrmFinding>> {
    let plans: Vec<i64> = keys.iter().map(|k| k.0).collect();
    let reports: Vec<&str> = keys.iter().map(|k| k.1.as_str()).collect();
    let kinds: Vec<&str> = keys.iter().map(|k| k.2.as_str()).collect();
    let commitments: Vec<Option<i64>> = keys.iter().map(|k| k.3).collect();
    let positions: Vec<Option<i32>> = keys.iter().map(|k| k.4).collect();
    irm_findings::table
        .filter(irm_findings::action_plan_id.eq_any(distinct(&plans)))
        .filter(
            sql::<Bool>("EXISTS (SELECT 1 FROM unnest(")
                .bind::<Array<Int8>, _>(plans)
                .sql(", ")
                .bind::<Array<Text>, _>(reports)
                .sql(", ")
                .bind::<Array<Text>, _>(kinds)
                .sql(", ")
                .bind::<Array<Nullable<Int8>>, _>(commitments)
                .sql(", ")
                .bind::<Array<Nullable<Int4>>, _>(positions)
                .sql(
                    ") AS k(plan, report, kind, commitment, position) \
                 WHERE irm_findings.action_plan_id = k.plan \
                 AND irm_findings.report = k.report AND irm_findings.kind = k.kind \
                 AND CASE WHEN k.kind = 'assessment' \
                     THEN irm_findings.commitment_id IS NOT DISTINCT FROM k.commitment \
                     ELSE irm_findings.position IS NOT DISTINCT FROM k.position END)",
                ),
        )
        .select(IrmFinding::as_select())
        .for_update()
        .load(conn)
        .await
}

/// The plans with these `(country code, local member or none, number)` keys (those that
/// exist), locked. A null member matches a national plan only (`IS NOT DISTINCT FROM`).
pub async fn plans(
    conn: &mut AsyncPgConnection,
    keys: &[(String, Option<String>, i32)],
) -> QueryResult<Vec<ActionPlan>> {
    let codes: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    let members: Vec<Option<&str>> = keys.iter().map(|k| k.1.as_deref()).collect();
    let numbers: Vec<i32> = keys.iter().map(|k| k.2).collect();
    let mut countries: Vec<&str> = codes.clone();
    countries.sort_unstable();
    countries.dedup();
    action_plans::table
        // An index-friendly filter ahead of the exact match (as `distinct` for ids).
        .filter(action_plans::country_code.eq_any(countries))
        .filter(
            sql::<Bool>("EXISTS (SELECT 1 FROM unnest(")
                .bind::<Array<Text>, _>(codes)
                .sql(", ")
                .bind::<Array<Nullable<Text>>, _>(members)
                .sql(", ")
                .bind::<Array<Int4>, _>(numbers)
                .sql(
                    ") AS k(code, member, number) \
                     WHERE action_plans.country_code = k.code \
                     AND action_plans.local_member_slug IS NOT DISTINCT FROM k.member \
                     AND action_plans.number = k.number)",
                ),
        )
        .select(ActionPlan::as_select())
        .for_update()
        .load(conn)
        .await
}

/// The ids of the commitments with these natural keys `(country code, local member or none,
/// plan number, commitment number)` (those that exist), locked: the parents a chunk of
/// milestones or findings names, in one round trip, whether the bundle wrote them or the
/// database held them. A null member matches a national plan only (`IS NOT DISTINCT FROM`).
pub async fn commitment_ids(
    conn: &mut AsyncPgConnection,
    keys: &[(String, Option<String>, i32, i32)],
) -> QueryResult<Vec<((String, Option<String>, i32, i32), i64)>> {
    let codes: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    let members: Vec<Option<&str>> = keys.iter().map(|k| k.1.as_deref()).collect();
    let plans: Vec<i32> = keys.iter().map(|k| k.2).collect();
    let numbers: Vec<i32> = keys.iter().map(|k| k.3).collect();
    let found: Vec<(String, Option<String>, i32, i32, i64)> = commitments::table
        .inner_join(action_plans::table)
        .filter(
            sql::<Bool>("EXISTS (SELECT 1 FROM unnest(")
                .bind::<Array<Text>, _>(codes)
                .sql(", ")
                .bind::<Array<Nullable<Text>>, _>(members)
                .sql(", ")
                .bind::<Array<Int4>, _>(plans)
                .sql(", ")
                .bind::<Array<Int4>, _>(numbers)
                .sql(
                    ") AS k(code, member, plan, number) \
                     WHERE action_plans.country_code = k.code \
                     AND action_plans.local_member_slug IS NOT DISTINCT FROM k.member \
                     AND action_plans.number = k.plan \
                     AND commitments.number = k.number)",
                ),
        )
        .select((
            action_plans::country_code,
            action_plans::local_member_slug,
            action_plans::number,
            commitments::number,
            commitments::id,
        ))
        .for_update()
        .load(conn)
        .await?;
    Ok(found
        .into_iter()
        .map(|(code, member, plan, number, id)| ((code, member, plan, number), id))
        .collect())
}

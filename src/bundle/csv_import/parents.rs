//! Parents named by database id, as the CSV export writes them (`action_plan_id`,
//! `commitment_id`): each id looked up once, in batches, and turned into the natural key a
//! bundle record names its parent by.

use crate::bundle::batch::BATCH;
use crate::bundle::validate::{CommitmentKey, PlanKey};
use crate::error::ApiError;
use crate::schema::{action_plans, commitments};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::collections::HashMap;

/// The natural keys of the parents a CSV names by id; an id missing here is in no row of
/// the database.
#[derive(Debug, Default)]
pub struct ById {
    /// Plan id → country code, local member (`None`: a national plan) and plan number.
    pub plans: HashMap<i64, PlanKey>,
    /// Commitment id → its plan's key and commitment number.
    pub commitments: HashMap<i64, CommitmentKey>,
}

impl ById {
    /// Looks up the plans `plan_ids` and the commitments `commitment_ids` name.
    pub async fn load(
        conn: &mut AsyncPgConnection,
        mut plan_ids: Vec<i64>,
        mut commitment_ids: Vec<i64>,
    ) -> Result<Self, ApiError> {
        let mut found = Self::default();
        plan_ids.sort_unstable();
        plan_ids.dedup();
        commitment_ids.sort_unstable();
        commitment_ids.dedup();
        for chunk in plan_ids.chunks(BATCH) {
            let rows: Vec<(i64, String, Option<String>, i32)> = action_plans::table
                .filter(action_plans::id.eq_any(chunk))
                .select((
                    action_plans::id,
                    action_plans::country_code,
                    action_plans::local_member_slug,
                    action_plans::number,
                ))
                .load(conn)
                .await?;
            for (id, code, member, number) in rows {
                found.plans.insert(id, (code, member, number));
            }
        }
        for chunk in commitment_ids.chunks(BATCH) {
            let rows: Vec<(i64, String, Option<String>, i32, i32)> = commitments::table
                .inner_join(action_plans::table)
                .filter(commitments::id.eq_any(chunk))
                .select((
                    commitments::id,
                    action_plans::country_code,
                    action_plans::local_member_slug,
                    action_plans::number,
                    commitments::number,
                ))
                .load(conn)
                .await?;
            for (id, code, member, plan, number) in rows {
                found.commitments.insert(id, (code, member, plan, number));
            }
        }
        Ok(found)
    }
}

//! Commitment SQL.

use super::model::{Commitment, NewCommitment};
use crate::schema::commitments;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(commitments, Commitment, NewCommitment, i64, id);

/// The commitments of these plans, by plan and number (for `include=commitments`).
pub async fn of_plans(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Commitment>> {
    commitments::table
        .filter(commitments::action_plan_id.eq_any(ids))
        .order((commitments::action_plan_id, commitments::number))
        .select(Commitment::as_select())
        .load(conn)
        .await
}

//! Commitment SQL.

use super::model::{Commitment, NewCommitment};
use crate::schema::commitments;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(commitments, Commitment, NewCommitment, i64);

/// Up to `fetch` commitments after id `after`, by id; optionally of one plan.
pub async fn list(
    conn: &mut AsyncPgConnection,
    action_plan_id: Option<i64>,
    after: Option<i64>,
    fetch: i64,
) -> QueryResult<Vec<Commitment>> {
    let mut query = commitments::table
        .select(Commitment::as_select())
        .order(commitments::id)
        .limit(fetch)
        .into_boxed();
    if let Some(plan) = action_plan_id {
        query = query.filter(commitments::action_plan_id.eq(plan));
    }
    if let Some(after) = after {
        query = query.filter(commitments::id.gt(after));
    }
    query.load(conn).await
}

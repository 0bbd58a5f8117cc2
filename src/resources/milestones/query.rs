//! Milestone SQL.

use super::model::{Milestone, NewMilestone};
use crate::schema::milestones;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(milestones, Milestone, NewMilestone, i64);

/// Up to `fetch` milestones after id `after`, by id; optionally of one commitment.
pub async fn list(
    conn: &mut AsyncPgConnection,
    commitment_id: Option<i64>,
    after: Option<i64>,
    fetch: i64,
) -> QueryResult<Vec<Milestone>> {
    let mut query = milestones::table
        .select(Milestone::as_select())
        .order(milestones::id)
        .limit(fetch)
        .into_boxed();
    if let Some(commitment) = commitment_id {
        query = query.filter(milestones::commitment_id.eq(commitment));
    }
    if let Some(after) = after {
        query = query.filter(milestones::id.gt(after));
    }
    query.load(conn).await
}

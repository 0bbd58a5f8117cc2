//! Milestone SQL.

use super::model::{Milestone, NewMilestone};
use crate::schema::milestones;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(milestones, Milestone, NewMilestone, i64, id);

/// The milestones of these commitments, by commitment and position (for `include=milestones`).
pub async fn of_commitments(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<Milestone>> {
    milestones::table
        .filter(milestones::commitment_id.eq_any(ids))
        .order((milestones::commitment_id, milestones::position))
        .select(Milestone::as_select())
        .load(conn)
        .await
}

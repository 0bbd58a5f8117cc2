//! Milestone SQL.

use super::model::{Milestone, NewMilestone};
use crate::schema::milestones;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

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
    if let Some(plan) = commitment_id {
        query = query.filter(milestones::commitment_id.eq(plan));
    }
    if let Some(after) = after {
        query = query.filter(milestones::id.gt(after));
    }
    query.load(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Milestone>> {
    milestones::table
        .find(id)
        .select(Milestone::as_select())
        .first(conn)
        .await
        .optional()
}

/// The commitment, locked until the end of the transaction (for read-modify-write).
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<Milestone>> {
    milestones::table
        .find(id)
        .select(Milestone::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn exists(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(milestones::table.find(id)))
        .get_result(conn)
        .await
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewMilestone) -> QueryResult<Milestone> {
    diesel::insert_into(milestones::table)
        .values(new)
        .returning(Milestone::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: i64,
    input: &NewMilestone,
) -> QueryResult<Milestone> {
    diesel::update(milestones::table.find(id))
        .set(input)
        .returning(Milestone::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(milestones::table.find(id))
        .execute(conn)
        .await
}

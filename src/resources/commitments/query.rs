//! Commitment SQL.

use super::model::{Commitment, NewCommitment};
use crate::schema::commitments;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

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

pub async fn find(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Commitment>> {
    commitments::table
        .find(id)
        .select(Commitment::as_select())
        .first(conn)
        .await
        .optional()
}

/// The commitment, locked until the end of the transaction (for read-modify-write).
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<Commitment>> {
    commitments::table
        .find(id)
        .select(Commitment::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn exists(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(commitments::table.find(id)))
        .get_result(conn)
        .await
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCommitment) -> QueryResult<Commitment> {
    diesel::insert_into(commitments::table)
        .values(new)
        .returning(Commitment::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: i64,
    input: &NewCommitment,
) -> QueryResult<Commitment> {
    diesel::update(commitments::table.find(id))
        .set(input)
        .returning(Commitment::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(commitments::table.find(id))
        .execute(conn)
        .await
}

//! Action plan SQL.

use super::model::{ActionPlan, NewActionPlan};
use crate::schema::action_plans;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(action_plans, ActionPlan, NewActionPlan, i64);

/// Up to `fetch` plans after id `after`, by id; optionally of one country.
pub async fn list(
    conn: &mut AsyncPgConnection,
    country_code: Option<&str>,
    after: Option<i64>,
    fetch: i64,
) -> QueryResult<Vec<ActionPlan>> {
    let mut query = action_plans::table
        .select(ActionPlan::as_select())
        .order(action_plans::id)
        .limit(fetch)
        .into_boxed();
    if let Some(code) = country_code {
        query = query.filter(action_plans::country_code.eq(code.to_string()));
    }
    if let Some(after) = after {
        query = query.filter(action_plans::id.gt(after));
    }
    query.load(conn).await
}

/// The plan, share-locked until the end of the transaction: its start year cannot change
/// while a finding whose verdicts depend on it is written.
pub async fn find_for_share(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<ActionPlan>> {
    action_plans::table
        .find(id)
        .select(ActionPlan::as_select())
        .for_share()
        .first(conn)
        .await
        .optional()
}

//! Action plan SQL.

use super::model::{ActionPlan, NewActionPlan};
use crate::schema::action_plans;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(action_plans, ActionPlan, NewActionPlan, i64, id);

/// The plans of these countries, by country and number (for `include=action_plans`).
pub async fn of_countries(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<Vec<ActionPlan>> {
    action_plans::table
        .filter(action_plans::country_code.eq_any(codes))
        .order((action_plans::country_code, action_plans::number))
        .select(ActionPlan::as_select())
        .load(conn)
        .await
}

//! Action plan SQL.

use super::model::{ActionPlan, NewActionPlan};
use crate::schema::{action_plans, local_members};
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

/// The plans of these local members, by member and number (for a member's
/// `include=action_plans`).
pub async fn of_local_members(
    conn: &mut AsyncPgConnection,
    slugs: &[String],
) -> QueryResult<Vec<ActionPlan>> {
    action_plans::table
        .filter(action_plans::local_member_slug.eq_any(slugs))
        .order((action_plans::local_member_slug, action_plans::number))
        .select(ActionPlan::as_select())
        .load(conn)
        .await
}

/// The country of the local member `slug`, if there is such a member: a local plan's check.
/// A query on the parent's table, not a call into its module (a child never imports its
/// parent: docs/architecture.md).
pub async fn local_member_country(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<String>> {
    local_members::table
        .filter(local_members::slug.eq(slug))
        .select(local_members::country_code)
        .first(conn)
        .await
        .optional()
}

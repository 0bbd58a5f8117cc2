//! The queries of a bundle export's three large sections (commitments, milestones, findings),
//! each streamed in the bundle's natural-key order without sorting the whole section.
//!
//! Why not one join ordered by the natural keys: at a million commitments PostgreSQL hash-joins
//! and sorts the whole section before its first row (an external merge: 2 GB of temporary files
//! for the milestones, 35 s before anything streams). Here the plans (tens of thousands of rows)
//! are sorted by their natural key, then each plan's children are read through the unique index
//! that already holds them in order (`(action_plan_id, number)`, `(commitment_id, position)`),
//! in a `LATERAL` subquery: rows stream as soon as the first plan is read, and the outer
//! `ORDER BY` is an incremental sort over groups of one plan (its order is already given; the
//! `ORDER BY` keeps the result's order a guarantee of the SQL, not of the plan). The `ORDER BY`
//! inside each subquery also keeps PostgreSQL from flattening it back into a plain join.
//!
//! Each row is the child's columns (named as its model reads them) plus the natural keys of its
//! parents, as `plan_country_code`, `plan_local_member_slug`, `plan_number` and
//! `commitment_number`.

use super::export::Filter;
use crate::resources::commitments::model::Commitment;
use crate::resources::irm_findings::model::IrmFinding;
use crate::resources::milestones::model::Milestone;
use crate::schema::{commitments, irm_findings, milestones};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::{Array, Integer, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::Stream;
use std::sync::LazyLock;

/// The select list of `query` (`"t"."a", "t"."b"`): the model's own columns, so that a column
/// added to a model is read here too without a second list to keep in step.
fn select_list<Q: QueryFragment<Pg>>(query: Q) -> String {
    let sql = diesel::debug_query::<Pg, _>(&query).to_string();
    let list = sql
        .strip_prefix("SELECT ")
        .and_then(|rest| rest.split(" FROM ").next())
        .expect("a model's select is `SELECT … FROM …`");
    list.to_string()
}

/// The plans the filter keeps, with their natural keys, in the bundle's order. `$1` the
/// country codes (NULL: all), `$2`/`$3` the start-year bounds (NULL: none).
const PLANS: &str = "(SELECT id, country_code, local_member_slug, number FROM action_plans \
     WHERE ($1::text[] IS NULL OR country_code = ANY($1)) \
     AND ($2::integer IS NULL OR start_year >= $2) \
     AND ($3::integer IS NULL OR start_year <= $3) \
     ORDER BY country_code, local_member_slug NULLS FIRST, number) p";

/// The plan's natural keys, as every row carries them.
const PLAN_KEYS: &str = "p.country_code AS plan_country_code, \
     p.local_member_slug AS plan_local_member_slug, p.number AS plan_number";

/// The plan's order, the prefix of every section's order.
const PLAN_ORDER: &str = "p.country_code, p.local_member_slug NULLS FIRST, p.number";

static COMMITMENTS_SQL: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(commitments::table.select(Commitment::as_select()));
    format!(
        "SELECT c.*, {PLAN_KEYS} FROM {PLANS} CROSS JOIN LATERAL \
         (SELECT {columns} FROM commitments WHERE commitments.action_plan_id = p.id \
         ORDER BY commitments.number) c \
         ORDER BY {PLAN_ORDER}, c.number"
    )
});

static MILESTONES_SQL: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(milestones::table.select(Milestone::as_select()));
    format!(
        "SELECT m.*, {PLAN_KEYS}, c.number AS commitment_number FROM {PLANS} CROSS JOIN LATERAL \
         (SELECT id, number FROM commitments WHERE commitments.action_plan_id = p.id \
         ORDER BY commitments.number) c CROSS JOIN LATERAL \
         (SELECT {columns} FROM milestones WHERE milestones.commitment_id = c.id \
         ORDER BY milestones.position) m \
         ORDER BY {PLAN_ORDER}, c.number, m.position"
    )
});

static FINDINGS_SQL: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(irm_findings::table.select(IrmFinding::as_select()));
    format!(
        "SELECT f.*, {PLAN_KEYS} FROM {PLANS} CROSS JOIN LATERAL \
         (SELECT {columns}, c.number AS commitment_number FROM irm_findings \
         LEFT JOIN commitments c ON c.id = irm_findings.commitment_id \
         WHERE irm_findings.action_plan_id = p.id \
         ORDER BY irm_findings.report, irm_findings.kind, c.number NULLS FIRST, \
         irm_findings.position NULLS FIRST) f \
         ORDER BY {PLAN_ORDER}, f.report, f.kind, f.commitment_number NULLS FIRST, \
         f.position NULLS FIRST"
    )
});

/// A commitment with its plan's natural keys.
#[derive(QueryableByName)]
pub struct CommitmentRow {
    #[diesel(embed)]
    pub commitment: Commitment,
    #[diesel(sql_type = Text)]
    pub plan_country_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub plan_local_member_slug: Option<String>,
    #[diesel(sql_type = Integer)]
    pub plan_number: i32,
}

/// A milestone with its commitment's natural keys.
#[derive(QueryableByName)]
pub struct MilestoneRow {
    #[diesel(embed)]
    pub milestone: Milestone,
    #[diesel(sql_type = Text)]
    pub plan_country_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub plan_local_member_slug: Option<String>,
    #[diesel(sql_type = Integer)]
    pub plan_number: i32,
    #[diesel(sql_type = Integer)]
    pub commitment_number: i32,
}

/// A finding with its plan's natural keys and its commitment's number (if any).
#[derive(QueryableByName)]
pub struct FindingRow {
    #[diesel(embed)]
    pub finding: IrmFinding,
    #[diesel(sql_type = Text)]
    pub plan_country_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub plan_local_member_slug: Option<String>,
    #[diesel(sql_type = Integer)]
    pub plan_number: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub commitment_number: Option<i32>,
}

/// Streams the rows of `sql` (one of the section queries) with the filter bound.
async fn stream<'c, R>(
    conn: &'c mut AsyncPgConnection,
    sql: &str,
    filter: &Filter,
) -> QueryResult<impl Stream<Item = QueryResult<R>> + Send + 'c>
where
    R: QueryableByName<Pg> + Send + 'static,
{
    diesel::sql_query(sql.to_string())
        .bind::<Nullable<Array<Text>>, _>(filter.codes().map(<[String]>::to_vec))
        .bind::<Nullable<Integer>, _>(filter.start_gte())
        .bind::<Nullable<Integer>, _>(filter.start_lte())
        .load_stream::<R>(conn)
        .await
}

/// The commitments of the filter's plans, in the bundle's order.
pub async fn commitments<'c>(
    conn: &'c mut AsyncPgConnection,
    filter: &Filter,
) -> QueryResult<impl Stream<Item = QueryResult<CommitmentRow>> + Send + 'c> {
    stream(conn, &COMMITMENTS_SQL, filter).await
}

/// The milestones of the filter's plans, in the bundle's order.
pub async fn milestones<'c>(
    conn: &'c mut AsyncPgConnection,
    filter: &Filter,
) -> QueryResult<impl Stream<Item = QueryResult<MilestoneRow>> + Send + 'c> {
    stream(conn, &MILESTONES_SQL, filter).await
}

/// The findings of the filter's plans, in the bundle's order.
pub async fn findings<'c>(
    conn: &'c mut AsyncPgConnection,
    filter: &Filter,
) -> QueryResult<impl Stream<Item = QueryResult<FindingRow>> + Send + 'c> {
    stream(conn, &FINDINGS_SQL, filter).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_select_lists_are_the_models_columns() {
        let list = select_list(milestones::table.select(Milestone::as_select()));
        assert!(list.starts_with("\"milestones\"."), "{list}");
        assert!(list.contains("\"milestones\".\"position\""), "{list}");
        assert!(!list.contains("FROM"), "{list}");
        // The search document is not a model field: never read.
        assert!(!list.contains("search"), "{list}");
        for sql in [&*COMMITMENTS_SQL, &*MILESTONES_SQL, &*FINDINGS_SQL] {
            assert!(sql.contains("CROSS JOIN LATERAL"), "{sql}");
        }
    }
}

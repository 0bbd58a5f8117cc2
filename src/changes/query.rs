//! Change feed SQL.

use super::model::Change;
use crate::schema::changes;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Up to `fetch` changes after `after`, oldest first, of the given resources (all when empty)
/// and, for a history, of one key.
pub async fn after(
    conn: &mut AsyncPgConnection,
    after: i64,
    resources: &[String],
    key: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<Change>> {
    let mut query = changes::table
        .filter(changes::seq.gt(after))
        .order(changes::seq)
        .limit(fetch)
        .select(Change::as_select())
        .into_boxed();
    if !resources.is_empty() {
        query = query.filter(changes::resource.eq_any(resources.to_vec()));
    }
    if let Some(key) = key {
        query = query.filter(changes::key.eq(key.to_string()));
    }
    query.load(conn).await
}

//! Country SQL.

use super::model::{Country, NewCountry};
use crate::schema::countries;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(countries, Country, NewCountry, &str);

/// Up to `fetch` countries after `after`, by code.
pub async fn list(
    conn: &mut AsyncPgConnection,
    after: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<Country>> {
    let mut query = countries::table
        .select(Country::as_select())
        .order(countries::code)
        .limit(fetch)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(countries::code.gt(after.to_string()));
    }
    query.load(conn).await
}

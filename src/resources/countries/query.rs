//! Country SQL.

use super::model::{Country, NewCountry};
use crate::schema::countries;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

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

pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Country>> {
    countries::table
        .find(code)
        .select(Country::as_select())
        .first(conn)
        .await
        .optional()
}

/// The country, locked until the end of the transaction (for read-modify-write).
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<Country>> {
    countries::table
        .find(code)
        .select(Country::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCountry) -> QueryResult<Country> {
    diesel::insert_into(countries::table)
        .values(new)
        .returning(Country::as_returning())
        .get_result(conn)
        .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    code: &str,
    input: &NewCountry,
) -> QueryResult<Country> {
    diesel::update(countries::table.find(code))
        .set(input)
        .returning(Country::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<usize> {
    diesel::delete(countries::table.find(code))
        .execute(conn)
        .await
}

pub async fn exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(countries::table.find(code.to_string())))
        .get_result(conn)
        .await
}

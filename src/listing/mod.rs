//! The list machinery every collection shares: parsing (`request`), SQL (`query`, `sql`),
//! pages with opaque keyset cursors, conditional responses (`response`) and streaming exports
//! (`export`, within the process-wide `budget`). Each resource declares what its list offers
//! in a [`spec::ListSpec`].

pub mod budget;
pub mod csv_parents;
pub mod csv_row;
pub mod docs;
pub mod export;
pub mod export_nested;
pub mod fields;
pub mod filters;
pub mod groups;
pub mod handler;
pub mod include;
pub mod query;
pub mod raw;
pub mod request;
pub mod response;
pub mod spec;
pub mod sql;

use crate::error::ApiError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use diesel::deserialize::{self, QueryableByName};
use diesel::pg::Pg;
use diesel::row::NamedRow;
use diesel::sql_types::{BigInt, Float4, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use request::{CursorState, ListRequest};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use spec::ListSpec;
use utoipa::ToSchema;

/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest `limit` accepted.
pub const MAX_LIMIT: i64 = 200;

/// One page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The rows of this page, in the list's order. With `include=…`, each row also carries the
    /// named child collections (e.g. `milestones`), complete.
    pub items: Vec<T>,
    /// Opaque cursor of the next page (pass it as `cursor`, with the same other parameters),
    /// or `null` on the last page.
    pub next_cursor: Option<String>,
    /// With `include_total=true`: how many rows match the filters, over all pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

pub fn encode_cursor<K: Serialize>(state: &K) -> String {
    let json = serde_json::to_vec(state).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor<K: DeserializeOwned>(text: &str) -> Result<K, ApiError> {
    let invalid = || {
        ApiError::invalid_query(
            "`cursor` is not a cursor this list returned; pass `next_cursor` from the previous page unchanged",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// A listed row with its text-search rank (NULL without `q`).
pub struct Listed<T> {
    pub row: T,
    pub search_rank: Option<f32>,
    /// The values of the sort keys that are a parent's fields (not in `row`), by name.
    pub sort_values: Option<Value>,
}

impl<T: QueryableByName<Pg>> QueryableByName<Pg> for Listed<T> {
    fn build<'a>(row: &impl NamedRow<'a, Pg>) -> deserialize::Result<Self> {
        Ok(Self {
            row: T::build(row)?,
            search_rank: NamedRow::get::<Nullable<Float4>, Option<f32>>(row, "search_rank")?,
            sort_values: NamedRow::get::<Nullable<Text>, Option<String>>(row, "sort_values")?
                .map(|text| serde_json::from_str(&text))
                .transpose()?,
        })
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// The cursor of the page that follows `last`, whose JSON form (with at least its sort
/// fields) is `json`.
fn cursor_after<T>(request: &ListRequest, last: &Listed<T>, json: &Value) -> String {
    let values = request
        .sort
        .iter()
        .map(|key| {
            if key.name == "search_rank" {
                last.search_rank
                    .map_or(Value::Null, |r| Value::from(f64::from(r)))
            } else {
                json.get(key.name)
                    .or_else(|| last.sort_values.as_ref()?.get(key.name))
                    .cloned()
                    .unwrap_or(Value::Null)
            }
        })
        .collect();
    encode_cursor(&CursorState {
        sort: request.sort_text.clone(),
        values,
    })
}

/// One page of rows, the next cursor, and the total when asked for.
pub struct PageOf<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
}

/// Runs a list request: one query for the page, one more for `include_total`.
pub async fn fetch_page<T>(
    conn: &mut AsyncPgConnection,
    spec: &ListSpec,
    request: &ListRequest,
) -> Result<PageOf<T>, ApiError>
where
    T: QueryableByName<Pg> + Serialize + Send + 'static,
{
    fetch_page_by(conn, spec, request, spec.select, |row: &T| {
        Ok(serde_json::to_value(row).unwrap_or(Value::Null))
    })
    .await
}

/// [`fetch_page`] reading the columns `select` (each row a `T`), with `sort_json` giving a
/// row's JSON form, in which the cursor finds its sort values. (The JSON pages with
/// `fields` and without `include` are `raw::fetch_page`'s, which encodes the rows in PostgreSQL.)
pub async fn fetch_page_by<T>(
    conn: &mut AsyncPgConnection,
    spec: &ListSpec,
    request: &ListRequest,
    select: &str,
    sort_json: impl Fn(&T) -> Result<Value, ApiError>,
) -> Result<PageOf<T>, ApiError>
where
    T: QueryableByName<Pg> + Send + 'static,
{
    let mut sql = query::rows_sql_selecting(spec, request, Some(request.limit + 1), select)?;
    if select != spec.select {
        // A projection (`fields=`): see `Sql::uncached`.
        sql = sql.uncached();
    }
    let mut rows: Vec<Listed<T>> = sql.into_query().load(conn).await?;
    let more = rows.len() as i64 > request.limit;
    rows.truncate(request.limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(cursor_after(request, last, &sort_json(&last.row)?)),
        _ => None,
    };
    let total = if request.include_total {
        let count: Count = query::count_sql(spec, request)?
            .into_query()
            .get_result(conn)
            .await?;
        Some(count.count)
    } else {
        None
    };
    Ok(PageOf {
        items: rows.into_iter().map(|r| r.row).collect(),
        next_cursor,
        total,
    })
}

/// Groups child rows by their parent's key, keeping their order.
pub fn group_by<K, T>(rows: Vec<T>, key: impl Fn(&T) -> K) -> std::collections::HashMap<K, Vec<T>>
where
    K: std::hash::Hash + Eq,
{
    let mut groups = std::collections::HashMap::<K, Vec<T>>::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let state = CursorState {
            sort: "-start_year".into(),
            values: vec![Value::from(2016), Value::from(42)],
        };
        let decoded: CursorState = decode_cursor(&encode_cursor(&state)).unwrap();
        assert_eq!(decoded.sort, "-start_year");
        assert_eq!(decoded.values, state.values);
    }

    #[test]
    fn garbage_cursor_is_a_400() {
        for bad in ["", "!!!", "eyJ4IjoxfQ"] {
            let error = decode_cursor::<CursorState>(bad).unwrap_err();
            assert_eq!(error.status.as_u16(), 400, "cursor {bad:?}");
        }
    }
}

//! JSON pages written from PostgreSQL's JSON: the `fields=` pages (JSON, no `include`) of every
//! collection and read alias.
//!
//! PostgreSQL encodes each item (`row_to_json` over a `LATERAL` sub-select naming the item's
//! columns, which the planner pulls up into the scan), and the page body is those texts
//! concatenated between the page's own bytes: no row is decoded into a struct or a
//! `serde_json::Value`, and nothing is serialized again.
//!
//! Full pages (no `fields`) do not come here: measured side by side on list-50, this path saved
//! the API ~50 µs per page and cost PostgreSQL ~250 µs more (its JSON escaping goes byte by
//! byte), for the same throughput; the database's CPU is the dearer one to scale, so full rows
//! keep the struct path (docs/design-notes.md). A projection reads few columns, and here both
//! sides win.
//!
//! The bytes are the ones serde writes for the same rows (`tests/api/raw_pages.rs` compares
//! every collection's items with the serde path byte for byte):
//! - `row_to_json` writes compact JSON (`{"a":1,"b":[1,2]}`, no spaces; `json_build_object`
//!   would write `"a" : 1`, jsonb `{"a": 1}`), keys in the column order, which is the struct's
//!   field order (`ListSpec::select`);
//! - strings are escaped as serde_json escapes them (`\"`, `\\`, `\b\f\n\r\t`, `\u00XX` in
//!   lowercase hex for the other control characters; `/`, DEL and non-ASCII as they are);
//! - timestamps, whose JSON PostgreSQL writes with `+00:00`, are formatted like chrono in the SQL
//!   (`fields::Column::json_sql`), dates are ISO, enums their labels, arrays `[..]`, NULL `null`.

use super::fields::Projection;
use super::query::rows_sql_joining;
use super::request::ListRequest;
use super::response::page_bytes;
use super::spec::ListSpec;
use super::{cursor_after, Count, Listed};
use crate::error::ApiError;
use actix_web::{HttpRequest, HttpResponse};
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};

/// Columns as (JSON name, SQL expression of the JSON value).
type Columns = Vec<(&'static str, String)>;

/// The alias of the item's columns in the list's `FROM`.
const ITEM: &str = "_item";

/// One row as PostgreSQL encoded it.
#[derive(diesel::QueryableByName)]
pub struct RawRow {
    /// The item's JSON, as it goes into the page.
    #[diesel(sql_type = Text)]
    item: String,
    /// With `fields`: the JSON array of the sort fields not shown (read for the cursor only).
    #[diesel(sql_type = Nullable<Text>)]
    hidden_sort: Option<String>,
}

/// A page of items as JSON texts, the next cursor and the total when asked for.
pub struct RawPage {
    /// Each item's JSON, in the list's order.
    pub items: Vec<String>,
    /// The cursor of the next page, or `None` on the last page.
    pub next_cursor: Option<String>,
    /// With `include_total=true`: how many rows match.
    pub total: Option<i64>,
}

/// The columns of the items: the projection's shown fields; and the sort fields it does not
/// show (name and JSON expression), read for the cursor.
fn item_columns(
    spec: &ListSpec,
    request: &ListRequest,
    projection: &Projection,
) -> (Columns, Columns) {
    let mut read = projection.read(spec, Some(request));
    let hidden = read.split_off(projection.shown.len());
    (read, hidden)
}

/// `CROSS JOIN LATERAL (SELECT <column> AS <name>, …) _item`: names are the resource's field
/// names (identifiers from the code; any keyword may follow `AS`).
fn lateral_sql(shown: &[(&'static str, String)]) -> String {
    let list: Vec<String> = shown
        .iter()
        .map(|(name, sql)| format!("{sql} AS {name}"))
        .collect();
    format!("CROSS JOIN LATERAL (SELECT {}) {ITEM}", list.join(", "))
}

/// The `SELECT` list: the item's JSON and the hidden sort values.
fn select_sql(hidden: &[(&'static str, String)]) -> String {
    let hidden = if hidden.is_empty() {
        "NULL::text".to_string()
    } else {
        let values: Vec<&str> = hidden.iter().map(|(_, sql)| sql.as_str()).collect();
        format!("json_build_array({})::text", values.join(", "))
    };
    format!("row_to_json({ITEM})::text AS item, {hidden} AS hidden_sort")
}

/// The row's JSON form with its hidden sort fields, where the cursor finds its sort values.
fn sort_json(row: &RawRow, hidden: &[(&'static str, String)]) -> Result<Value, ApiError> {
    let broken =
        |e: serde_json::Error| ApiError::internal(format!("a listed row is not JSON: {e}"));
    let mut object: Map<String, Value> = serde_json::from_str(&row.item).map_err(broken)?;
    if let Some(text) = &row.hidden_sort {
        let values: Vec<Value> = serde_json::from_str(text).map_err(broken)?;
        if values.len() != hidden.len() {
            return Err(ApiError::internal("a listed row has the wrong width"));
        }
        for ((name, _), value) in hidden.iter().zip(values) {
            object.insert(name.to_string(), value);
        }
    }
    Ok(Value::Object(object))
}

/// Runs a JSON list request: one query for the page, one more for `include_total`.
pub async fn fetch_page(
    conn: &mut AsyncPgConnection,
    spec: &ListSpec,
    request: &ListRequest,
    projection: &Projection,
) -> Result<RawPage, ApiError> {
    let (shown, hidden) = item_columns(spec, request, projection);
    let mut sql = rows_sql_joining(
        spec,
        request,
        Some(request.limit + 1),
        &select_sql(&hidden),
        Some(&lateral_sql(&shown)),
    )?;
    // One text per combination of fields: kept prepared apart (`Sql::projection`).
    sql = sql.projection();
    let mut rows: Vec<Listed<RawRow>> = sql.into_query().load(conn).await?;
    let more = rows.len() as i64 > request.limit;
    rows.truncate(request.limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => Some(cursor_after(request, last, &sort_json(&last.row, &hidden)?)),
        _ => None,
    };
    let total = if request.include_total {
        let count: Count = super::query::count_sql(spec, request)?
            .into_query()
            .get_result(conn)
            .await?;
        Some(count.count)
    } else {
        None
    };
    Ok(RawPage {
        items: rows.into_iter().map(|r| r.row.item).collect(),
        next_cursor,
        total,
    })
}

/// The body serde writes for a `Page` of these items: `{"items":[…],"next_cursor":…}` and
/// `"total"` when asked for.
pub fn body(page: &RawPage) -> Vec<u8> {
    let size = page.items.iter().map(|i| i.len() + 1).sum::<usize>() + 64;
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(b"{\"items\":[");
    for (i, item) in page.items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item.as_bytes());
    }
    body.extend_from_slice(b"],\"next_cursor\":");
    // Writing an `Option<String>` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut body, &page.next_cursor);
    if let Some(total) = page.total {
        body.extend_from_slice(b",\"total\":");
        body.extend_from_slice(total.to_string().as_bytes());
    }
    body.push(b'}');
    body
}

/// Answers a JSON list request with `fields` and without `include`: the page, with its ETag
/// and `Link`.
pub async fn answer(
    req: &HttpRequest,
    conn: &mut AsyncPgConnection,
    spec: &ListSpec,
    request: &ListRequest,
    projection: &Projection,
) -> Result<HttpResponse, ApiError> {
    let page = fetch_page(conn, spec, request, projection).await?;
    Ok(page_bytes(req, page.next_cursor.as_deref(), body(&page)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::Page;

    #[test]
    fn the_body_is_the_one_serde_writes() {
        let items = vec![r#"{"id":1,"t":"a\"b"}"#.to_string(), "{}".to_string()];
        for (next_cursor, total) in [
            (None, None),
            (Some("eyJ4Ijp9".to_string()), None),
            (None, Some(0)),
            (Some("abc".to_string()), Some(12)),
        ] {
            let raw = RawPage {
                items: items.clone(),
                next_cursor: next_cursor.clone(),
                total,
            };
            let values: Vec<Value> = items
                .iter()
                .map(|i| serde_json::from_str(i).unwrap())
                .collect();
            let serde = serde_json::to_vec(&Page {
                items: values,
                next_cursor,
                total,
            })
            .unwrap();
            assert_eq!(
                String::from_utf8(body(&raw)).unwrap(),
                String::from_utf8(serde).unwrap()
            );
        }
        let empty = RawPage {
            items: vec![],
            next_cursor: None,
            total: None,
        };
        assert_eq!(body(&empty), br#"{"items":[],"next_cursor":null}"#);
    }

    #[test]
    fn items_are_named_columns_of_one_lateral_row() {
        let shown = vec![("id", "t.id".to_string()), ("number", "t.n".to_string())];
        assert_eq!(
            lateral_sql(&shown),
            "CROSS JOIN LATERAL (SELECT t.id AS id, t.n AS number) _item"
        );
        assert_eq!(
            select_sql(&[]),
            "row_to_json(_item)::text AS item, NULL::text AS hidden_sort"
        );
        assert_eq!(
            select_sql(&[("theme", "t.theme".to_string())]),
            "row_to_json(_item)::text AS item, json_build_array(t.theme)::text AS hidden_sort"
        );
    }

    #[test]
    fn the_cursor_reads_shown_and_hidden_sort_fields() {
        let row = RawRow {
            item: r#"{"id":1,"title":"A"}"#.into(),
            hidden_sort: Some(r#"["B", 2]"#.into()),
        };
        let hidden = [("theme", String::new()), ("n", String::new())];
        assert_eq!(
            sort_json(&row, &hidden).unwrap(),
            serde_json::json!({"id": 1, "title": "A", "theme": "B", "n": 2})
        );
        assert!(sort_json(&row, &hidden[..1]).is_err());
    }
}

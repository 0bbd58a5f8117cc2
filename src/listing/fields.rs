//! Field selection, `fields=title,theme`: a row with only the fields asked for, on every list,
//! read alias, export and item GET, read by SQL that selects only those fields.
//!
//! The fields a resource offers are the columns of its list's `select` (`ListSpec::select`, one
//! `alias.column` each, in the order of the resource's JSON): the same declaration the full rows
//! are read with, so the names `fields=` accepts, its 400, the spec's description of the
//! parameter and the SQL cannot drift apart.
//!
//! PostgreSQL builds each row as one JSON array of the asked values (`json_build_array`), which
//! is parsed and paired with the names here; every value is the one serde writes for the full
//! row (`tests/api/fields.rs` compares every field of every resource). Timestamps are the one
//! type whose JSON text differs: PostgreSQL writes `+00:00`, chrono writes `Z` with 0, 3 or 6
//! fraction digits, so timestamp columns (named `*_at`, checked against each resource's schema
//! by a test) are formatted like chrono in the SQL.
//!
//! Decisions (README, the spec):
//! - The key (`id`, or `code`) is always in the row, asked or not.
//! - Fields come in the resource's order whatever the order asked, so that the JSON, the CSV
//!   columns and a cached page are the same for `title,theme` and `theme,title`.
//! - A name given twice is a 400, as in `sort`; so are an unknown name and an empty `fields=`.
//! - The cursor needs the sort values of the last row: sort fields not asked for are selected
//!   too, but not output.
//! - With `include`, the embedding needs the rows' keys, so the row is read whole and only the
//!   output is cut: the asked fields plus the embedded collections.

use super::budget::ExportBudget;
use super::export::export_rows;
use super::request::{Format, ListRequest};
use super::spec::{Kind, ListSpec};
use super::sql::{Bind, Sql};
use crate::db::{DbConn, ReadPool};
use crate::error::ApiError;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::{Map, Value};

/// The name of the query parameter.
pub const PARAMETER: &str = "fields";

/// One field a resource offers: its JSON name and the SQL expression of its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The JSON name (the column's name).
    pub name: &'static str,
    /// The column, over the list's row alias (`c.title`).
    pub sql: &'static str,
}

impl Column {
    /// Whether the column is a timestamp (`created_at`, `updated_at`): the resources name every
    /// timestamp `*_at` and no other column so (a test checks it against their schemas).
    pub fn is_timestamp(&self) -> bool {
        self.name.ends_with("_at")
    }

    /// The SQL of the value's JSON form, as serde writes it for the full row.
    pub(super) fn json_sql(&self) -> String {
        if !self.is_timestamp() {
            return self.sql.to_string();
        }
        // chrono's RFC 3339: `Z`, and the fraction only as long as needed (none, milliseconds
        // or microseconds, the precision PostgreSQL keeps).
        let utc = format!("({} AT TIME ZONE 'UTC')", self.sql);
        let micros = format!(
            "(extract(microseconds FROM {})::bigint % 1000000)",
            self.sql
        );
        format!(
            "to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN {micros} = 0 THEN '' \
             WHEN {micros} % 1000 = 0 THEN to_char({utc}, '.MS') ELSE to_char({utc}, '.US') END \
             || 'Z'"
        )
    }
}

/// The fields `spec`'s resource offers, in its order.
pub fn columns(spec: &ListSpec) -> Vec<Column> {
    spec.select
        .split(',')
        .map(str::trim)
        .filter(|sql| !sql.is_empty())
        .map(|sql| Column {
            name: sql.rsplit('.').next().unwrap_or(sql),
            sql,
        })
        .collect()
}

/// The names `fields=` accepts on `spec`'s resource, in its order.
pub fn names(spec: &ListSpec) -> Vec<&'static str> {
    columns(spec).into_iter().map(|c| c.name).collect()
}

/// A validated `fields=`: the fields to output, in the resource's order, the key among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    /// The fields output, in the resource's order.
    pub shown: Vec<Column>,
}

impl Projection {
    /// Parses the value of `fields` (a comma list; repeated keys were already joined into one).
    pub fn parse(spec: &ListSpec, text: &str) -> Result<Self, ApiError> {
        let offered = columns(spec);
        let allowed = || {
            format!(
                "`{PARAMETER}` takes a comma list of these fields (`{}` is always included): {}",
                spec.key.name,
                names(spec).join(", ")
            )
        };
        let mut asked: Vec<&str> = Vec::new();
        for name in text.split(',') {
            if name.is_empty() {
                return Err(ApiError::invalid_query(format!(
                    "{} (got an empty name in `{}`)",
                    allowed(),
                    text.escape_debug()
                )));
            }
            if !offered.iter().any(|c| c.name == name) {
                return Err(ApiError::invalid_query(format!(
                    "{} (got `{}`)",
                    allowed(),
                    name.escape_debug()
                )));
            }
            if asked.contains(&name) {
                return Err(ApiError::invalid_query(format!(
                    "`{PARAMETER}` names `{name}` twice"
                )));
            }
            asked.push(name);
        }
        let shown = offered
            .into_iter()
            .filter(|c| c.name == spec.key.name || asked.contains(&c.name))
            .collect();
        Ok(Self { shown })
    }

    /// The `fields` of an item GET's query string, if any (its other parameters are ignored,
    /// as they always were). A repeated `fields` key adds to the list, as on lists.
    pub fn from_item_query(spec: &ListSpec, query: &str) -> Result<Option<Self>, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| ApiError::invalid_query(format!("the query string is malformed: {e}")))?;
        let values: Vec<String> = pairs
            .into_iter()
            .filter(|(name, _)| name == PARAMETER)
            .map(|(_, value)| value)
            .collect();
        if values.is_empty() {
            return Ok(None);
        }
        Self::parse(spec, &values.join(",")).map(Some)
    }

    /// The output names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.shown.iter().map(|c| c.name).collect()
    }

    /// The columns a query reads: the shown ones, then the sort fields the cursor needs that are
    /// not shown (as name and SQL expression).
    pub(super) fn read(
        &self,
        spec: &ListSpec,
        request: Option<&ListRequest>,
    ) -> Vec<(&'static str, String)> {
        let offered = columns(spec);
        let mut read: Vec<(&'static str, String)> =
            self.shown.iter().map(|c| (c.name, c.json_sql())).collect();
        for key in request.map_or(&[][..], |r| &r.sort[..]) {
            if key.name == "search_rank" || read.iter().any(|(name, _)| *name == key.name) {
                continue;
            }
            let sql = offered
                .iter()
                .find(|c| c.name == key.name)
                .map_or_else(|| key.sql.clone(), Column::json_sql);
            read.push((key.name, sql));
        }
        read
    }

    /// An item (a row with its embedded collections) cut to the shown fields and the embedded
    /// collections `includes` names (`action_plan.country` embeds under `action_plan`).
    pub fn keep<E: Serialize>(&self, item: &E, includes: &[&str]) -> Result<Value, ApiError> {
        let Value::Object(full) = serde_json::to_value(item)
            .map_err(|e| ApiError::internal(format!("a row did not serialize: {e}")))?
        else {
            return Err(ApiError::internal("a row is not a JSON object"));
        };
        let embedded = |name: &str| includes.iter().any(|i| i.split('.').next() == Some(name));
        Ok(Value::Object(
            full.into_iter()
                .filter(|(name, _)| self.shown.iter().any(|c| c.name == name) || embedded(name))
                .collect(),
        ))
    }
}

/// `SELECT` list of a projection: one column, the JSON array of the values read.
fn select_sql(read: &[(&'static str, String)]) -> String {
    let values: Vec<&str> = read.iter().map(|(_, sql)| sql.as_str()).collect();
    format!(
        "json_build_array({})::text AS fields_row",
        values.join(", ")
    )
}

/// A row as PostgreSQL built it: the JSON array of its values.
#[derive(diesel::QueryableByName)]
pub struct JsonRow {
    #[diesel(sql_type = Text)]
    fields_row: String,
}

impl JsonRow {
    /// The row as a JSON object: `names` paired with the values, in order; only the first
    /// `shown` of them (the rest were read for the cursor).
    fn object(&self, names: &[&'static str], shown: usize) -> Result<Map<String, Value>, ApiError> {
        let values: Vec<Value> = serde_json::from_str(&self.fields_row)
            .map_err(|e| ApiError::internal(format!("a selected row is not JSON: {e}")))?;
        if values.len() != names.len() {
            return Err(ApiError::internal("a selected row has the wrong width"));
        }
        Ok(names
            .iter()
            .zip(values)
            .take(shown)
            .map(|(name, value)| (name.to_string(), value))
            .collect())
    }
}

/// Answers a list request with `fields` and no `include`: an export, or a page.
pub async fn answer(
    req: &HttpRequest,
    mut conn: DbConn,
    pool: &ReadPool,
    spec: &ListSpec,
    request: &ListRequest,
    projection: &Projection,
    export_name: &str,
) -> Result<HttpResponse, ApiError> {
    if request.format != Format::Json {
        drop(conn);
        let budget = req
            .app_data::<web::Data<ExportBudget>>()
            .ok_or_else(|| ApiError::internal("no export budget is registered"))?;
        return export(pool, budget, spec, request, projection, export_name).await;
    }
    super::raw::answer(req, &mut conn, spec, request, projection).await
}

/// Streams every row of `request` (CSV or NDJSON) with only the asked fields: the CSV header
/// is the shown fields, in the resource's order.
pub async fn export(
    pool: &ReadPool,
    budget: &ExportBudget,
    spec: &ListSpec,
    request: &ListRequest,
    projection: &Projection,
    name: &str,
) -> Result<HttpResponse, ApiError> {
    let read = projection.read(spec, Some(request));
    let names: Vec<&'static str> = read.iter().map(|(name, _)| *name).collect();
    let sql =
        super::query::rows_sql_selecting(spec, request, request.export_limit, &select_sql(&read))?
            .uncached();
    let shown = projection.shown.len();
    let header = projection.names().iter().map(|n| n.to_string()).collect();
    let convert = move |row: JsonRow| {
        row.object(&names, shown)
            .map_err(|e| std::io::Error::other(e.detail))
    };
    export_rows(pool, budget, sql, request.format, header, convert, name).await
}

/// The item with key `key` (its text form) and only the asked fields, if it exists.
pub async fn find(
    conn: &mut AsyncPgConnection,
    spec: &ListSpec,
    projection: &Projection,
    key: &str,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let read = projection.read(spec, None);
    let names: Vec<&'static str> = read.iter().map(|(name, _)| *name).collect();
    let mut sql = Sql::new(format!(
        "SELECT {} FROM {} WHERE {} = ",
        select_sql(&read),
        spec.from,
        spec.key.sql
    ));
    let bind = match spec.key.kind {
        Kind::BigInt | Kind::Int => match key.parse::<i64>() {
            Ok(id) if spec.key.kind == Kind::BigInt => Bind::BigInt(id),
            Ok(id) => Bind::Int(i32::try_from(id).map_err(|_| ApiError::internal("key"))?),
            Err(_) => return Err(ApiError::internal("an item key is not a number")),
        },
        _ => Bind::Text(key.to_string()),
    };
    let placeholder = sql.bind(bind);
    sql.push(&placeholder);
    let row: Option<JsonRow> = sql
        .projection()
        .into_query()
        .get_result(conn)
        .await
        .optional_row()?;
    row.map(|row| row.object(&names, names.len())).transpose()
}

/// `get_result` with "no row" as `None`.
trait OptionalRow<T> {
    fn optional_row(self) -> Result<Option<T>, diesel::result::Error>;
}

impl<T> OptionalRow<T> for Result<T, diesel::result::Error> {
    fn optional_row(self) -> Result<Option<T>, diesel::result::Error> {
        match self {
            Ok(row) => Ok(Some(row)),
            Err(diesel::result::Error::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::spec::Field;

    static SPEC: ListSpec = ListSpec {
        from: "things t",
        select: "t.id, t.title, t.theme, t.created_at",
        key: Field::filter("id", "t.id", Kind::BigInt, "Id"),
        fields: &[Field::filter("theme", "t.theme", Kind::Text, "Theme").sortable(true)],
        groups: &[],
        search: None,
        includes: &[],
        parents: &[],
        updated_at: "t.created_at",
    };

    #[test]
    fn the_key_is_always_in_and_the_order_is_the_resources() {
        let projection = Projection::parse(&SPEC, "theme,title").unwrap();
        assert_eq!(projection.names(), ["id", "title", "theme"]);
        let projection = Projection::parse(&SPEC, "id").unwrap();
        assert_eq!(projection.names(), ["id"]);
    }

    #[test]
    fn unknown_empty_and_repeated_names_are_400s_naming_the_allowed() {
        for bad in ["", "title,", "nope", "title,title", "search"] {
            let error = Projection::parse(&SPEC, bad).unwrap_err();
            assert_eq!(error.status.as_u16(), 400, "{bad:?}");
        }
        let error = Projection::parse(&SPEC, "nope").unwrap_err();
        assert!(
            error.detail.contains("id, title, theme, created_at"),
            "{}",
            error.detail
        );
    }

    #[test]
    fn item_queries_take_repeated_keys_and_ignore_the_rest() {
        let projection = Projection::from_item_query(&SPEC, "x=1&fields=theme&fields=title")
            .unwrap()
            .unwrap();
        assert_eq!(projection.names(), ["id", "title", "theme"]);
        assert_eq!(Projection::from_item_query(&SPEC, "x=1").unwrap(), None);
    }

    #[test]
    fn the_query_reads_only_the_asked_fields_and_the_sort_fields() {
        let request = ListRequest::parse(&SPEC, "fields=title&sort=-theme", None, None).unwrap();
        let projection = request.fields.clone().unwrap();
        let read = projection.read(&SPEC, Some(&request));
        assert_eq!(
            select_sql(&read),
            "json_build_array(t.id, t.title, t.theme)::text AS fields_row"
        );
        // Shown: the key and the title; the theme only for the cursor.
        assert_eq!(projection.names(), ["id", "title"]);
        let row = JsonRow {
            fields_row: r#"[1, "A", "B"]"#.into(),
        };
        let names: Vec<&str> = read.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            Value::Object(row.object(&names, 2).unwrap()),
            serde_json::json!({"id": 1, "title": "A"})
        );
    }

    #[test]
    fn timestamps_are_formatted_like_chrono() {
        let created = columns(&SPEC)[3];
        assert!(created.is_timestamp());
        assert!(created.json_sql().contains("'.US'"));
        assert_eq!(columns(&SPEC)[1].json_sql(), "t.title");
    }
}

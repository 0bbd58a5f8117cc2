//! The SQL of a list request: filters, search, keyset condition, order, limit; and the count.
//!
//! Pagination is keyset: `WHERE (sort keys, key) after (the previous page's last row) ORDER BY
//! … LIMIT n + 1`. When every key runs in one direction and none is nullable this is a row
//! comparison, which PostgreSQL answers from a matching index however deep the page; mixed
//! directions and nullable keys use the equivalent expanded form (NULLs sort last ascending,
//! first descending: PostgreSQL's defaults, so plain b-tree indexes serve both).

use super::request::{scalar_bind, Condition, ListRequest, Op, SortKey};
use super::spec::ListSpec;
use super::sql::{Bind, Sql};
use crate::error::ApiError;
use serde_json::Value;

/// The text-search query of `q`: English and Spanish stemming, accents ignored.
const SEARCH_QUERY: &str = "ogp_search_query";

pub(super) fn condition_sql(sql: &mut Sql, condition: &Condition) -> String {
    let column = condition.field.sql;
    if let Op::Null(_) = condition.op {
        return super::filters::condition_sql(condition.op, condition.field, String::new)
            .unwrap_or_default();
    }
    if let (Op::AnyOf, Some(single)) = (condition.op, condition.value.single()) {
        let placeholder = sql.bind(single);
        return format!("{column} = {placeholder}");
    }
    let placeholder = sql.bind(condition.value.clone());
    match condition.op {
        Op::AnyOf => format!("{column} = ANY({placeholder})"),
        Op::Overlaps => format!("{column} && {placeholder}"),
        Op::AtLeast => format!("{column} >= {placeholder}"),
        Op::AtMost => format!("{column} <= {placeholder}"),
        Op::NoneOf | Op::Null(_) => {
            super::filters::condition_sql(condition.op, condition.field, || placeholder)
                .unwrap_or_default()
        }
    }
}

/// The `WHERE` conditions of the filters, search and `updated_since` (no keyset).
pub fn filters(
    spec: &ListSpec,
    request: &ListRequest,
    sql: &mut Sql,
) -> Result<Vec<String>, ApiError> {
    let mut clauses = Vec::new();
    let mut grouped: Vec<(&str, Vec<String>)> = Vec::new();
    for condition in &request.conditions {
        let text = condition_sql(sql, condition);
        match condition.field.group {
            None => clauses.push(text),
            Some(group) => match grouped.iter_mut().find(|(name, _)| *name == group) {
                Some((_, list)) => list.push(text),
                None => grouped.push((group, vec![text])),
            },
        }
    }
    for (name, conditions) in grouped {
        let group = spec
            .group(name)
            .ok_or_else(|| ApiError::internal(format!("list group `{name}` is not declared")))?;
        clauses.push(group.template.replace("{}", &conditions.join(" AND ")));
    }
    if let Some(since) = request.updated_since {
        let placeholder = sql.bind(Bind::Timestamp(since));
        clauses.push(format!("{} >= {placeholder}", spec.updated_at));
    }
    if let (Some(q), Some(document)) = (&request.q, spec.search) {
        let placeholder = sql.bind(Bind::Text(q.clone()));
        clauses.push(format!("{document} @@ {SEARCH_QUERY}({placeholder})"));
    }
    Ok(clauses)
}

/// The SQL expression of a sort key.
fn key_sql(spec: &ListSpec, request: &ListRequest, key: &SortKey, sql: &mut Sql) -> String {
    if key.name == "search_rank" {
        let (document, q) = (
            spec.search.unwrap_or("''::tsvector"),
            request.q.clone().unwrap_or_default(),
        );
        let placeholder = sql.bind(Bind::Text(q));
        format!("ts_rank({document}, {SEARCH_QUERY}({placeholder}))")
    } else {
        key.sql.clone()
    }
}

/// The keyset condition "after the row whose sort values are `after`".
fn keyset(
    spec: &ListSpec,
    request: &ListRequest,
    after: &[Value],
    sql: &mut Sql,
) -> Result<String, ApiError> {
    let bad_cursor = || ApiError::invalid_query("`cursor` is not a cursor this list returned");
    let bind_of = |key: &SortKey, value: &Value| -> Result<Option<Bind>, ApiError> {
        if value.is_null() {
            return if key.nullable {
                Ok(None)
            } else {
                Err(bad_cursor())
            };
        }
        if key.name == "search_rank" {
            return value
                .as_f64()
                .map(|v| Some(Bind::Real(v as f32)))
                .ok_or_else(bad_cursor);
        }
        scalar_bind(key.kind, value)
            .map(Some)
            .ok_or_else(bad_cursor)
    };
    let values = request
        .sort
        .iter()
        .zip(after)
        .map(|(key, value)| bind_of(key, value))
        .collect::<Result<Vec<_>, _>>()?;
    let expressions: Vec<String> = request
        .sort
        .iter()
        .map(|key| key_sql(spec, request, key, sql))
        .collect();

    let uniform = request
        .sort
        .iter()
        .all(|k| k.descending == request.sort[0].descending);
    // A row comparison is NULL when any member is: only usable over non-nullable keys.
    if uniform && request.sort.iter().all(|k| !k.nullable) {
        let placeholders: Vec<String> = values.into_iter().flatten().map(|b| sql.bind(b)).collect();
        let op = if request.sort[0].descending { "<" } else { ">" };
        return Ok(format!(
            "({}) {op} ({})",
            expressions.join(", "),
            placeholders.join(", ")
        ));
    }

    // Expanded form: OR over i of (keys before i equal) AND (key i strictly after).
    let placeholders: Vec<Option<String>> =
        values.into_iter().map(|v| v.map(|b| sql.bind(b))).collect();
    let mut alternatives = Vec::new();
    for (i, key) in request.sort.iter().enumerate() {
        let mut parts: Vec<String> = (0..i)
            .map(|j| match &placeholders[j] {
                Some(p) => format!("{} = {p}", expressions[j]),
                None => format!("{} IS NULL", expressions[j]),
            })
            .collect();
        let column = &expressions[i];
        let after = match (&placeholders[i], key.descending) {
            // NULL is the largest value: nothing follows it ascending,
            (None, false) => continue,
            // and every non-NULL value follows it descending.
            (None, true) => format!("{column} IS NOT NULL"),
            (Some(p), false) if key.nullable => format!("({column} > {p} OR {column} IS NULL)"),
            (Some(p), false) => format!("{column} > {p}"),
            (Some(p), true) => format!("{column} < {p}"),
        };
        parts.push(after);
        alternatives.push(format!("({})", parts.join(" AND ")));
    }
    if alternatives.is_empty() {
        return Ok("false".to_string());
    }
    Ok(format!("({})", alternatives.join(" OR ")))
}

pub(super) fn where_sql(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    }
}

/// The rows of `request` after its cursor, in order, at most `limit` of them: a page asks for
/// `limit + 1` (to learn whether more follow), an export for its cap or `None` (every row).
/// Every row carries `search_rank`.
pub fn rows_sql(
    spec: &ListSpec,
    request: &ListRequest,
    limit: Option<i64>,
) -> Result<Sql, ApiError> {
    rows_sql_selecting(spec, request, limit, spec.select)
}

/// [`rows_sql`] reading the columns `select` instead of the whole row (`fields=`).
pub fn rows_sql_selecting(
    spec: &ListSpec,
    request: &ListRequest,
    limit: Option<i64>,
    select: &str,
) -> Result<Sql, ApiError> {
    rows_sql_joining(spec, request, limit, select, None)
}

/// [`rows_sql_selecting`] with `lateral` (a `CROSS JOIN LATERAL (…) alias` over the list's
/// tables) joined after them: the JSON pages (`raw.rs`) name each item's columns in it, which
/// PostgreSQL pulls up into the scan, so `row_to_json` of the alias costs one expression per row.
pub fn rows_sql_joining(
    spec: &ListSpec,
    request: &ListRequest,
    limit: Option<i64>,
    select: &str,
    lateral: Option<&str>,
) -> Result<Sql, ApiError> {
    let mut sql = Sql::default();
    let rank = match (&request.q, spec.search) {
        (Some(q), Some(document)) => {
            let placeholder = sql.bind(Bind::Text(q.clone()));
            format!("ts_rank({document}, {SEARCH_QUERY}({placeholder}))")
        }
        _ => "NULL::real".to_string(),
    };
    let mut clauses = filters(spec, request, &mut sql)?;
    if let Some(after) = &request.after {
        clauses.push(keyset(spec, request, after, &mut sql)?);
    }
    let order: Vec<String> = request
        .sort
        .iter()
        .map(|key| {
            let expression = key_sql(spec, request, key, &mut sql);
            if key.descending {
                format!("{expression} DESC")
            } else {
                expression
            }
        })
        .collect();
    // Sorting by a parent's field (`sort=-plan_start_year`) joins the parent in; its values go
    // with each row (`sort_values`) for the next page's cursor.
    let joins = super::filters::sort_joins(spec, &request.sort);
    let joined: Vec<String> = request
        .sort
        .iter()
        .filter(|key| spec.field(key.name).is_some_and(|f| f.group.is_some()))
        .map(|key| format!("'{}', {}", key.name, key.sql))
        .collect();
    let sort_values = if joined.is_empty() {
        "NULL::text".to_string()
    } else {
        format!("json_build_object({})::text", joined.join(", "))
    };
    let from = std::iter::once(spec.from)
        .chain(joins)
        .chain(lateral)
        .collect::<Vec<_>>()
        .join(" ");
    sql.push(&format!(
        "SELECT {}, {rank} AS search_rank, {sort_values} AS sort_values FROM {from}{} ORDER BY {}",
        select,
        where_sql(&clauses),
        order.join(", ")
    ));
    if let Some(limit) = limit {
        sql.push(&format!(" LIMIT {limit}"));
    }
    Ok(sql)
}

/// How many rows match the filters (all pages).
pub fn count_sql(spec: &ListSpec, request: &ListRequest) -> Result<Sql, ApiError> {
    let mut sql = Sql::default();
    let clauses = filters(spec, request, &mut sql)?;
    sql.push(&format!(
        "SELECT count(*) AS count FROM {}{}",
        spec.from,
        where_sql(&clauses)
    ));
    Ok(sql)
}

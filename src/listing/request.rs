//! Parsing a list's query string against its [`ListSpec`]: every parameter known, every value
//! valid, or a 400 that names the parameter and what it accepts.

use super::fields::Projection;
use super::filters::{check_key_values, resolve, Param};
use super::include::is_parent;
use super::spec::{Field, Kind, ListSpec};
use super::sql::Bind;
use super::{decode_cursor, DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// How a filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Equal to one of the values.
    AnyOf,
    /// The array column holds any of the values.
    Overlaps,
    AtLeast,
    AtMost,
    /// Equal to none of the values, or NULL (`<field>_not`, [`super::filters`]).
    NoneOf,
    /// `IS NULL` (`true`) or `IS NOT NULL` (`false`): `<field>_null`.
    Null(bool),
}

/// One filter of the request.
#[derive(Debug, Clone)]
pub struct Condition {
    pub field: &'static Field,
    pub op: Op,
    pub value: Bind,
}

/// One key of the order.
#[derive(Debug, Clone)]
pub struct SortKey {
    /// JSON field of the row holding the value (`search_rank` for the text-search rank).
    pub name: &'static str,
    pub sql: String,
    pub kind: Kind,
    pub nullable: bool,
    pub descending: bool,
}

/// The representation asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Ndjson,
}

/// A validated list request.
#[derive(Debug, Clone)]
pub struct ListRequest {
    /// The page size (the default when not given).
    pub limit: i64,
    /// An export's cap on the rows it streams, when `limit` is given (else every row).
    pub export_limit: Option<i64>,
    pub conditions: Vec<Condition>,
    /// The order: the requested sort keys, then the key.
    pub sort: Vec<SortKey>,
    /// The sort as written in the request (checked against the cursor's).
    pub sort_text: String,
    /// Values of the sort keys in the last row of the previous page.
    pub after: Option<Vec<Value>>,
    pub q: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub include_total: bool,
    pub includes: Vec<&'static str>,
    pub format: Format,
    /// `fields=`: only these fields in each row (see `fields.rs`).
    pub fields: Option<Projection>,
}

/// The body of a list cursor: the sort it belongs to and the last row's sort values.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct CursorState {
    pub sort: String,
    pub values: Vec<Value>,
}

pub(super) fn invalid(name: &str, expected: &str, got: &str) -> ApiError {
    ApiError::invalid_query(format!("`{name}` must be {expected} (got `{got}`)"))
}

/// Parses one value of `kind`.
pub(super) fn scalar(name: &str, kind: Kind, text: &str) -> Result<Value, ApiError> {
    let bad = || invalid(name, &kind.expected(), text);
    Ok(match kind {
        Kind::Int => Value::from(text.parse::<i32>().map_err(|_| bad())?),
        Kind::BigInt => match text.parse::<i64>() {
            Ok(n) if n >= 1 => Value::from(n),
            _ => return Err(bad()),
        },
        Kind::Text if text.is_empty() || text.contains('\0') => return Err(bad()),
        Kind::Text => Value::from(text),
        Kind::Date => {
            let date = crate::calendar::parse_date(text).ok_or_else(bad)?;
            Value::from(date.format("%Y-%m-%d").to_string())
        }
        Kind::Bool => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad()),
        },
        Kind::Enum(values) | Kind::Values(values) => {
            if !values.contains(&text) {
                return Err(bad());
            }
            Value::from(text)
        }
    })
}

/// A single bound value of `kind` from its JSON form (cursor values, parsed scalars).
pub fn scalar_bind(kind: Kind, value: &Value) -> Option<Bind> {
    Some(match kind {
        Kind::Int => Bind::Int(i32::try_from(value.as_i64()?).ok()?),
        Kind::BigInt => Bind::BigInt(value.as_i64()?),
        // A forged cursor can hold any JSON: only what PostgreSQL can take is bound (no NUL in
        // text, dates in years 1–9999); anything else is refused as a bad cursor.
        Kind::Text | Kind::Enum(_) | Kind::Values(_) => {
            let text = value.as_str()?;
            if text.contains('\0') {
                return None;
            }
            Bind::Text(text.to_string())
        }
        Kind::Date => Bind::Date(crate::calendar::parse_date(value.as_str()?)?),
        Kind::Bool => Bind::Bool(value.as_bool()?),
    })
}

/// The array bind of comma-separated `text` values of `kind`.
pub(super) fn any_of(name: &str, kind: Kind, text: &str) -> Result<Bind, ApiError> {
    let values = text
        .split(',')
        .map(|part| scalar(name, kind, part))
        .collect::<Result<Vec<_>, _>>()?;
    let as_text = || {
        values
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    Ok(match kind {
        Kind::Int => Bind::Ints(
            values
                .iter()
                .filter_map(|v| v.as_i64())
                .map(|n| n as i32)
                .collect(),
        ),
        Kind::BigInt => Bind::BigInts(values.iter().filter_map(Value::as_i64).collect()),
        Kind::Bool => Bind::Bools(values.iter().filter_map(Value::as_bool).collect()),
        Kind::Date => Bind::Dates(
            values
                .iter()
                .filter_map(|v| crate::calendar::parse_date(v.as_str()?))
                .collect(),
        ),
        Kind::Text | Kind::Enum(_) | Kind::Values(_) => Bind::Texts(as_text()),
    })
}

/// The parameters every list takes besides its fields.
pub const COMMON_PARAMETERS: &[&str] = &[
    "limit",
    "cursor",
    "sort",
    "q",
    "updated_since",
    "include_total",
    "include",
    "format",
    "fields",
];

/// Parameters whose value is a comma list, so that a repeated key adds to it.
fn is_list_valued(name: &str) -> bool {
    matches!(name, "include" | "sort" | "fields")
        || !(COMMON_PARAMETERS.contains(&name) || super::filters::is_single_valued(name))
}

/// A list-valued parameter given more than once (`?completion=limited&completion=complete`,
/// the way generated clients send arrays) is the comma list of its values, in order, at the
/// place of its first occurrence. Any other parameter given twice is ambiguous: a 400.
fn merge_repeated(pairs: Vec<(String, String)>) -> Result<Vec<(String, String)>, ApiError> {
    let mut merged: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        match merged.iter_mut().find(|(seen, _)| *seen == name) {
            None => merged.push((name, value)),
            Some((_, list)) if is_list_valued(&name) => {
                list.push(',');
                list.push_str(&value);
            }
            Some(_) => {
                return Err(ApiError::invalid_query(format!(
                    "`{name}` is given twice; it takes one value"
                )))
            }
        }
    }
    Ok(merged)
}

/// Reads `limit`: a page size from 1 to `MAX_LIMIT`, or for an export (`export`) a cap on the
/// rows exported, any whole number from 1.
fn limit(text: Option<&str>, export: bool) -> Result<Option<i64>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let most = if export { i64::MAX } else { MAX_LIMIT };
    match text.parse::<i64>() {
        Ok(n) if (1..=most).contains(&n) => Ok(Some(n)),
        _ if export => Err(invalid("limit", "a whole number from 1", text)),
        _ => Err(invalid(
            "limit",
            &format!("a whole number from 1 to {MAX_LIMIT}"),
            text,
        )),
    }
}

fn sort_keys(spec: &ListSpec, text: Option<&str>, ranked: bool) -> Result<Vec<SortKey>, ApiError> {
    let mut keys = Vec::new();
    if let Some(text) = text {
        for part in text.split(',') {
            let (name, descending) = match part.strip_prefix('-') {
                Some(name) => (name, true),
                None => (part, false),
            };
            let field = if name == spec.key.name {
                Some(&spec.key)
            } else {
                spec.field(name).filter(|f| f.sortable)
            };
            let Some(field) = field else {
                return Err(ApiError::invalid_query(format!(
                    "`sort` takes a comma list of these fields, each optionally prefixed by `-` \
                     for descending order: {} (got `{part}`)",
                    spec.sortable().join(", ")
                )));
            };
            if keys.iter().any(|k: &SortKey| k.name == field.name) {
                return Err(ApiError::invalid_query(format!(
                    "`sort` names `{name}` twice"
                )));
            }
            keys.push(SortKey {
                name: field.name,
                sql: field.sql.to_string(),
                kind: field.kind,
                nullable: field.nullable,
                descending,
            });
        }
    } else if ranked {
        // With `q` and no explicit sort, the best matches come first.
        keys.push(SortKey {
            name: "search_rank",
            sql: String::new(),
            kind: Kind::Int,
            nullable: false,
            descending: true,
        });
    }
    if !keys.iter().any(|k| k.name == spec.key.name) {
        // The key breaks ties, in the direction of the last requested key.
        let descending = keys
            .last()
            .is_some_and(|k| k.descending && k.name != "search_rank");
        keys.push(SortKey {
            name: spec.key.name,
            sql: spec.key.sql.to_string(),
            kind: spec.key.kind,
            nullable: false,
            descending,
        });
    }
    Ok(keys)
}

fn boolean(name: &str, text: Option<&str>) -> Result<bool, ApiError> {
    match text {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(invalid(name, "`true` or `false`", other)),
    }
}

impl ListRequest {
    /// Parses `query` (the raw query string). `fixed` is the parent a read alias's path names:
    /// its parameter may not appear in the query too.
    pub fn parse(
        spec: &'static ListSpec,
        query: &str,
        fixed: Option<(&'static str, Value)>,
        accept: Option<&str>,
    ) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| ApiError::invalid_query(format!("the query string is malformed: {e}")))?;
        let pairs = merge_repeated(pairs)?;
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };

        let mut conditions = Vec::new();
        for (name, value) in &pairs {
            if COMMON_PARAMETERS.contains(&name.as_str()) {
                continue;
            }
            let (field, param) =
                resolve(spec, name).ok_or_else(|| unknown_parameter(spec, name))?;
            if fixed
                .as_ref()
                .is_some_and(|(fixed_name, _)| *fixed_name == field.name)
            {
                return Err(ApiError::invalid_query(format!(
                    "`{name}` is already given by the path of this list"
                )));
            }
            let condition = match param {
                Param::Equal | Param::Not => {
                    check_key_values(spec, name, field, value)?;
                    let op = match (param, field.kind) {
                        (Param::Not, _) => Op::NoneOf,
                        (_, Kind::Values(_)) => Op::Overlaps,
                        _ => Op::AnyOf,
                    };
                    Condition {
                        field,
                        op,
                        value: any_of(name, field.kind, value)?,
                    }
                }
                Param::Null => {
                    let Value::Bool(is_null) = scalar(name, Kind::Bool, value)? else {
                        return Err(invalid(name, &Kind::Bool.expected(), value));
                    };
                    Condition {
                        field,
                        op: Op::Null(is_null),
                        value: Bind::Bool(is_null),
                    }
                }
                Param::AtLeast | Param::AtMost => Condition {
                    field,
                    op: if param == Param::AtLeast {
                        Op::AtLeast
                    } else {
                        Op::AtMost
                    },
                    value: scalar_bind(field.kind, &scalar(name, field.kind, value)?)
                        .ok_or_else(|| invalid(name, &field.kind.expected(), value))?,
                },
            };
            conditions.push(condition);
        }
        if let Some((name, value)) = fixed {
            let field = spec
                .field(name)
                .ok_or_else(|| ApiError::internal("alias field missing"))?;
            let bind =
                scalar_bind(field.kind, &value).ok_or_else(|| ApiError::internal("alias value"))?;
            let value = match bind {
                Bind::BigInt(v) => Bind::BigInts(vec![v]),
                Bind::Text(v) => Bind::Texts(vec![v]),
                other => other,
            };
            conditions.push(Condition {
                field,
                op: Op::AnyOf,
                value,
            });
        }

        let q = match get("q") {
            Some(_) if spec.search.is_none() => return Err(unknown_parameter(spec, "q")),
            Some(text)
                if text.trim().is_empty() || text.contains('\0') || text.chars().count() > 500 =>
            {
                return Err(invalid("q", "search text of 1 to 500 characters", text))
            }
            other => other.map(str::to_string),
        };
        let updated_since = get("updated_since")
            .map(|text| {
                DateTime::parse_from_rfc3339(text)
                    .ok()
                    .map(|t| t.with_timezone(&Utc))
                    .filter(|t| crate::calendar::timestamp_in_range(*t))
                    .ok_or_else(|| {
                        invalid(
                            "updated_since",
                            "an RFC 3339 timestamp in years 1 to 9999, e.g. 2026-01-31T00:00:00Z",
                            text,
                        )
                    })
            })
            .transpose()?;
        let sort_text = get("sort").unwrap_or_default().to_string();
        let sort = sort_keys(spec, get("sort"), q.is_some())?;
        let after = get("cursor")
            .map(|cursor| {
                let state: CursorState = decode_cursor(cursor)?;
                if state.sort != sort_text || state.values.len() != sort.len() {
                    return Err(ApiError::invalid_query(
                        "`cursor` belongs to a list with another `sort`; keep the parameters of the \
                         page that gave it",
                    ));
                }
                Ok(state.values)
            })
            .transpose()?;
        let includes = match get("include") {
            None => Vec::new(),
            Some(text) => text
                .split(',')
                .map(|name| {
                    spec.includes
                        .iter()
                        .copied()
                        .find(|i| *i == name)
                        .ok_or_else(|| invalid_include(spec, name))
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let format = negotiate(get("format"), accept)?;
        let export = format != Format::Json;
        // Parents flatten into `action_plan.title`-style columns; children would need nesting.
        let children = includes.iter().any(|path| !is_parent(spec, path));
        if format == Format::Csv && children {
            return Err(ApiError::invalid_query(
                "`include` of a child collection does not apply to a CSV export (one row per \
                 record, no nesting; parents are flattened): export the child collection too, filtered by its parent's id, and join on that \
                 id; or ask for NDJSON, which nests the children",
            ));
        }
        let limit = limit(get("limit"), export)?;
        Ok(Self {
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            export_limit: limit.filter(|_| export),
            conditions,
            sort,
            sort_text,
            after,
            q,
            updated_since,
            include_total: boolean("include_total", get("include_total"))?,
            includes,
            format,
            fields: get("fields")
                .map(|text| Projection::parse(spec, text))
                .transpose()?,
        })
    }
}

/// The 400 for an `include` value the list does not declare (unknown, or deeper than
/// [`MAX_DEPTH`](super::include::MAX_DEPTH) segments), naming every allowed value.
pub fn invalid_include(spec: &ListSpec, name: &str) -> ApiError {
    let offered = if spec.includes.is_empty() {
        "nothing on this list".to_string()
    } else {
        spec.includes.join(", ")
    };
    invalid("include", &format!("a comma list of: {offered}"), name)
}

fn unknown_parameter(spec: &ListSpec, name: &str) -> ApiError {
    let mut known: Vec<String> = COMMON_PARAMETERS
        .iter()
        .filter(|p| **p != "q" || spec.search.is_some())
        .map(|p| p.to_string())
        .collect();
    for field in spec.fields {
        known.push(field.name.to_string());
        if field.range {
            known.push(format!("{}_gte", field.name));
            known.push(format!("{}_lte", field.name));
        }
    }
    known.extend(super::filters::names(spec));
    ApiError::invalid_query(format!(
        "unknown query parameter `{name}`; this list takes: {}",
        known.join(", ")
    ))
}

/// `format=` wins over `Accept`; no match is a 406.
pub fn negotiate(format: Option<&str>, accept: Option<&str>) -> Result<Format, ApiError> {
    match format {
        Some("json") => return Ok(Format::Json),
        Some("csv") => return Ok(Format::Csv),
        Some("ndjson") => return Ok(Format::Ndjson),
        Some(other) => return Err(invalid("format", "one of: json, csv, ndjson", other)),
        None => {}
    }
    let Some(accept) = accept else {
        return Ok(Format::Json);
    };
    for range in accept.split(',') {
        let media = range
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/json" | "application/*" | "*/*" | "" => return Ok(Format::Json),
            "text/csv" | "text/*" => return Ok(Format::Csv),
            "application/x-ndjson" => return Ok(Format::Ndjson),
            _ => {}
        }
    }
    Err(ApiError::new(
        actix_web::http::StatusCode::NOT_ACCEPTABLE,
        "not-acceptable",
        "Not acceptable",
        "this list is served as application/json, text/csv or application/x-ndjson",
    ))
}

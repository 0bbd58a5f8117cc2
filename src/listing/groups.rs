//! `GET /{collection}/groups?group_by=field[,field2]`: how many rows of a collection fall in
//! each group, with the collection's filters and `q`, in one SQL statement.
//!
//! - Any field of the list groups, the plan's fields of a commitment and its assessment's too;
//!   `<date field>_year` groups a date by its year. A `text[]` field (`ogp_values`) groups by
//!   each value: a row counts once in the group of every value it holds (no value: `null`).
//! - Unknown values (NULL) are a group of their own, with a `null` key.
//! - The answer: `{"group_by":["theme"],"groups":[{"key":{"theme":"Health"},"count":12},…]}`;
//!   CSV (one column per `group_by` field, then `count`) and NDJSON (one group a line) too.
//! - `sort=-count` (default: largest first, then by key), `count`, `key` or `-key` (unknown
//!   values last ascending, first descending, as in lists).
//! - At most [`MAX_GROUPS`] groups: more is a 400 saying so (narrow the filters or group by a
//!   coarser field), never a truncated answer.
//!
//! Fields of a to-many relation (a commitment's assessments) need one related row per row: the
//! collection's [`Pick`] says which. For commitments, the latest assessment (in report order),
//! or with `report=` (or `report_not=`) the latest of those reports, as `/stats/commitments`.

use super::query::{filters, where_sql};
use super::request::{Format, ListRequest};
use super::response::json_with_body_etag;
use super::spec::{Field, Kind, ListSpec};
use super::sql::Sql;
use crate::data_version::revalidate;
use crate::db::ReadPool;
use crate::error::ApiError;
use actix_web::http::header::{self, ACCEPT};
use actix_web::{HttpRequest, HttpResponse};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The most groups an answer holds.
pub const MAX_GROUPS: i64 = 10_000;
/// The most fields `group_by` takes.
pub const MAX_GROUP_BY: usize = 3;

/// Which row of a to-many relation counts when grouping by its fields.
#[derive(Debug)]
pub struct Pick {
    /// The relation: a [`super::spec::Group`] of the list.
    pub group: &'static str,
    /// `LEFT JOIN LATERAL (…) <alias> ON true` with `{}` where the conditions on [`Self::choosers`]
    /// go (`true` without any), bringing in at most one row under the alias the group's fields
    /// use.
    pub lateral: &'static str,
    /// The group's fields whose filters also choose the row (a commitment's `report`).
    pub choosers: &'static [&'static str],
    /// When one chooser condition names a single value, the relation holds at most one such
    /// row per row (a unique index): a plain `LEFT JOIN` with `{}` where that condition goes,
    /// which PostgreSQL answers with one join instead of a subquery per row.
    pub unique: Option<&'static str>,
    /// A table kept by triggers holding that same row when no chooser is given, as a `JOIN`
    /// under the same alias, and the fields it has: cheaper than the lateral subquery.
    pub kept: Option<(&'static str, &'static [&'static str])>,
}

/// Counts kept by triggers, answering groupings that have no filter at all.
#[derive(Debug)]
pub struct Rollup {
    /// The table, with an alias.
    pub from: &'static str,
    /// The SQL of the count of one of its rows.
    pub count: &'static str,
    /// The fields it groups by: name and column.
    pub fields: &'static [(&'static str, &'static str)],
}

/// What `/groups` offers on one collection.
#[derive(Debug)]
pub struct GroupsSpec {
    pub list: &'static ListSpec,
    pub picks: &'static [Pick],
    pub rollup: Option<Rollup>,
}

impl GroupsSpec {
    /// A collection with no to-many fields and no rollup.
    pub const fn plain(list: &'static ListSpec) -> Self {
        Self {
            list,
            picks: &[],
            rollup: None,
        }
    }

    /// The names `group_by` takes.
    pub fn groupable(&self) -> Vec<String> {
        let mut names = Vec::new();
        for field in self.list.fields {
            if field.group.is_some_and(|g| !self.joinable(g)) {
                continue;
            }
            names.push(field.name.to_string());
            if field.kind == Kind::Date {
                names.push(format!("{}_year", field.name));
            }
        }
        names
    }

    /// Whether a group's fields can be grouped by: it is a to-one parent (joined) or a to-many
    /// relation with a [`Pick`].
    fn joinable(&self, group: &str) -> bool {
        self.list.group(group).is_some_and(|declared| {
            declared.join.is_some() || self.picks.iter().any(|p| p.group == group)
        })
    }
}

/// One grouping field of a request.
#[derive(Debug, Clone)]
struct By {
    /// As named in `group_by` (and in each group's `key`).
    name: String,
    field: &'static Field,
    /// `<date>_year`.
    year: bool,
}

/// A `/groups` request: the grouping, the order and the list's filters.
struct GroupsRequest {
    by: Vec<By>,
    sort: GroupSort,
    list: ListRequest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupSort {
    CountDescending,
    Count,
    Key,
    KeyDescending,
}

/// List parameters that mean nothing for groups.
const REFUSED: &[&str] = &["limit", "cursor", "include", "include_total"];

fn parse(
    spec: &'static GroupsSpec,
    query: &str,
    accept: Option<&str>,
) -> Result<GroupsRequest, ApiError> {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| ApiError::invalid_query(format!("the query string is malformed: {e}")))?;
    let mut take = |name: &str| -> Result<Option<String>, ApiError> {
        let mut found: Option<String> = None;
        while let Some(i) = pairs.iter().position(|(n, _)| n == name) {
            let value = pairs.remove(i).1;
            found = Some(match found {
                None => value,
                Some(_) if name == "sort" => {
                    return Err(ApiError::invalid_query(
                        "`sort` is given twice; it takes one value",
                    ))
                }
                Some(list) => format!("{list},{value}"),
            });
        }
        Ok(found)
    };
    let groupable = spec.groupable();
    let offered = || {
        format!(
            "a comma list of 1 to {MAX_GROUP_BY} of: {}",
            groupable.join(", ")
        )
    };
    let group_text = take("group_by")?
        .ok_or_else(|| ApiError::invalid_query(format!("`group_by` is required: {}", offered())))?;
    let sort = match take("sort")?.as_deref() {
        None | Some("-count") => GroupSort::CountDescending,
        Some("count") => GroupSort::Count,
        Some("key") => GroupSort::Key,
        Some("-key") => GroupSort::KeyDescending,
        Some(other) => {
            return Err(ApiError::invalid_query(format!(
                "`sort` must be one of: -count, count, key, -key (got `{other}`)"
            )))
        }
    };
    let mut by: Vec<By> = Vec::new();
    for name in group_text.split(',') {
        let bad =
            || ApiError::invalid_query(format!("`group_by` must be {} (got `{name}`)", offered()));
        let Some(known) = groupable.iter().find(|g| *g == name) else {
            return Err(bad());
        };
        let (field_name, year) = match spec.list.field(known) {
            Some(_) => (known.as_str(), false),
            None => (known.strip_suffix("_year").ok_or_else(bad)?, true),
        };
        let field = spec.list.field(field_name).ok_or_else(bad)?;
        if by.iter().any(|b| b.name == name) {
            return Err(ApiError::invalid_query(format!(
                "`group_by` names `{name}` twice"
            )));
        }
        by.push(By {
            name: name.to_string(),
            field,
            year,
        });
    }
    if by.len() > MAX_GROUP_BY {
        return Err(ApiError::invalid_query(format!(
            "`group_by` takes at most {MAX_GROUP_BY} fields (got {})",
            by.len()
        )));
    }
    for (name, _) in &pairs {
        if REFUSED.contains(&name.as_str()) {
            return Err(ApiError::invalid_query(format!(
                "`{name}` does not apply to groups: every group is in one answer (at most \
                 {MAX_GROUPS})"
            )));
        }
    }
    let rest = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let list = ListRequest::parse(spec.list, &rest, None, accept)?;
    Ok(GroupsRequest { by, sort, list })
}

/// The statement of a request: `key` (a JSON array of the group's values, as text) and
/// `count`, in the requested order, at most `MAX_GROUPS + 1` rows.
fn groups_sql(spec: &GroupsSpec, request: &GroupsRequest) -> Result<Sql, ApiError> {
    let mut sql = Sql::default();
    let list = &request.list;
    let unfiltered = list.conditions.is_empty() && list.q.is_none() && list.updated_since.is_none();
    let rollup = spec
        .rollup
        .as_ref()
        .filter(|_| unfiltered)
        .and_then(|rollup| {
            request
                .by
                .iter()
                .map(|b| {
                    (!b.year)
                        .then(|| rollup.fields.iter().find(|(n, _)| *n == b.name.as_str()))
                        .flatten()
                        .map(|(_, column)| column.to_string())
                })
                .collect::<Option<Vec<String>>>()
                .map(|columns| (rollup, columns))
        });
    let (inner, count) = if let Some((rollup, columns)) = rollup {
        let selected: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} AS g{i}"))
            .collect();
        (
            format!(
                "SELECT {}, sum({})::bigint AS n FROM {} GROUP BY {} HAVING sum({}) > 0",
                selected.join(", "),
                rollup.count,
                rollup.from,
                (1..=columns.len())
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                rollup.count,
            ),
            "n",
        )
    } else {
        (rows_grouped(spec, request, &mut sql)?, "n")
    };
    let keys: Vec<String> = (0..request.by.len()).map(|i| format!("g{i}")).collect();
    let order = match request.sort {
        GroupSort::CountDescending => format!("{count} DESC, {}", keys.join(", ")),
        GroupSort::Count => format!("{count}, {}", keys.join(", ")),
        GroupSort::Key => keys.join(", "),
        GroupSort::KeyDescending => keys
            .iter()
            .map(|k| format!("{k} DESC"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    sql.push(&format!(
        "SELECT json_build_array({})::text AS key, {count} AS count FROM ({inner}) x \
         ORDER BY {order} LIMIT {}",
        keys.join(", "),
        MAX_GROUPS + 1
    ));
    Ok(sql)
}

/// The grouped query over the list's rows, with its filters.
fn rows_grouped(
    spec: &GroupsSpec,
    request: &GroupsRequest,
    sql: &mut Sql,
) -> Result<String, ApiError> {
    let list = spec.list;
    let clauses = filters(list, &request.list, sql)?;
    let mut joins: Vec<String> = Vec::new();
    let mut columns = Vec::new();
    for (i, by) in request.by.iter().enumerate() {
        if let Some(group) = by.field.group {
            let join = join_for(spec, request, group, sql)?;
            if !joins.contains(&join) {
                joins.push(join);
            }
        }
        let column = if let Kind::Values(_) = by.field.kind {
            // One row per value held; none: one row with NULL.
            joins.push(format!(
                "LEFT JOIN LATERAL unnest({}) AS v{i}(value) ON true",
                by.field.sql
            ));
            format!("v{i}.value")
        } else if by.year {
            format!("extract(year FROM {})::int", by.field.sql)
        } else {
            by.field.sql.to_string()
        };
        columns.push(format!("{column} AS g{i}"));
    }
    Ok(format!(
        "SELECT {}, count(*) AS n FROM {} {}{} GROUP BY {}",
        columns.join(", "),
        list.from,
        joins.join(" "),
        where_sql(&clauses),
        (1..=request.by.len())
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The join bringing group `name`'s alias into the grouped query.
fn join_for(
    spec: &GroupsSpec,
    request: &GroupsRequest,
    name: &str,
    sql: &mut Sql,
) -> Result<String, ApiError> {
    let group = spec
        .list
        .group(name)
        .ok_or_else(|| ApiError::internal(format!("list group `{name}` is not declared")))?;
    if let Some(join) = group.join {
        return Ok(join.to_string());
    }
    let pick = spec
        .picks
        .iter()
        .find(|p| p.group == name)
        .ok_or_else(|| ApiError::internal(format!("list group `{name}` has no pick")))?;
    let choosing: Vec<_> = request
        .list
        .conditions
        .iter()
        .filter(|c| pick.choosers.contains(&c.field.name))
        .collect();
    let grouped: Vec<&str> = request
        .by
        .iter()
        .filter(|b| b.field.group == Some(name))
        .map(|b| b.field.name)
        .collect();
    if let Some((join, fields)) = pick.kept {
        if choosing.is_empty() && grouped.iter().all(|g| fields.contains(g)) {
            return Ok(join.to_string());
        }
    }
    if let (Some(unique), [only]) = (pick.unique, choosing.as_slice()) {
        if only.op == super::request::Op::AnyOf && only.value.single().is_some() {
            let condition = super::query::condition_sql(sql, only);
            return Ok(unique.replace("{}", &condition));
        }
    }
    let conditions: Vec<String> = choosing
        .into_iter()
        .map(|c| super::query::condition_sql(sql, c))
        .collect();
    let conditions = if conditions.is_empty() {
        "true".to_string()
    } else {
        conditions.join(" AND ")
    };
    Ok(pick.lateral.replace("{}", &conditions))
}

/// One group of the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupCount {
    /// The group's value of each `group_by` field, by name (`null`: unknown).
    #[schema(value_type = Object, example = json!({"theme": "Health"}))]
    pub key: Map<String, Value>,
    /// How many rows are in the group.
    pub count: i64,
}

/// The answer of `/groups`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Groups {
    /// The fields grouped by, as asked.
    pub group_by: Vec<String>,
    /// Every group, in the requested order.
    pub groups: Vec<GroupCount>,
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Answers `/groups` on `spec`'s collection.
pub async fn groups(
    req: &HttpRequest,
    pool: &ReadPool,
    spec: &'static GroupsSpec,
    name: &str,
) -> Result<HttpResponse, ApiError> {
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
    let request = parse(spec, req.query_string(), accept)?;
    let statement = groups_sql(spec, &request)?;
    let mut conn = pool.conn().await?;
    if request.list.format == Format::Json {
        if let Some(not_modified) = revalidate(req, &mut conn, &[], true).await? {
            return Ok(not_modified);
        }
    }
    let rows: Vec<Row> = statement.into_query().load(&mut conn).await?;
    drop(conn);
    if rows.len() as i64 > MAX_GROUPS {
        return Err(ApiError::invalid_query(format!(
            "this grouping has more than {MAX_GROUPS} groups, the most one answer holds: \
             narrow it with filters, or group by fewer or coarser fields"
        )));
    }
    let names: Vec<&str> = request.by.iter().map(|b| b.name.as_str()).collect();
    let groups = rows
        .into_iter()
        .map(|row| {
            let values: Vec<Value> = serde_json::from_str(&row.key)
                .map_err(|e| ApiError::internal(format!("group key: {e}")))?;
            Ok(GroupCount {
                key: names.iter().map(|n| n.to_string()).zip(values).collect(),
                count: row.count,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    match request.list.format {
        Format::Json => {
            let mut response = json_with_body_etag(
                req,
                &Groups {
                    group_by: names.iter().map(|n| n.to_string()).collect(),
                    groups,
                },
            );
            // The same URL answers CSV or NDJSON by `Accept`: caches must key on it.
            response
                .headers_mut()
                .insert(header::VARY, header::HeaderValue::from_static("Accept"));
            Ok(response)
        }
        Format::Ndjson => {
            let mut body = Vec::new();
            for group in &groups {
                serde_json::to_writer(&mut body, group)
                    .map_err(|e| ApiError::internal(format!("NDJSON: {e}")))?;
                body.push(b'\n');
            }
            Ok(download(body, "application/x-ndjson", name, "ndjson"))
        }
        Format::Csv => Ok(download(
            csv(&names, &groups)?,
            "text/csv; charset=utf-8",
            name,
            "csv",
        )),
    }
}

fn download(body: Vec<u8>, content_type: &str, name: &str, extension: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(crate::http::cache_control())
        .insert_header((header::VARY, "Accept"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}-groups.{extension}\""),
        ))
        .body(body)
}

/// The CSV of `groups`: a header (the `group_by` fields, then `count`), one line a group;
/// unknown values empty, as in list exports.
fn csv(names: &[&str], groups: &[GroupCount]) -> Result<Vec<u8>, ApiError> {
    let failed = |e: csv::Error| ApiError::internal(format!("CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = names.to_vec();
    header.push("count");
    writer.write_record(&header).map_err(failed)?;
    for group in groups {
        let mut record: Vec<String> = names
            .iter()
            .map(|n| match group.key.get(*n) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            })
            .collect();
        record.push(group.count.to_string());
        writer.write_record(&record).map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::internal(format!("CSV: {e}")))
}

/// Every query parameter `/groups` takes on `spec`'s collection: `group_by`, its `sort`, and
/// the list's filters, `q`, `updated_since` and `format`.
pub fn parameters(spec: &GroupsSpec) -> Vec<utoipa::openapi::path::Parameter> {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn, ParameterStyle};
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    use utoipa::openapi::Required;
    let groupable = spec.groupable();
    let group_by = ParameterBuilder::new()
        .name("group_by")
        .parameter_in(ParameterIn::Query)
        .required(Required::True)
        .description(Some(format!(
            "The fields to group by, 1 to {MAX_GROUP_BY} (a comma list, or the key repeated). \
             `<date>_year` groups a date by its year; a list field (e.g. `ogp_values`) counts a \
             row in the group of each value it holds. Unknown values form their own group \
             (`null`). At most {MAX_GROUPS} groups: more is a 400."
        )))
        .schema(Some(
            ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(groupable.iter().map(String::as_str))),
                )
                .min_items(Some(1))
                .max_items(Some(MAX_GROUP_BY)),
        ))
        .style(Some(ParameterStyle::Form))
        .explode(Some(true))
        .build();
    let sort = ParameterBuilder::new()
        .name("sort")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(
            "`-count` (default: largest groups first, then by key), `count`, `key` or `-key` \
             (by the grouped values in order; unknown values last ascending, first descending)."
                .to_string(),
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["-count", "count", "key", "-key"])),
        ))
        .build();
    let mut out = vec![group_by, sort];
    out.extend(
        super::docs::parameters(spec.list)
            .into_iter()
            .filter(|p| !REFUSED.contains(&p.name.as_str()) && p.name != "sort")
            .map(|mut p| {
                if p.name == "format" {
                    p.description = Some(
                        "`csv` (a column per `group_by` field, then `count`) or `ndjson` (one \
                         group a line); same as `Accept: text/csv` or \
                         `Accept: application/x-ndjson`."
                            .to_string(),
                    );
                }
                p
            }),
    );
    out
}

/// Declares `$name`, the documented query parameters of `/groups` on `$spec`.
macro_rules! groups_params {
    ($name:ident, $spec:expr) => {
        #[doc = concat!("Query parameters of `/groups` (documentation only), from `", stringify!($spec), "`.")]
        pub struct $name;

        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                $crate::listing::groups::parameters(&$spec)
            }
        }
    };
}
pub(crate) use groups_params;

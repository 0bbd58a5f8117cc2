//! The filters derived from a list's fields, besides the exact match and the ranges: each is
//! declared by the [`ListSpec`] (no resource lists them), parsed, turned into SQL and
//! documented here, so the three cannot drift.
//!
//! - `<field>_null=true|false` on every nullable field: `IS NULL` / `IS NOT NULL`.
//! - `<field>_not=a,b` on every field: the rows whose value is none of them. A row whose value
//!   is unknown (NULL) **is kept**: filters combine with AND only, so `theme_not=X` plus
//!   `theme_null=false` still says "known and not X", while the SQL/PostgREST reading (NULL
//!   dropped) would leave no way to say "not X, unknown included".
//! - the key (`id=1,2,3`, `code=MEX,BRA`) on every collection, at most [`MAX_LIMIT`] values
//!   (the largest page): more is a 400 naming the limit, never a truncated list.
//!
//! A field of a group (a commitment's plan, its assessments) keeps the group's rule: every
//! condition on the group holds for the same related row. So on commitments
//! `completion_null=true` is "has an assessment whose completion is unknown" (not "has no
//! assessment"), and `completion_not=complete` is "has an assessment whose completion is not
//! `complete`"; combined with `report=…`, that same report's assessment.

use super::request::Op;
use super::spec::{Field, Kind, ListSpec};
use super::MAX_LIMIT;
use crate::error::ApiError;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Required, Schema};

/// How a query parameter names its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `<field>=a,b`
    Equal,
    /// `<field>_gte=a`
    AtLeast,
    /// `<field>_lte=a`
    AtMost,
    /// `<field>_not=a,b`
    Not,
    /// `<field>_null=true|false`
    Null,
}

/// The field and the comparison a query parameter names, if the list offers it. An exact
/// field name wins over a suffix (no field's name ends in `_not` or `_null` today, but a
/// future one would still be its own filter).
pub fn resolve(spec: &'static ListSpec, name: &str) -> Option<(&'static Field, Param)> {
    if let Some(field) = spec.field_or_key(name) {
        return Some((field, Param::Equal));
    }
    let suffixes = [
        ("_gte", Param::AtLeast),
        ("_lte", Param::AtMost),
        ("_not", Param::Not),
        ("_null", Param::Null),
    ];
    suffixes.into_iter().find_map(|(suffix, param)| {
        let field = spec.field(name.strip_suffix(suffix)?)?;
        let offered = match param {
            Param::AtLeast | Param::AtMost => field.range,
            Param::Null => field.nullable,
            Param::Equal | Param::Not => true,
        };
        offered.then_some((field, param))
    })
}

/// Parameters that take one value, so that repeating them is ambiguous (not a longer list).
pub fn is_single_valued(name: &str) -> bool {
    name.ends_with("_gte") || name.ends_with("_lte") || name.ends_with("_null")
}

/// Refuses a list of more key values than a page holds (`text` is the comma list).
pub fn check_key_values(
    spec: &ListSpec,
    name: &str,
    field: &Field,
    text: &str,
) -> Result<(), ApiError> {
    let count = text.split(',').count();
    if field.name == spec.key.name && count as i64 > MAX_LIMIT {
        return Err(ApiError::invalid_query(format!(
            "`{name}` takes at most {MAX_LIMIT} values (the largest page, `limit`); got \
             {count}: split the request"
        )));
    }
    Ok(())
}

/// The SQL of the conditions this module adds (`None` for the others), over `column`;
/// `placeholder` is the bound list of values (unused for `_null`).
pub fn condition_sql(
    op: Op,
    field: &Field,
    placeholder: impl FnOnce() -> String,
) -> Option<String> {
    let column = field.sql;
    Some(match op {
        Op::Null(true) => format!("{column} IS NULL"),
        Op::Null(false) => format!("{column} IS NOT NULL"),
        // `IS NOT TRUE` keeps the rows whose value is NULL (see the module's documentation).
        Op::NoneOf if matches!(field.kind, Kind::Values(_)) => {
            format!("({column} && {}) IS NOT TRUE", placeholder())
        }
        Op::NoneOf => format!("({column} = ANY({})) IS NOT TRUE", placeholder()),
        Op::AnyOf | Op::Overlaps | Op::AtLeast | Op::AtMost => return None,
    })
}

/// The `JOIN`s a request's sort needs: those of the groups (to-one parents) whose fields it
/// sorts by, each once.
pub fn sort_joins(spec: &ListSpec, sort: &[super::request::SortKey]) -> Vec<&'static str> {
    let mut joins = Vec::new();
    for key in sort {
        let join = spec
            .field(key.name)
            .and_then(|f| f.group)
            .and_then(|g| spec.group(g))
            .and_then(|g| g.join);
        if let Some(join) = join.filter(|j| !joins.contains(j)) {
            joins.push(join);
        }
    }
    joins
}

fn query_parameter(
    name: &str,
    description: String,
    schema: impl Into<RefOr<Schema>>,
) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
}

fn values_list(spec: &ListSpec, field: &Field) -> ArrayBuilder {
    let list = ArrayBuilder::new()
        .items(super::docs::scalar_schema(field.kind))
        .min_items(Some(1));
    if field.name == spec.key.name {
        list.max_items(Some(MAX_LIMIT as usize))
    } else {
        list
    }
}

/// The spec's parameters of this module's filters for `spec`: the key when it is not a field
/// already, then `_not` and `_null` of each field.
pub fn parameters(spec: &ListSpec) -> Vec<Parameter> {
    let mut out = Vec::new();
    let key = &spec.key;
    if spec.field(key.name).is_none() {
        out.push(
            query_parameter(
                key.name,
                format!(
                    "{} (any of the values; at most {MAX_LIMIT}, the largest page: more is a \
                     400). Repeat the key, `?{name}=1&{name}=2`, or give a comma list, \
                     `?{name}=1,2`.",
                    key.doc,
                    name = key.name
                ),
                values_list(spec, key),
            )
            .style(Some(ParameterStyle::Form))
            .explode(Some(true))
            .build(),
        );
    }
    for field in spec.fields {
        let limit = if field.name == spec.key.name {
            format!(" At most {MAX_LIMIT} values.")
        } else {
            String::new()
        };
        let group = if field.group.is_some() {
            " Like every filter on this related record, it holds for the same related row as \
             the others."
        } else {
            ""
        };
        out.push(
            query_parameter(
                &format!("{}_not", field.name),
                format!(
                    "{}: none of these values (repeat the key or give a comma list). Rows whose \
                     value is unknown (null) are kept; add `{}_null=false` to drop them.{limit}{group}",
                    field.doc, field.name
                ),
                values_list(spec, field),
            )
            .style(Some(ParameterStyle::Form))
            .explode(Some(true))
            .build(),
        );
        if field.nullable {
            out.push(
                query_parameter(
                    &format!("{}_null", field.name),
                    format!(
                        "{}: `true`, only rows where it is unknown (null); `false`, only rows \
                         where it is known.{group}",
                        field.doc
                    ),
                    ObjectBuilder::new().schema_type(Type::Boolean),
                )
                .build(),
            );
        }
    }
    out
}

/// Every query parameter name this module adds to `spec`'s list (for the 400 of an unknown one).
pub fn names(spec: &ListSpec) -> Vec<String> {
    let mut names = Vec::new();
    if spec.field(spec.key.name).is_none() {
        names.push(spec.key.name.to_string());
    }
    for field in spec.fields {
        names.push(format!("{}_not", field.name));
        if field.nullable {
            names.push(format!("{}_null", field.name));
        }
    }
    names
}

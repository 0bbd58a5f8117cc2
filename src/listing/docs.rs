//! The spec's query parameters of a list, written from its [`ListSpec`] (the same declaration
//! that parses them), so the documentation cannot disagree with the server.

use super::request::COMMON_PARAMETERS;
use super::spec::{Kind, ListSpec};
use super::MAX_LIMIT;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Ref, RefOr, Required, Schema};

/// The schema of one value of `kind`: a reference to the vocabulary's enum schema when the values
/// are one of [`crate::vocab::DESCRIBED`] (so generators make one type per enum, not one per
/// parameter), else written out.
pub(super) fn scalar_schema(kind: Kind) -> RefOr<Schema> {
    if let Kind::Enum(values) | Kind::Values(values) = kind {
        if let Some((name, _, _)) = crate::vocab::DESCRIBED
            .iter()
            .find(|(_, names, _)| *names == values)
        {
            return Ref::from_schema_name(*name).into();
        }
    }
    scalar_object(kind).into()
}

fn scalar_object(kind: Kind) -> ObjectBuilder {
    match kind {
        Kind::Int => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32))),
        Kind::BigInt => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1)),
        Kind::Text => ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1)),
        Kind::Date => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        Kind::Bool => ObjectBuilder::new().schema_type(Type::Boolean),
        Kind::Enum(values) | Kind::Values(values) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied())),
    }
}

fn parameter(
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

/// `fields=`: the names the resource offers, from the same declaration that parses them.
fn fields_parameter(spec: &ListSpec) -> ParameterBuilder {
    let names = super::fields::names(spec);
    parameter(
        super::fields::PARAMETER,
        format!(
            "Only these fields in each row (and as the CSV columns, the NDJSON keys), read by a \
             query that selects only them; `{key}` is always included. They come in the \
             resource's order whatever the order asked; an unknown name, a name given twice or \
             an empty list is a 400. With `include`, the embedded collections are added. On an \
             item, the ETag is then a weak one of that body (`If-Match` on a write needs the \
             whole item's). One or more of: {}.",
            names.join(", "),
            key = spec.key.name,
        ),
        ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(names)),
            )
            .min_items(Some(1)),
    )
    .style(Some(ParameterStyle::Form))
    .explode(Some(true))
}

/// Every query parameter `spec`'s list accepts.
pub fn parameters(spec: &ListSpec) -> Vec<Parameter> {
    let mut out = Vec::new();
    for field in spec.fields {
        // Any-of lists: an array in `form` style with `explode` (the key repeated, as generated
        // clients send arrays); the server takes a comma list as the same array.
        let list = ArrayBuilder::new()
            .items(scalar_schema(field.kind))
            .min_items(Some(1));
        let how = if matches!(field.kind, Kind::Values(_)) {
            "rows holding any of the values"
        } else {
            "exact match; several values match any of them"
        };
        out.push(
            parameter(
                field.name,
                format!(
                    "{} ({how}: repeat the key, `?{name}=a&{name}=b`, or give a comma list, \
                     `?{name}=a,b`).",
                    field.doc,
                    name = field.name
                ),
                list,
            )
            .style(Some(ParameterStyle::Form))
            .explode(Some(true))
            .build(),
        );
        if field.range {
            for (suffix, word) in [("gte", "at or after"), ("lte", "at or before")] {
                out.push(
                    parameter(
                        &format!("{}_{suffix}", field.name),
                        format!("{}: {word} this value.", field.doc),
                        scalar_schema(field.kind),
                    )
                    .build(),
                );
            }
        }
    }
    out.extend(super::filters::parameters(spec));
    for name in COMMON_PARAMETERS {
        let built = match *name {
            "limit" => parameter(
                name,
                format!(
                    "Page size, 1–{MAX_LIMIT}; 50 when not given. In an export (`format=csv` or \
                     `ndjson`), the most rows to export, any number from 1; every row when not \
                     given."
                ),
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(1)),
            ),
            "cursor" => parameter(
                name,
                "Opaque cursor: `next_cursor` of the previous page, with the same other \
                 parameters. An export given a cursor starts after it."
                    .to_string(),
                ObjectBuilder::new().schema_type(Type::String),
            ),
            "sort" => parameter(
                name,
                format!(
                    "Comma list of fields to order by, `-` prefix for descending: {}. \
                     The key breaks ties. Default: the key, or relevance when `q` is given.",
                    spec.sortable().join(", ")
                ),
                ObjectBuilder::new().schema_type(Type::String),
            ),
            "q" if spec.search.is_some() => parameter(
                name,
                "Full-text search (English and Spanish, accents ignored; web-search syntax: \
                 words, \"phrases\", OR, -word). Results are ranked unless `sort` is given."
                    .to_string(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(500)),
            ),
            "q" => continue,
            "updated_since" => parameter(
                name,
                "Only rows created or changed at or after this RFC 3339 timestamp.".to_string(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
            ),
            "include_total" => parameter(
                name,
                "`true`: add `total`, how many rows match over all pages (`false` when not \
                 given). Accepted by exports, where it changes nothing."
                    .to_string(),
                ObjectBuilder::new().schema_type(Type::Boolean),
            ),
            "include" => match include_parameter(spec) {
                Some(built) => built,
                None => continue,
            },
            "fields" => fields_parameter(spec),
            "format" => parameter(
                name,
                "Export every matching row, unpaginated: `csv` (RFC 4180, header row, arrays \
                 joined with `;`) or `ndjson`. Same as `Accept: text/csv` or \
                 `Accept: application/x-ndjson`."
                    .to_string(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["json", "csv", "ndjson"])),
            ),
            _ => continue,
        };
        out.push(built.build());
    }
    out
}

/// The `include` parameter of `spec`'s list and items (`None` when it embeds nothing): its
/// values are the declaration's.
fn include_parameter(spec: &ListSpec) -> Option<ParameterBuilder> {
    if spec.includes.is_empty() {
        return None;
    }
    let built = parameter(
        "include",
        "What to embed in each row (repeat the key or give a comma list), one query per \
         collection per level whatever the page size. A child collection (plural) is an array \
         of its records, whole; a parent (singular) is an object, the same JSON as its own GET \
         (`null` when the row names none); a path of two segments (`action_plan.country`) \
         embeds the parent's parent in it, two being the deepest. An NDJSON export nests them \
         the same way (read in batches of 1000 rows); a CSV export flattens parents into \
         `action_plan.title`-style columns and refuses children (export the child collection \
         and join on its parent's id). On an item GET the ETag is then weak, over the body, so \
         that it changes when an embedded record does."
            .to_string(),
        ArrayBuilder::new().items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(spec.includes.iter().copied())),
        ),
    )
    .style(Some(ParameterStyle::Form))
    .explode(Some(true));
    Some(built)
}

/// The documented query parameters of an item GET of `spec`'s collection: `fields` and `include`.
pub fn item_parameters(spec: &ListSpec) -> Vec<Parameter> {
    std::iter::once(fields_parameter(spec).build())
        .chain(include_parameter(spec).map(|built| built.build()))
        .collect()
}

/// Declares `$name`, the documented query parameters of an item GET of list `$spec`'s
/// collection.
macro_rules! item_params {
    ($name:ident, $spec:expr) => {
        #[doc = concat!("Query parameters of an item GET (documentation only), from `", stringify!($spec), "`.")]
        pub struct $name;

        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                $crate::listing::docs::item_parameters(&$spec)
            }
        }
    };
}
pub(crate) use item_params;

/// Declares `$name`, the documented query parameters of list `$spec`.
macro_rules! list_params {
    ($name:ident, $spec:expr) => {
        #[doc = concat!("Query parameters of a list (documentation only), from `", stringify!($spec), "`.")]
        pub struct $name;

        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                $crate::listing::docs::parameters(&$spec)
            }
        }
    };
}
pub(crate) use list_params;

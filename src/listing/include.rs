//! Embedding parents (`include=action_plan,country`, two levels: `include=action_plan.country`)
//! into a list's rows and into an item GET, one query per embedded collection per level.
//!
//! A child never imports its parent's module (docs/architecture.md), so a list names its
//! parents by collection only ([`Parent`]); the parent resources offer themselves as a
//! [`Source`] (their list's key, `SELECT` and row type), which `app` registers once as
//! [`Sources`] app data. The parent objects are the parent's own row type serialized, so an
//! embedded plan is exactly what `GET /action-plans/{id}` answers.
//!
//! The allowed `include` values are the list's [`ListSpec::includes`] (children and parent
//! paths alike), so the 400 for an unknown or too deep path and the spec's enum come from that
//! one declaration. The deepest path is two segments ([`MAX_DEPTH`]).

use super::request::invalid_include;
use super::spec::{Kind, ListSpec};
use super::sql::{Bind, Sql};
use crate::error::ApiError;
use actix_web::{web, HttpRequest};
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};

/// The most segments an `include` path has (`action_plan.country`): every declared path is
/// checked against it by a test, so a deeper one cannot be offered by mistake.
pub const MAX_DEPTH: usize = 2;

/// A parent a list's rows name, embedded as an object under `name` (`null` when the row names
/// none, as a finding about a whole plan names no commitment).
#[derive(Debug, Clone, Copy)]
pub struct Parent {
    /// The `include` value and the JSON field of the embedded object: `"action_plan"`.
    pub name: &'static str,
    /// The registered [`Source`] it comes from: `"action_plans"`.
    pub collection: &'static str,
    /// The JSON field holding the parent's key: of the row itself, or of the parent named by
    /// `through` (a commitment's country is its plan's `country_code`).
    pub key: &'static str,
    /// Another of the list's parents whose object holds `key`, when the row does not.
    pub through: Option<&'static str>,
}

impl Parent {
    /// A parent whose key is the row's own field `key`.
    pub const fn by(name: &'static str, collection: &'static str, key: &'static str) -> Self {
        Self {
            name,
            collection,
            key,
            through: None,
        }
    }

    /// A parent whose key is the field `key` of the row's parent `through`.
    pub const fn through(
        name: &'static str,
        collection: &'static str,
        through: &'static str,
        key: &'static str,
    ) -> Self {
        Self {
            name,
            collection,
            key,
            through: Some(through),
        }
    }
}

/// The rows of a collection by keys, as JSON objects (one query).
pub type Fetch = for<'a> fn(
    &'a mut AsyncPgConnection,
    &'static ListSpec,
    Bind,
) -> Pin<Box<dyn Future<Output = Result<Vec<Value>, ApiError>> + 'a>>;

/// A collection that can be embedded as a parent.
#[derive(Clone, Copy)]
pub struct Source {
    /// Its name in [`Parent::collection`]: `"action_plans"`.
    pub collection: &'static str,
    /// Its list: the key, `FROM` and `SELECT` of the fetch, and its own parents (the second
    /// level of a path).
    pub spec: &'static ListSpec,
    /// [`fetch::<Row>`](fetch) for its row type.
    pub fetch: Fetch,
    /// Its row type's fields, the CSV columns of an embedded one (`export::columns::<Row>`).
    pub columns: fn() -> Vec<String>,
}

/// Every collection that can be embedded as a parent: registered once by `app` as app data.
#[derive(Clone, Copy)]
pub struct Sources(pub &'static [Source]);

impl Sources {
    /// The source named `collection`.
    pub fn source(&self, collection: &str) -> Result<&'static Source, ApiError> {
        self.0
            .iter()
            .find(|s| s.collection == collection)
            .ok_or_else(|| ApiError::internal(format!("no source `{collection}` is registered")))
    }

    /// The registered sources of a request's app.
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        req.app_data::<web::Data<Sources>>()
            .map(|data| *data.get_ref())
            .ok_or_else(|| ApiError::internal("no include sources are registered"))
    }
}

/// Loads the rows of `spec` whose key is one of `keys`, as JSON: the [`Fetch`] of a row type.
pub fn fetch<'a, T>(
    conn: &'a mut AsyncPgConnection,
    spec: &'static ListSpec,
    keys: Bind,
) -> Pin<Box<dyn Future<Output = Result<Vec<Value>, ApiError>> + 'a>>
where
    T: QueryableByName<Pg> + Serialize + Send + 'static,
{
    Box::pin(async move {
        let mut sql = Sql::new(format!(
            "SELECT {} FROM {} WHERE {} = ANY(",
            spec.select, spec.from, spec.key.sql
        ));
        let keys = sql.bind(keys);
        sql.push(&keys).push(")");
        let rows: Vec<T> = sql.into_query().load(conn).await?;
        rows.iter()
            .map(|row| serde_json::to_value(row).map_err(|e| ApiError::internal(e.to_string())))
            .collect()
    })
}

/// The first segment of a path (`action_plan` of `action_plan.country`).
fn head(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

/// Whether `path` embeds a parent of `spec` (else it names a child collection).
pub fn is_parent(spec: &ListSpec, path: &str) -> bool {
    spec.parents.iter().any(|p| p.name == head(path))
}

/// Whether any of `includes` embeds a parent.
pub fn any_parent(spec: &ListSpec, includes: &[&str]) -> bool {
    includes.iter().any(|path| is_parent(spec, path))
}

/// The lookup key of a key value (ids and codes alike).
fn key_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The bind of distinct `keys` for a key of `kind`.
fn keys_bind(kind: Kind, keys: Vec<String>) -> Bind {
    match kind {
        Kind::BigInt => Bind::BigInts(keys.iter().filter_map(|k| k.parse().ok()).collect()),
        Kind::Int => Bind::Ints(keys.iter().filter_map(|k| k.parse().ok()).collect()),
        _ => Bind::Texts(keys),
    }
}

/// Parent objects by their key text.
type ByKey = HashMap<String, Value>;

/// Embeds the parents `paths` name (paths of `spec`'s parents; children are ignored here)
/// into `rows`: per level, one query per parent collection for the whole set of rows.
pub fn embed_parents<'a>(
    conn: &'a mut AsyncPgConnection,
    sources: Sources,
    spec: &'static ListSpec,
    rows: &'a mut [Value],
    paths: &'a [&'static str],
) -> Pin<Box<dyn Future<Output = Result<(), ApiError>> + 'a>> {
    Box::pin(async move {
        let requested: Vec<&Parent> = spec
            .parents
            .iter()
            .filter(|p| paths.iter().any(|path| head(path) == p.name))
            .collect();
        if requested.is_empty() || rows.is_empty() {
            return Ok(());
        }
        // The parents to load: those asked for, and those a `through` parent is read from.
        let needed = |p: &Parent| {
            requested
                .iter()
                .any(|r| r.name == p.name || r.through == Some(p.name))
        };
        let mut fetched: HashMap<&'static str, ByKey> = HashMap::new();
        let direct = spec.parents.iter().filter(|p| p.through.is_none());
        let indirect = spec.parents.iter().filter(|p| p.through.is_some());
        for parent in direct.chain(indirect).filter(|p| needed(p)) {
            let mut keys: Vec<String> = rows
                .iter()
                .filter_map(|row| parent_key(row, parent, spec, &fetched))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let source = sources.source(parent.collection)?;
            let objects = match keys.is_empty() {
                true => Vec::new(),
                false => {
                    (source.fetch)(conn, source.spec, keys_bind(source.spec.key.kind, keys)).await?
                }
            };
            let key_name = source.spec.key.name;
            let by_key = objects
                .into_iter()
                .filter_map(|object| Some((key_text(object.get(key_name)?)?, object)))
                .collect();
            fetched.insert(parent.name, by_key);
        }
        // The second level: `action_plan.country` embeds the plans' countries into the plans.
        for parent in &requested {
            let prefix = format!("{}.", parent.name);
            let deeper: Vec<&'static str> = paths
                .iter()
                .filter_map(|path| path.strip_prefix(prefix.as_str()))
                .collect();
            if deeper.is_empty() {
                continue;
            }
            let source = sources.source(parent.collection)?;
            let by_key = fetched.remove(parent.name).unwrap_or_default();
            let (keys, mut objects): (Vec<String>, Vec<Value>) = by_key.into_iter().unzip();
            embed_parents(conn, sources, source.spec, &mut objects, &deeper).await?;
            fetched.insert(parent.name, keys.into_iter().zip(objects).collect());
        }
        for row in rows.iter_mut() {
            let embedded: Vec<(String, Value)> = requested
                .iter()
                .map(|parent| {
                    let object = parent_key(row, parent, spec, &fetched)
                        .and_then(|key| fetched.get(parent.name)?.get(&key).cloned());
                    (parent.name.to_string(), object.unwrap_or(Value::Null))
                })
                .collect();
            if let Value::Object(map) = row {
                map.extend(embedded);
            }
        }
        Ok(())
    })
}

/// The key of `parent` for `row`: the row's own field, or the field of its `through` parent's
/// object (fetched before it).
fn parent_key(
    row: &Value,
    parent: &Parent,
    spec: &ListSpec,
    fetched: &HashMap<&'static str, ByKey>,
) -> Option<String> {
    match parent.through {
        None => key_text(row.get(parent.key)?),
        Some(through) => {
            let via = spec.parents.iter().find(|p| p.name == through)?;
            let via_key = parent_key(row, via, spec, fetched)?;
            key_text(fetched.get(through)?.get(&via_key)?.get(parent.key)?)
        }
    }
}

/// Rows serialized to JSON objects, with the parents `includes` names embedded.
pub async fn with_parents<E: Serialize>(
    conn: &mut AsyncPgConnection,
    sources: Sources,
    spec: &'static ListSpec,
    items: Vec<E>,
    includes: &[&'static str],
) -> Result<Vec<Value>, ApiError> {
    let mut rows = items
        .iter()
        .map(|item| serde_json::to_value(item).map_err(|e| ApiError::internal(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    embed_parents(conn, sources, spec, &mut rows, includes).await?;
    Ok(rows)
}

/// The `include` of an item GET (`GET /commitments/{id}?include=action_plan.country`): the
/// same values as the list's, checked before the item is read. `None` without `include`.
/// Other parameters are left to whoever reads them (an item GET ignored its query string).
fn item_includes(
    req: &HttpRequest,
    spec: &'static ListSpec,
) -> Result<Option<Vec<&'static str>>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::invalid_query("the query string is not valid form encoding"))?;
    let mut includes = Vec::new();
    let mut given = false;
    for (_, value) in pairs.into_iter().filter(|(name, _)| name == "include") {
        given = true;
        for path in value.split(',') {
            let known = spec.includes.iter().copied().find(|i| *i == path);
            includes.push(known.ok_or_else(|| invalid_include(spec, path))?);
        }
    }
    Ok(given.then_some(includes))
}

/// What an item GET hands to `flow::get_with`: `None` without `include`, else how the item
/// becomes its body. The `include` is checked here, before the item is read (a 400 first).
// The return type holds an `impl` closure type, which no `type` alias can name (yet).
#[allow(clippy::type_complexity)]
pub fn item<T, E, M>(
    req: &HttpRequest,
    spec: &'static ListSpec,
    embed: M,
) -> Result<Option<impl AsyncFnOnce(&mut AsyncPgConnection, T) -> Result<Value, ApiError>>, ApiError>
where
    E: Serialize,
    M: AsyncFn(&mut AsyncPgConnection, Vec<T>, &[&'static str]) -> Result<Vec<E>, ApiError>,
{
    let Some(includes) = item_includes(req, spec)? else {
        return Ok(None);
    };
    let sources = Sources::of(req)?;
    Ok(Some(async move |conn: &mut AsyncPgConnection, item: T| {
        item_body(conn, sources, spec, item, &includes, embed).await
    }))
}

/// The body of an item GET with `include`: the item with its children (the list's `embed`)
/// and parents, as on a page.
async fn item_body<T, E, M>(
    conn: &mut AsyncPgConnection,
    sources: Sources,
    spec: &'static ListSpec,
    item: T,
    includes: &[&'static str],
    embed: M,
) -> Result<Value, ApiError>
where
    E: Serialize,
    M: AsyncFn(&mut AsyncPgConnection, Vec<T>, &[&'static str]) -> Result<Vec<E>, ApiError>,
{
    let items = embed(conn, vec![item], includes).await?;
    let mut rows = with_parents(conn, sources, spec, items, includes).await?;
    Ok(rows.pop().unwrap_or_else(|| Value::Object(Map::new())))
}

/// The spec's schema of an embedded parent: the component schema `name`, carrying the parents
/// `deeper` (field and component schema) when a two-segment path asks for them, or `null` when
/// the row names none. For a `#[schema(schema_with = …)]` of a list item's field (a child's
/// module names its parent's schema by name only).
pub fn parent_schema(name: &str, deeper: &[(&str, &str)], description: &str) -> RefOr<Schema> {
    let own: RefOr<Schema> = Ref::from_schema_name(name).into();
    let object: RefOr<Schema> = if deeper.is_empty() {
        own
    } else {
        let mut extra = ObjectBuilder::new().schema_type(Type::Object);
        for (field, schema) in deeper {
            extra = extra.property(
                *field,
                parent_schema(
                    schema,
                    &[],
                    &format!("Its own `{field}` (only with an `include` path ending `.{field}`)"),
                ),
            );
        }
        AllOfBuilder::new().item(own).item(extra).into()
    };
    OneOfBuilder::new()
        .item(object)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(description))
        .into()
}

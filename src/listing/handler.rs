//! The flow every list endpoint shares: parse, check the alias's parent, then either stream an
//! export or fetch one page, embed the requested children and answer with a cacheable page.

use super::budget::ExportBudget;
use super::export::export;
use super::export_nested::export_nested;
use super::fields;
use super::include::{any_parent, with_parents, Sources};
use super::request::{Format, ListRequest};
use super::response::page_json;
use super::spec::ListSpec;
use super::sql::{Bind, Sql};
use super::{fetch_page, PageOf};
use crate::db::ReadPool;
use crate::error::ApiError;
use actix_web::http::header::ACCEPT;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The parent a read alias's path names (`/action-plans/{id}/commitments`): the filter the path
/// fixes, and the row that must exist for the alias to answer (else a 404). The check is one
/// query on the parent's table, so a child's list needs nothing of its parent's module.
pub struct AliasParent {
    /// The list's field the path fixes, e.g. `action_plan_id`.
    field: &'static str,
    /// The parent's key from the path, as bound into the existence check.
    key: Bind,
    /// The parent's table and key column (identifiers from the code, never from a request).
    table: &'static str,
    column: &'static str,
    /// `false` when the path cannot name a parent at all (404 without a query).
    plausible: bool,
    /// The 404 detail when no such parent exists.
    missing: String,
}

impl AliasParent {
    /// A parent with an `id` key: `field` is `table.id`.
    pub fn by_id(field: &'static str, table: &'static str, noun: &str, id: i64) -> Self {
        Self {
            field,
            key: Bind::BigInt(id),
            table,
            column: "id",
            plausible: true,
            missing: format!("no {noun} has the id {id}"),
        }
    }

    /// A parent with a text key (`code`): `field` is `table.column`; `plausible` is whether
    /// `code` has the key's form (text PostgreSQL cannot take, like a NUL, never reaches it).
    pub fn by_code(
        field: &'static str,
        table: &'static str,
        column: &'static str,
        noun: &str,
        code: String,
        plausible: bool,
    ) -> Self {
        Self {
            field,
            missing: format!("no {noun} has the {column} `{}`", code.escape_debug()),
            key: Bind::Text(code),
            table,
            column,
            plausible,
        }
    }

    fn fixed(&self) -> (&'static str, Value) {
        let value = match &self.key {
            Bind::BigInt(id) => Value::from(*id),
            Bind::Text(code) => Value::from(code.clone()),
            other => unreachable!("alias keys are ids or codes, not {other:?}"),
        };
        (self.field, value)
    }

    async fn exists(&self, conn: &mut AsyncPgConnection) -> Result<bool, ApiError> {
        #[derive(QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            found: bool,
        }
        let mut sql = Sql::new(format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE {} = ",
            self.table, self.column
        ));
        let key = sql.bind(self.key.clone());
        sql.push(&key).push(") AS found");
        let found: Found = sql.into_query().get_result(conn).await?;
        Ok(found.found)
    }
}

/// Answers a list request for rows `T`, embedding children into `E` rows.
pub async fn list<T, E, M>(
    req: &HttpRequest,
    pool: &ReadPool,
    spec: &'static ListSpec,
    parent: Option<AliasParent>,
    embed: M,
    export_name: &str,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
    E: Serialize,
    E: 'static,
    M: AsyncFn(&mut AsyncPgConnection, Vec<T>, &[&'static str]) -> Result<Vec<E>, ApiError>
        + 'static,
{
    if let Some(parent) = parent.as_ref().filter(|p| !p.plausible) {
        return Err(ApiError::not_found(parent.missing.clone()));
    }
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
    let fixed = parent.as_ref().map(AliasParent::fixed);
    let request = ListRequest::parse(spec, req.query_string(), fixed, accept)?;
    let mut conn = pool.conn().await?;
    if let Some(parent) = parent {
        if !parent.exists(&mut conn).await? {
            return Err(ApiError::not_found(parent.missing));
        }
    }
    if let Some(projection) = request.fields.clone() {
        if request.includes.is_empty() {
            return fields::answer(req, conn, pool, spec, &request, &projection, export_name).await;
        }
        // With `include`, the embedding needs whole rows (their keys and parents' ids): the
        // output is cut once everything is embedded (`cut_to_fields`).
    }
    answer::<T, E, M>(req, conn, pool, spec, request, embed, export_name).await
}

/// Answers a parsed list request: an export, or a page with its embedded children.
async fn answer<T, E, M>(
    req: &HttpRequest,
    mut conn: crate::db::DbConn,
    pool: &ReadPool,
    spec: &'static ListSpec,
    request: ListRequest,
    embed: M,
    export_name: &str,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
    E: Serialize,
    E: 'static,
    M: AsyncFn(&mut AsyncPgConnection, Vec<T>, &[&'static str]) -> Result<Vec<E>, ApiError>
        + 'static,
{
    if request.format != Format::Json {
        drop(conn);
        // Exports share one process-wide budget (`budget.rs`), registered by `app::build`.
        let budget = req
            .app_data::<web::Data<ExportBudget>>()
            .ok_or_else(|| ApiError::internal("no export budget is registered"))?;
        if !request.includes.is_empty() {
            // CSV takes only parents' paths (the request refuses children for CSV).
            let sources = Sources::of(req)?;
            return export_nested::<T, E, M>(
                pool,
                budget,
                spec,
                request,
                export_name,
                embed,
                sources,
            )
            .await;
        }
        return export::<T>(pool, budget, spec, request, export_name).await;
    }
    if request.includes.is_empty() {
        // Neither children nor parents to embed: PostgreSQL writes the items' JSON.
        return super::raw::answer(req, &mut conn, spec, &request, request.fields.as_ref()).await;
    }
    let page = fetch_page::<T>(&mut conn, spec, &request).await?;
    let items = embed(&mut conn, page.items, &request.includes).await?;
    if !any_parent(spec, &request.includes) && request.fields.is_none() {
        return Ok(page_json(
            req,
            PageOf {
                items,
                next_cursor: page.next_cursor,
                total: page.total,
            },
        ));
    }
    let sources = Sources::of(req)?;
    let items = with_parents(&mut conn, sources, spec, items, &request.includes).await?;
    Ok(page_json(
        req,
        PageOf {
            items: cut_to_fields(&request, items)?,
            next_cursor: page.next_cursor,
            total: page.total,
        },
    ))
}

/// Rows with everything embedded, cut to the request's `fields` (the embedded collections and
/// parents it includes stay); unchanged without `fields`.
pub fn cut_to_fields(request: &ListRequest, items: Vec<Value>) -> Result<Vec<Value>, ApiError> {
    match &request.fields {
        None => Ok(items),
        Some(projection) => items
            .iter()
            .map(|item| projection.keep(item, &request.includes))
            .collect(),
    }
}

/// For lists without children to embed.
pub async fn no_embedding<T>(
    _: &mut AsyncPgConnection,
    rows: Vec<T>,
    _: &[&'static str],
) -> Result<Vec<T>, ApiError> {
    Ok(rows)
}

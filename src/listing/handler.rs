//! The flow every list endpoint shares: parse, check the alias's parent, then either stream an
//! export or fetch one page, embed the requested children and answer with a cacheable page.

use super::budget::ExportBudget;
use super::export::export;
use super::request::{Format, ListRequest};
use super::response::page_json;
use super::spec::ListSpec;
use super::{fetch_page, PageOf};
use crate::db::ReadPool;
use crate::error::ApiError;
use actix_web::http::header::ACCEPT;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The parent a read alias's path names: its filter field, value, an existence check, and
/// the 404 detail when it does not exist.
pub struct AliasParent<C> {
    pub field: &'static str,
    pub value: Value,
    pub exists: C,
    pub missing: String,
}

/// Answers a list request for rows `T`, embedding children into `E` rows.
pub async fn list<T, E, C, M>(
    req: &HttpRequest,
    pool: &ReadPool,
    spec: &'static ListSpec,
    parent: Option<AliasParent<C>>,
    embed: M,
    export_name: &str,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
    E: Serialize,
    C: AsyncFnOnce(&mut AsyncPgConnection) -> Result<bool, ApiError>,
    M: AsyncFnOnce(&mut AsyncPgConnection, Vec<T>, &[&'static str]) -> Result<Vec<E>, ApiError>,
{
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
    let fixed = parent.as_ref().map(|p| (p.field, p.value.clone()));
    let request = ListRequest::parse(spec, req.query_string(), fixed, accept)?;
    let mut conn = pool.conn().await?;
    if let Some(parent) = parent {
        if !(parent.exists)(&mut conn).await? {
            return Err(ApiError::not_found(parent.missing));
        }
    }
    if request.format != Format::Json {
        drop(conn);
        // Exports share one process-wide budget (`budget.rs`), registered by `app::build`.
        let budget = req
            .app_data::<web::Data<ExportBudget>>()
            .ok_or_else(|| ApiError::internal("no export budget is registered"))?;
        return export::<T>(pool, budget, spec, request, export_name).await;
    }
    let page = fetch_page::<T>(&mut conn, spec, &request).await?;
    let items = embed(&mut conn, page.items, &request.includes).await?;
    Ok(page_json(
        req,
        PageOf {
            items,
            next_cursor: page.next_cursor,
            total: page.total,
        },
    ))
}

/// For lists without children to embed.
pub async fn no_embedding<T>(
    _: &mut AsyncPgConnection,
    rows: Vec<T>,
    _: &[&'static str],
) -> Result<Vec<T>, ApiError> {
    Ok(rows)
}

/// For lists that are not read aliases.
pub type NoParent =
    AliasParent<fn(&mut AsyncPgConnection) -> std::future::Ready<Result<bool, ApiError>>>;

//! IRM finding endpoints.

use super::model::{IrmFinding, IrmFindingListQuery, IrmFindingPatch, NewIrmFinding};
use super::{query, TAG};
use crate::body::{to_object, Fields, JsonObject};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, IfMatch};
use crate::listing::{page_response, params, Page, PageRequest};
use crate::openapi::{CreateProblems, DeleteProblems, ItemProblems, ListProblems, UpdateProblems};
use crate::resources::{action_plans, commitments};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("no IRM finding has the id {id}"))
}

fn location(finding: &IrmFinding) -> String {
    format!("/api/v1/irm-findings/{}", finding.id)
}

/// The parent an alias path names.
enum Parent {
    Plan(i64),
    Commitment(i64),
}

/// One page of findings, of the parent an alias path names (which must exist) or filtered.
async fn list_page(
    req: &HttpRequest,
    pool: &DbPool,
    params: &IrmFindingListQuery,
    parent: Option<Parent>,
) -> Result<HttpResponse, ApiError> {
    let page = PageRequest::<i64>::parse(params.limit.as_deref(), params.cursor.as_deref())?;
    let mut plan = params::id("action_plan_id", params.action_plan_id.as_deref())?;
    let mut commitment = params::id("commitment_id", params.commitment_id.as_deref())?;
    let mut conn = db::conn(pool).await?;
    match parent {
        Some(Parent::Plan(id)) => {
            params::not_in_alias("action_plan_id", params.action_plan_id.as_deref())?;
            if !action_plans::query::exists(&mut conn, id).await? {
                return Err(ApiError::not_found(format!(
                    "no action plan has the id {id}"
                )));
            }
            plan = Some(id);
        }
        Some(Parent::Commitment(id)) => {
            params::not_in_alias("commitment_id", params.commitment_id.as_deref())?;
            if !commitments::query::exists(&mut conn, id).await? {
                return Err(ApiError::not_found(format!(
                    "no commitment has the id {id}"
                )));
            }
            commitment = Some(id);
        }
        None => {}
    }
    let rows = query::list(&mut conn, plan, commitment, page.after, page.fetch()).await?;
    Ok(page_response(req, &page, rows, |f| f.id))
}

/// Validates `input` against its plan (share-locked, so its start year holds) and resolves
/// the verdicts.
async fn row_for(
    conn: &mut AsyncPgConnection,
    input: NewIrmFinding,
) -> Result<super::model::IrmFindingRow, ApiError> {
    let plan = action_plans::query::find_for_share(conn, input.action_plan_id)
        .await?
        .ok_or_else(|| ApiError::invalid_field("action_plan_id", "no action plan has this id"))?;
    input.into_row(plan.start_year)
}

/// List IRM findings
///
/// Findings by id, a page at a time; `action_plan_id` and `commitment_id` narrow the list.
#[utoipa::path(
    tag = TAG,
    params(IrmFindingListQuery),
    responses((status = 200, description = "A page of IRM findings", body = Page<IrmFinding>,
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"))),
        ListProblems)
)]
#[get("/irm-findings")]
pub async fn list_irm_findings(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    params: web::Query<IrmFindingListQuery>,
) -> Result<HttpResponse, ApiError> {
    list_page(&req, &pool, &params, None).await
}

/// List the IRM findings about an action plan
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), IrmFindingListQuery),
    responses((status = 200, description = "A page of the plan's IRM findings", body = Page<IrmFinding>,
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"))),
        ListProblems)
)]
#[get("/action-plans/{id}/irm-findings")]
pub async fn list_action_plan_irm_findings(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    params: web::Query<IrmFindingListQuery>,
) -> Result<HttpResponse, ApiError> {
    list_page(&req, &pool, &params, Some(Parent::Plan(id.into_inner()))).await
}

/// List the IRM findings about a commitment
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"), IrmFindingListQuery),
    responses((status = 200, description = "A page of the commitment's IRM findings", body = Page<IrmFinding>,
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"))),
        ListProblems)
)]
#[get("/commitments/{id}/irm-findings")]
pub async fn list_commitment_irm_findings(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    params: web::Query<IrmFindingListQuery>,
) -> Result<HttpResponse, ApiError> {
    list_page(
        &req,
        &pool,
        &params,
        Some(Parent::Commitment(id.into_inner())),
    )
    .await
}

/// Get an IRM finding
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "IRM finding id")),
    responses((status = 200, description = "The IRM finding", body = IrmFinding,
        headers(("ETag" = String, description = "`\"<version>\"`"))), ItemProblems)
)]
#[get("/irm-findings/{id}")]
pub async fn get_irm_finding(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = db::conn(&pool).await?;
    let finding = query::find(&mut conn, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ok_with_etag(&req, &finding, finding.version))
}

/// Create an IRM finding
///
/// Verdicts not given are derived from the ratings; `*_basis` says which.
#[utoipa::path(
    tag = TAG,
    request_body = NewIrmFinding,
    responses((status = 201, description = "Created", body = IrmFinding,
        headers(("Location" = String), ("ETag" = String))), CreateProblems)
)]
#[post("/irm-findings")]
pub async fn create_irm_finding(
    pool: web::Data<DbPool>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let input = NewIrmFinding::from_fields(Fields::for_create(body.0, &NewIrmFinding::FIELDS))?;
    let mut conn = db::conn(&pool).await?;
    let finding = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let row = row_for(conn, input).await?;
            Ok(query::insert(conn, &row).await?)
        })
        .await?;
    Ok(created(&location(&finding), &finding, finding.version))
}

/// Update an IRM finding
///
/// JSON Merge Patch (RFC 7396): absent fields stay, `null` clears a nullable field. Derived
/// verdicts follow the new ratings; `null` on `well_designed` or `starred` drops a published
/// verdict in favour of the derived one.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "IRM finding id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the ETag still matches")),
    request_body(content((IrmFindingPatch = "application/merge-patch+json"), (IrmFindingPatch = "application/json"))),
    responses((status = 200, description = "The updated IRM finding", body = IrmFinding,
        headers(("ETag" = String))), UpdateProblems)
)]
#[patch("/irm-findings/{id}")]
pub async fn update_irm_finding(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner();
    let mut conn = db::conn(&pool).await?;
    let finding = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let current = query::find_for_update(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            if_match.check(current.version)?;
            let fields = Fields::for_patch(
                to_object(&current.to_input()),
                body.0,
                &NewIrmFinding::FIELDS,
            );
            let row = row_for(conn, NewIrmFinding::from_fields(fields)?).await?;
            Ok(query::update(conn, id, &row).await?)
        })
        .await?;
    Ok(ok_with_etag(&req, &finding, finding.version))
}

/// Delete an IRM finding
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "IRM finding id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the ETag still matches")),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/irm-findings/{id}")]
pub async fn delete_irm_finding(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner();
    let mut conn = db::conn(&pool).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let current = query::find_for_update(conn, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        if_match.check(current.version)?;
        query::delete(conn, id).await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

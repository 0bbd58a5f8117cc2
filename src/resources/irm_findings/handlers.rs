//! IRM finding endpoints.

use super::list::{self, IrmFindingListParams};
use super::model::{IrmFinding, IrmFindingPatch, NewIrmFinding};
use super::{query, TAG};
use crate::auth::Actor;
use crate::body::{to_object, Fields, JsonObject};
use crate::db::{self, DbPool, ReadPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, IfMatch};
use crate::listing::handler::{self, AliasParent, NoParent};
use crate::listing::Page;
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

/// Validates `input` against its plan (share-locked, so its years hold) and resolves the
/// verdicts by the rules of the report's era.
async fn row_for(
    conn: &mut AsyncPgConnection,
    input: NewIrmFinding,
) -> Result<super::model::IrmFindingRow, ApiError> {
    let plan = action_plans::query::find_for_share(conn, input.action_plan_id)
        .await?
        .ok_or_else(|| ApiError::invalid_field("action_plan_id", "no action plan has this id"))?;
    input.into_row(super::eras::PlanYears {
        start: plan.start_year,
        end: plan.end_year,
    })
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
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.conn().await?;
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
    actor: Actor,
    pool: web::Data<DbPool>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let input = NewIrmFinding::from_fields(Fields::for_create(body.0, &NewIrmFinding::FIELDS))?;
    let mut conn = db::conn(&pool).await?;
    let finding = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
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
    actor: Actor,
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
            db::set_actor(conn, &actor.name).await?;
            let current = query::find_for_update(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let fields = Fields::for_patch(
                to_object(&current.to_input()),
                body.0,
                &NewIrmFinding::FIELDS,
            );
            let row = row_for(conn, NewIrmFinding::from_fields(fields)?).await?;
            // The body is checked first: an invalid change is a 422 whatever the ETag.
            if_match.check(current.version)?;
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
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner();
    let mut conn = db::conn(&pool).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        db::set_actor(conn, &actor.name).await?;
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

/// List IRM findings
///
/// Findings by id, a page at a time.
/// Filters (exact, comma = any of, `_gte`/`_lte` ranges), `sort`, `q` full-text search,
/// `include` embedding, `include_total`; `Accept: text/csv` or `application/x-ndjson`
/// (or `format=`) streams every matching row instead of a page.
#[utoipa::path(
    tag = TAG,
    params(IrmFindingListParams),
    responses((status = 200, description = "A page of IRM findings",
        content((Page<IrmFinding> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/irm-findings")]
pub async fn list_irm_findings(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<IrmFinding, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None::<NoParent>,
        handler::no_embedding,
        "irm-findings",
    )
    .await
}

/// List the IRM findings about an action plan
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), IrmFindingListParams),
    responses((status = 200, description = "A page of the IRM findings about an action plan",
        content((Page<IrmFinding> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/action-plans/{id}/irm-findings")]
pub async fn list_action_plan_irm_findings(
    req: HttpRequest,
    pool: ReadPool,
    key: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let parent = AliasParent {
        field: "action_plan_id",
        value: serde_json::Value::from(key),
        missing: format!("no action plan has the id {key}"),
        exists: async move |conn: &mut AsyncPgConnection| -> Result<bool, ApiError> {
            Ok(action_plans::query::exists(conn, key).await?)
        },
    };
    handler::list::<IrmFinding, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        handler::no_embedding,
        "irm-findings",
    )
    .await
}

/// List the IRM findings about a commitment
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"), IrmFindingListParams),
    responses((status = 200, description = "A page of the IRM findings about a commitment",
        content((Page<IrmFinding> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/commitments/{id}/irm-findings")]
pub async fn list_commitment_irm_findings(
    req: HttpRequest,
    pool: ReadPool,
    key: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let parent = AliasParent {
        field: "commitment_id",
        value: serde_json::Value::from(key),
        missing: format!("no commitment has the id {key}"),
        exists: async move |conn: &mut AsyncPgConnection| -> Result<bool, ApiError> {
            Ok(commitments::query::exists(conn, key).await?)
        },
    };
    handler::list::<IrmFinding, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        handler::no_embedding,
        "irm-findings",
    )
    .await
}

//! Commitment endpoints.

use super::list::{self, CommitmentListItem, CommitmentListParams};
use super::model::{Commitment, CommitmentPatch, NewCommitment};
use super::{query, TAG};
use crate::auth::Actor;
use crate::body::{to_object, Fields, JsonObject};
use crate::db::{self, DbPool, ReadPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, IfMatch};
use crate::listing::handler::{self, AliasParent, NoParent};
use crate::listing::Page;
use crate::openapi::{CreateProblems, DeleteProblems, ItemProblems, ListProblems, UpdateProblems};
use crate::resources::action_plans;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("no commitment has the id {id}"))
}

fn location(commitment: &Commitment) -> String {
    format!("/api/v1/commitments/{}", commitment.id)
}

/// Get a commitment
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id")),
    responses((status = 200, description = "The commitment", body = Commitment,
        headers(("ETag" = String, description = "`\"<version>\"`"))), ItemProblems)
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.conn().await?;
    let commitment = query::find(&mut conn, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ok_with_etag(&req, &commitment, commitment.version))
}

/// Create a commitment
#[utoipa::path(
    tag = TAG,
    request_body = NewCommitment,
    responses((status = 201, description = "Created", body = Commitment,
        headers(("Location" = String), ("ETag" = String))), CreateProblems)
)]
#[post("/commitments")]
pub async fn create_commitment(
    actor: Actor,
    pool: web::Data<DbPool>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let input = NewCommitment::from_fields(Fields::for_create(body.0, &NewCommitment::FIELDS))?;
    let mut conn = db::conn(&pool).await?;
    let commitment = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            Ok(query::insert(conn, &input).await?)
        })
        .await?;
    Ok(created(
        &location(&commitment),
        &commitment,
        commitment.version,
    ))
}

/// Update a commitment
///
/// JSON Merge Patch (RFC 7396): absent fields stay, `null` clears a nullable field. A
/// commitment with IRM findings cannot move to another plan (409).
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the ETag still matches")),
    request_body(content((CommitmentPatch = "application/merge-patch+json"), (CommitmentPatch = "application/json"))),
    responses((status = 200, description = "The updated commitment", body = Commitment,
        headers(("ETag" = String))), UpdateProblems)
)]
#[patch("/commitments/{id}")]
pub async fn update_commitment(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner();
    let mut conn = db::conn(&pool).await?;
    let commitment = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            let current = query::find_for_update(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let fields = Fields::for_patch(
                to_object(&current.to_input()),
                body.0,
                &NewCommitment::FIELDS,
            );
            let input = NewCommitment::from_fields(fields)?;
            // The body is checked first: an invalid change is a 422 whatever the ETag.
            if_match.check(current.version)?;
            Ok(query::update(conn, id, &input).await?)
        })
        .await?;
    Ok(ok_with_etag(&req, &commitment, commitment.version))
}

/// Delete a commitment
///
/// Refused with 409 while milestones or IRM findings still belong to it.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the ETag still matches")),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/commitments/{id}")]
pub async fn delete_commitment(
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

/// List commitments
///
/// Commitments by id, a page at a time. Besides their own fields, commitments filter by
/// their plan (`country_code`, `plan_start_year`…) and by their IRM assessments (`report`,
/// `completion`, `potential_impact`, `well_designed`…: all must hold for one assessment).
/// Filters (exact, comma = any of, `_gte`/`_lte` ranges), `sort`, `q` full-text search,
/// `include` embedding, `include_total`; `Accept: text/csv` or `application/x-ndjson`
/// (or `format=`) streams every matching row instead of a page.
#[utoipa::path(
    tag = TAG,
    params(CommitmentListParams),
    responses((status = 200, description = "A page of commitments",
        content((Page<CommitmentListItem> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/commitments")]
pub async fn list_commitments(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<Commitment, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None::<NoParent>,
        list::embed,
        "commitments",
    )
    .await
}

/// List an action plan's commitments
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), CommitmentListParams),
    responses((status = 200, description = "A page of an action plan's commitments",
        content((Page<CommitmentListItem> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/action-plans/{id}/commitments")]
pub async fn list_action_plan_commitments(
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
    handler::list::<Commitment, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        "commitments",
    )
    .await
}

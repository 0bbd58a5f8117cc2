//! Milestone endpoints.

use super::list::{self, MilestoneListParams};
use super::model::{Milestone, MilestonePatch, NewMilestone};
use super::{query, TAG};
use crate::auth::Actor;
use crate::body::{to_object, Fields, JsonObject};
use crate::db::{self, DbPool, ReadPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, IfMatch};
use crate::listing::handler::{self, AliasParent, NoParent};
use crate::listing::Page;
use crate::openapi::{CreateProblems, DeleteProblems, ItemProblems, ListProblems, UpdateProblems};
use crate::resources::commitments;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("no milestone has the id {id}"))
}

fn location(milestone: &Milestone) -> String {
    format!("/api/v1/milestones/{}", milestone.id)
}

/// Get a milestone
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Milestone id")),
    responses((status = 200, description = "The milestone", body = Milestone,
        headers(("ETag" = String, description = "`\"<version>\"`"))), ItemProblems)
)]
#[get("/milestones/{id}")]
pub async fn get_milestone(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.conn().await?;
    let milestone = query::find(&mut conn, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ok_with_etag(&req, &milestone, milestone.version))
}

/// Create a milestone
#[utoipa::path(
    tag = TAG,
    request_body = NewMilestone,
    responses((status = 201, description = "Created", body = Milestone,
        headers(("Location" = String), ("ETag" = String))), CreateProblems)
)]
#[post("/milestones")]
pub async fn create_milestone(
    actor: Actor,
    pool: web::Data<DbPool>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let input = NewMilestone::from_fields(Fields::for_create(body.0, &NewMilestone::FIELDS))?;
    let mut conn = db::conn(&pool).await?;
    let milestone = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            Ok(query::insert(conn, &input).await?)
        })
        .await?;
    Ok(created(
        &location(&milestone),
        &milestone,
        milestone.version,
    ))
}

/// Update a milestone
///
/// JSON Merge Patch (RFC 7396): absent fields stay, `null` clears a nullable field.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Milestone id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the ETag still matches")),
    request_body(content((MilestonePatch = "application/merge-patch+json"), (MilestonePatch = "application/json"))),
    responses((status = 200, description = "The updated milestone", body = Milestone,
        headers(("ETag" = String))), UpdateProblems)
)]
#[patch("/milestones/{id}")]
pub async fn update_milestone(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner();
    let mut conn = db::conn(&pool).await?;
    let milestone = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            let current = query::find_for_update(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let fields = Fields::for_patch(
                to_object(&current.to_input()),
                body.0,
                &NewMilestone::FIELDS,
            );
            let input = NewMilestone::from_fields(fields)?;
            // The body is checked first: an invalid change is a 422 whatever the ETag.
            if_match.check(current.version)?;
            Ok(query::update(conn, id, &input).await?)
        })
        .await?;
    Ok(ok_with_etag(&req, &milestone, milestone.version))
}

/// Delete a milestone
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Milestone id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the ETag still matches")),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/milestones/{id}")]
pub async fn delete_milestone(
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

/// List milestones
///
/// Milestones by id, a page at a time.
/// Filters (exact, comma = any of, `_gte`/`_lte` ranges), `sort`, `q` full-text search,
/// `include` embedding, `include_total`; `Accept: text/csv` or `application/x-ndjson`
/// (or `format=`) streams every matching row instead of a page.
#[utoipa::path(
    tag = TAG,
    params(MilestoneListParams),
    responses((status = 200, description = "A page of milestones",
        content((Page<Milestone> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/milestones")]
pub async fn list_milestones(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<Milestone, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None::<NoParent>,
        handler::no_embedding,
        "milestones",
    )
    .await
}

/// List a commitment's milestones
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"), MilestoneListParams),
    responses((status = 200, description = "A page of a commitment's milestones",
        content((Page<Milestone> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/commitments/{id}/milestones")]
pub async fn list_commitment_milestones(
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
    handler::list::<Milestone, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        handler::no_embedding,
        "milestones",
    )
    .await
}

//! Milestone endpoints.

use super::list::{self, MilestoneItemParams, MilestoneListItem, MilestoneListParams};
use super::model::{Milestone, MilestonePatch, NewMilestone};
use super::TAG;
use crate::actor::Actor;
use crate::body::JsonObject;
use crate::db::{DbPool, ReadPool};
use crate::error::ApiError;
use crate::flow::{self, Item};
use crate::listing::handler::{self, AliasParent};
use crate::listing::include;
use crate::listing::Page;
use crate::openapi::{
    CreateProblems, DeleteProblems, FieldsProblems, ItemProblems, ListProblems, UpdateProblems,
};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

/// Get a milestone
///
/// The milestone with its `ETag` (`"<version>"`); send it back as `If-None-Match` to get a 304
/// while it is unchanged, or as `If-Match` on a write.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Milestone id"), MilestoneItemParams),
    responses((status = 200, description = "The milestone, with what `include` embeds", body = MilestoneListItem,
        headers(("ETag" = String, description = "`\"<version>\"`; with `include`, a weak ETag over the body (also with `fields`)"))), ItemProblems,
        FieldsProblems)
)]
#[get("/milestones/{id}")]
pub async fn get_milestone(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let body = include::item(&req, &list::SPEC, list::embed)?;
    flow::get_with::<Milestone, _>(&req, &pool, id.into_inner(), body).await
}

/// Create a milestone
///
/// A milestone of a commitment (which must exist); `position`, unique within the commitment,
/// orders its milestones. 201 with `Location` and `ETag`. Send an `Idempotency-Key` to retry
/// safely.
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
    flow::create::<Milestone>(actor, &pool, body).await
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
    flow::update::<Milestone>(actor, &req, &pool, id.into_inner(), body).await
}

/// Delete a milestone
///
/// Nothing belongs to a milestone, so a delete is refused only by a stale `If-Match` (412).
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
    flow::delete::<Milestone>(actor, &req, &pool, id.into_inner()).await
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
        content((Page<MilestoneListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/milestones")]
pub async fn list_milestones(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<Milestone, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None,
        list::embed,
        Milestone::COLLECTION,
    )
    .await
}

/// List a commitment's milestones
///
/// The same list as `/milestones?commitment_id=<id>`, with its filters; a 404 when the
/// commitment does not exist (an empty page means it has no milestones).
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"), MilestoneListParams),
    responses((status = 200, description = "A page of a commitment's milestones",
        content((Page<MilestoneListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/commitments/{id}/milestones")]
pub async fn list_commitment_milestones(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let parent = AliasParent::by_id(
        "commitment_id",
        "commitments",
        "commitment",
        id.into_inner(),
    );
    handler::list::<Milestone, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        Milestone::COLLECTION,
    )
    .await
}

/// Count milestones by group
///
/// How many milestones fall in each group of the `group_by` fields (any field the list filters
/// on; `<date>_year` for a date's year), with the list's filters and `q`: `{"group_by":
/// [...], "groups": [{"key": {...}, "count": n}, ...]}`. Unknown values (null) form their
/// own group. `sort=-count` (default), `count`, `key` or `-key`. `format=csv` or `ndjson`
/// (or `Accept`) answers a file. At most 10000 groups: more is a 400, never a cut answer.
#[utoipa::path(
    tag = TAG,
    params(list::MilestoneGroupsParams),
    responses((status = 200, description = "Every group with its count",
        content((crate::listing::groups::Groups = "application/json")),
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        crate::openapi::ListProblems)
)]
#[get("/milestones/groups")]
pub async fn milestone_groups(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    crate::listing::groups::groups(&req, &pool, &list::GROUPS, "milestones").await
}

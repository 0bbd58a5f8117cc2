//! Commitment endpoints.

use super::list::{self, CommitmentItemParams, CommitmentListItem, CommitmentListParams};
use super::model::{Commitment, CommitmentPatch, NewCommitment};
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

/// Get a commitment
///
/// The commitment with its `ETag` (`"<version>"`); send it back as `If-None-Match` to get a
/// 304 while it is unchanged, or as `If-Match` on a write.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"), CommitmentItemParams),
    responses((status = 200, description = "The commitment, with what `include` embeds", body = CommitmentListItem,
        headers(("ETag" = String, description = "`\"<version>\"`; with `include`, a weak ETag over the body (also with `fields`)"))), ItemProblems,
        FieldsProblems)
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let body = include::item(&req, &list::SPEC, list::embed)?;
    flow::get_with::<Commitment, _>(&req, &pool, id.into_inner(), body).await
}

/// Create a commitment
///
/// A commitment of an action plan (which must exist); `number` is unique within the plan.
/// 201 with `Location` and `ETag`. Send an `Idempotency-Key` to retry safely.
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
    flow::create::<Commitment>(actor, &pool, body).await
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
    flow::update::<Commitment>(actor, &req, &pool, id.into_inner(), body).await
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
    flow::delete::<Commitment>(actor, &req, &pool, id.into_inner()).await
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
        content((Page<CommitmentListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/commitments")]
pub async fn list_commitments(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<Commitment, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None,
        list::embed,
        Commitment::COLLECTION,
    )
    .await
}

/// List an action plan's commitments
///
/// The same list as `/commitments?action_plan_id=<id>`, with its filters; a 404 when the plan
/// does not exist (an empty page means it has no commitments).
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), CommitmentListParams),
    responses((status = 200, description = "A page of an action plan's commitments",
        content((Page<CommitmentListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/action-plans/{id}/commitments")]
pub async fn list_action_plan_commitments(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let parent = AliasParent::by_id(
        "action_plan_id",
        "action_plans",
        "action plan",
        id.into_inner(),
    );
    handler::list::<Commitment, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        Commitment::COLLECTION,
    )
    .await
}

/// Count commitments by group
///
/// How many commitments fall in each group of the `group_by` fields (any field the list filters
/// on; `<date>_year` for a date's year), with the list's filters and `q`: `{"group_by":
/// [...], "groups": [{"key": {...}, "count": n}, ...]}`. Unknown values (null) form their
/// own group. `sort=-count` (default), `count`, `key` or `-key`. `format=csv` or `ndjson`
/// (or `Accept`) answers a file. At most 10000 groups: more is a 400, never a cut answer.
#[utoipa::path(
    tag = TAG,
    params(list::CommitmentGroupsParams),
    responses((status = 200, description = "Every group with its count",
        content((crate::listing::groups::Groups = "application/json")),
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        crate::openapi::ListProblems)
)]
#[get("/commitments/groups")]
pub async fn commitment_groups(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    crate::listing::groups::groups(&req, &pool, &list::GROUPS, "commitments").await
}

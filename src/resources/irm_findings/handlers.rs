//! IRM finding endpoints.

use super::list::{self, IrmFindingItemParams, IrmFindingListItem, IrmFindingListParams};
use super::model::{IrmFinding, IrmFindingPatch, NewIrmFinding};
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

/// Get an IRM finding
///
/// The finding with its `ETag` (`"<version>"`); send it back as `If-None-Match` to get a 304
/// while it is unchanged, or as `If-Match` on a write.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "IRM finding id"), IrmFindingItemParams),
    responses((status = 200, description = "The IRM finding, with what `include` embeds", body = IrmFindingListItem,
        headers(("ETag" = String, description = "`\"<version>\"`; with `include`, a weak ETag over the body (also with `fields`)"))), ItemProblems,
        FieldsProblems)
)]
#[get("/irm-findings/{id}")]
pub async fn get_irm_finding(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let body = include::item(&req, &list::SPEC, list::embed)?;
    flow::get_with::<IrmFinding, _>(&req, &pool, id.into_inner(), body).await
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
    flow::create::<IrmFinding>(actor, &pool, body).await
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
    flow::update::<IrmFinding>(actor, &req, &pool, id.into_inner(), body).await
}

/// Delete an IRM finding
///
/// Nothing belongs to a finding, so a delete is refused only by a stale `If-Match` (412). The
/// plan's and commitment's other findings are unchanged.
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
    flow::delete::<IrmFinding>(actor, &req, &pool, id.into_inner()).await
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
        content((Page<IrmFindingListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/irm-findings")]
pub async fn list_irm_findings(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<IrmFinding, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None,
        list::embed,
        IrmFinding::COLLECTION,
    )
    .await
}

/// List the IRM findings about an action plan
///
/// The same list as `/irm-findings?action_plan_id=<id>`, with its filters; a 404 when the plan
/// does not exist.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), IrmFindingListParams),
    responses((status = 200, description = "A page of the IRM findings about an action plan",
        content((Page<IrmFindingListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/action-plans/{id}/irm-findings")]
pub async fn list_action_plan_irm_findings(
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
    handler::list::<IrmFinding, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        IrmFinding::COLLECTION,
    )
    .await
}

/// List the IRM findings about a commitment
///
/// The same list as `/irm-findings?commitment_id=<id>`, with its filters; a 404 when the
/// commitment does not exist.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Commitment id"), IrmFindingListParams),
    responses((status = 200, description = "A page of the IRM findings about a commitment",
        content((Page<IrmFindingListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/commitments/{id}/irm-findings")]
pub async fn list_commitment_irm_findings(
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
    handler::list::<IrmFinding, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        IrmFinding::COLLECTION,
    )
    .await
}

/// Count IRM findings by group
///
/// How many IRM findings fall in each group of the `group_by` fields (any field the list filters
/// on; `<date>_year` for a date's year), with the list's filters and `q`: `{"group_by":
/// [...], "groups": [{"key": {...}, "count": n}, ...]}`. Unknown values (null) form their
/// own group. `sort=-count` (default), `count`, `key` or `-key`. `format=csv` or `ndjson`
/// (or `Accept`) answers a file. At most 10000 groups: more is a 400, never a cut answer.
#[utoipa::path(
    tag = TAG,
    params(list::IrmFindingGroupsParams),
    responses((status = 200, description = "Every group with its count",
        content((crate::listing::groups::Groups = "application/json")),
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        crate::openapi::ListProblems)
)]
#[get("/irm-findings/groups")]
pub async fn irm_finding_groups(
    req: HttpRequest,
    pool: ReadPool,
) -> Result<HttpResponse, ApiError> {
    crate::listing::groups::groups(&req, &pool, &list::GROUPS, "irm_findings").await
}

//! Action plan endpoints.

use super::list::{self, ActionPlanItemParams, ActionPlanListItem, ActionPlanListParams};
use super::model::{ActionPlan, ActionPlanPatch, NewActionPlan};
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
use crate::vocab::{is_country_code, is_local_member_slug};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

/// Get an action plan
///
/// The plan with its `ETag` (`"<version>"`); send it back as `If-None-Match` to get a 304
/// while the plan is unchanged, or as `If-Match` on a write.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"), ActionPlanItemParams),
    responses((status = 200, description = "The action plan, with what `include` embeds", body = ActionPlanListItem,
        headers(("ETag" = String, description = "`\"<version>\"`; with `include`, a weak ETag over the body (also with `fields`)"))), ItemProblems,
        FieldsProblems)
)]
#[get("/action-plans/{id}")]
pub async fn get_action_plan(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let body = include::item(&req, &list::SPEC, list::embed)?;
    flow::get_with::<ActionPlan, _>(&req, &pool, id.into_inner(), body).await
}

/// Create an action plan
///
/// The plan of a country (which must exist), or with `local_member_slug` of one of its OGP
/// Local members (which must exist and belong to that country: a 422 naming
/// `local_member_slug` otherwise); `number` is unique per country among national plans and per
/// member among local ones. 201 with `Location` and `ETag`. Send an `Idempotency-Key` to retry
/// safely.
#[utoipa::path(
    tag = TAG,
    request_body = NewActionPlan,
    responses((status = 201, description = "Created", body = ActionPlan,
        headers(("Location" = String), ("ETag" = String))), CreateProblems)
)]
#[post("/action-plans")]
pub async fn create_action_plan(
    actor: Actor,
    pool: web::Data<DbPool>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::create::<ActionPlan>(actor, &pool, body).await
}

/// Update an action plan
///
/// JSON Merge Patch (RFC 7396): absent fields stay, `null` clears a nullable field.
/// Changing `start_year` or `end_year` re-derives the verdicts of the plan's assessments (their
/// era can depend on the plan's years); a change that would make one invalid is a 422.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the ETag still matches")),
    request_body(content((ActionPlanPatch = "application/merge-patch+json"), (ActionPlanPatch = "application/json"))),
    responses((status = 200, description = "The updated action plan", body = ActionPlan,
        headers(("ETag" = String))), UpdateProblems)
)]
#[patch("/action-plans/{id}")]
pub async fn update_action_plan(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::update::<ActionPlan>(actor, &req, &pool, id.into_inner(), body).await
}

/// Delete an action plan
///
/// Refused with 409 while commitments or IRM findings still belong to it.
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the ETag still matches")),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/action-plans/{id}")]
pub async fn delete_action_plan(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    flow::delete::<ActionPlan>(actor, &req, &pool, id.into_inner()).await
}

/// List action plans
///
/// Action plans by id, a page at a time.
/// Filters (exact, comma = any of, `_gte`/`_lte` ranges), `sort`, `q` full-text search,
/// `include` embedding, `include_total`; `Accept: text/csv` or `application/x-ndjson`
/// (or `format=`) streams every matching row instead of a page.
#[utoipa::path(
    tag = TAG,
    params(ActionPlanListParams),
    responses((status = 200, description = "A page of action plans",
        content((Page<ActionPlanListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/action-plans")]
pub async fn list_action_plans(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<ActionPlan, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None,
        list::embed,
        ActionPlan::COLLECTION,
    )
    .await
}

/// List a country's action plans
///
/// The same list as `/action-plans?country_code=<code>`, with its filters; a 404 when the
/// country does not exist (an empty page means it has no plans).
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code"), ActionPlanListParams),
    responses((status = 200, description = "A page of a country's action plans",
        content((Page<ActionPlanListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/countries/{code}/action-plans")]
pub async fn list_country_action_plans(
    req: HttpRequest,
    pool: ReadPool,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let plausible = is_country_code(&code);
    let parent = AliasParent::by_code(
        "country_code",
        "countries",
        "code",
        "country",
        code,
        plausible,
    );
    handler::list::<ActionPlan, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        ActionPlan::COLLECTION,
    )
    .await
}

/// List a local member's action plans
///
/// The same list as `/action-plans?local_member_slug=<slug>`, with its filters; a 404 when the
/// local member does not exist (an empty page means it has no plans).
#[utoipa::path(
    tag = TAG,
    params(("slug" = String, Path, description = "The local member's slug"), ActionPlanListParams),
    responses((status = 200, description = "A page of a local member's action plans",
        content((Page<ActionPlanListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/local-members/{slug}/action-plans")]
pub async fn list_local_member_action_plans(
    req: HttpRequest,
    pool: ReadPool,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let plausible = is_local_member_slug(&slug);
    let parent = AliasParent::by_code(
        "local_member_slug",
        "local_members",
        "slug",
        "local member",
        slug,
        plausible,
    );
    handler::list::<ActionPlan, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        ActionPlan::COLLECTION,
    )
    .await
}

/// Count action plans by group
///
/// How many action plans fall in each group of the `group_by` fields (any field the list filters
/// on; `<date>_year` for a date's year), with the list's filters and `q`: `{"group_by":
/// [...], "groups": [{"key": {...}, "count": n}, ...]}`. Unknown values (null) form their
/// own group. `sort=-count` (default), `count`, `key` or `-key`. `format=csv` or `ndjson`
/// (or `Accept`) answers a file. At most 10000 groups: more is a 400, never a cut answer.
#[utoipa::path(
    tag = TAG,
    params(list::ActionPlanGroupsParams),
    responses((status = 200, description = "Every group with its count",
        content((crate::listing::groups::Groups = "application/json")),
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        crate::openapi::ListProblems)
)]
#[get("/action-plans/groups")]
pub async fn action_plan_groups(
    req: HttpRequest,
    pool: ReadPool,
) -> Result<HttpResponse, ApiError> {
    crate::listing::groups::groups(&req, &pool, &list::GROUPS, "action_plans").await
}

//! Action plan endpoints.

use super::list::{self, ActionPlanListItem, ActionPlanListParams};
use super::model::{ActionPlan, ActionPlanPatch, NewActionPlan};
use super::{query, TAG};
use crate::auth::Actor;
use crate::body::{to_object, Fields, JsonObject};
use crate::db::{self, DbPool, ReadPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, IfMatch};
use crate::listing::handler::{self, AliasParent, NoParent};
use crate::listing::Page;
use crate::openapi::{CreateProblems, DeleteProblems, ItemProblems, ListProblems, UpdateProblems};
use crate::resources::{countries, irm_findings};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("no action plan has the id {id}"))
}

fn location(plan: &ActionPlan) -> String {
    format!("/api/v1/action-plans/{}", plan.id)
}

/// Get an action plan
#[utoipa::path(
    tag = TAG,
    params(("id" = i64, Path, description = "Action plan id")),
    responses((status = 200, description = "The action plan", body = ActionPlan,
        headers(("ETag" = String, description = "`\"<version>\"`"))), ItemProblems)
)]
#[get("/action-plans/{id}")]
pub async fn get_action_plan(
    req: HttpRequest,
    pool: ReadPool,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut conn = pool.conn().await?;
    let plan = query::find(&mut conn, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(ok_with_etag(&req, &plan, plan.version))
}

/// Create an action plan
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
    let input = NewActionPlan::from_fields(Fields::for_create(body.0, &NewActionPlan::FIELDS))?;
    let mut conn = db::conn(&pool).await?;
    let plan = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            Ok(query::insert(conn, &input).await?)
        })
        .await?;
    Ok(created(&location(&plan), &plan, plan.version))
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
    let if_match = IfMatch::from_request(&req)?;
    let id = id.into_inner();
    let mut conn = db::conn(&pool).await?;
    let plan = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            let current = query::find_for_update(conn, id)
                .await?
                .ok_or_else(|| not_found(id))?;
            let fields = Fields::for_patch(
                to_object(&current.to_input()),
                body.0,
                &NewActionPlan::FIELDS,
            );
            let input = NewActionPlan::from_fields(fields)?;
            // The body is checked first: an invalid change is a 422 whatever the ETag.
            if_match.check(current.version)?;
            let plan = query::update(conn, id, &input).await?;
            if (plan.start_year, plan.end_year) != (current.start_year, current.end_year) {
                let changed = if plan.start_year != current.start_year {
                    "start_year"
                } else {
                    "end_year"
                };
                let years = irm_findings::eras::PlanYears {
                    start: plan.start_year,
                    end: plan.end_year,
                };
                irm_findings::query::rederive_verdicts(conn, id, years, changed).await?;
            }
            Ok(plan)
        })
        .await?;
    Ok(ok_with_etag(&req, &plan, plan.version))
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
        content((Page<ActionPlanListItem> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/action-plans")]
pub async fn list_action_plans(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<ActionPlan, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None::<NoParent>,
        list::embed,
        "action-plans",
    )
    .await
}

/// List a country's action plans
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code"), ActionPlanListParams),
    responses((status = 200, description = "A page of a country's action plans",
        content((Page<ActionPlanListItem> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/countries/{code}/action-plans")]
pub async fn list_country_action_plans(
    req: HttpRequest,
    pool: ReadPool,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = countries::handlers::path_code(key.into_inner())?;
    let check_key = key.clone();
    let parent = AliasParent {
        field: "country_code",
        value: serde_json::Value::from(key.clone()),
        missing: format!("no country has the code `{key}`"),
        exists: async move |conn: &mut AsyncPgConnection| -> Result<bool, ApiError> {
            Ok(countries::query::exists(conn, &check_key).await?)
        },
    };
    handler::list::<ActionPlan, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        "action-plans",
    )
    .await
}

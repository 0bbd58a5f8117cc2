//! Country endpoints.

use super::list::{self, CountryItemParams, CountryListItem, CountryListParams};
use super::model::{Country, CountryPatch, CountryReplacement, NewCountry};
use super::TAG;
use crate::actor::Actor;
use crate::body::JsonObject;
use crate::db::{DbPool, ReadPool};
use crate::error::ApiError;
use crate::flow::{self, Item};
use crate::listing::handler;
use crate::listing::include;
use crate::listing::Page;
use crate::openapi::{
    CreateProblems, DeleteProblems, FieldsProblems, ItemProblems, ListProblems, PutProblems,
    UpdateProblems,
};
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};

/// Get a country
///
/// The country with its `ETag` (`"<version>"`); send it back as `If-None-Match` to get a 304
/// while it is unchanged, or as `If-Match` on a write.
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code, e.g. `MEX`"), CountryItemParams),
    responses((status = 200, description = "The country, with what `include` embeds", body = CountryListItem,
        headers(("ETag" = String, description = "`\"<version>\"`; with `include`, a weak ETag over the body (also with `fields`)"))), ItemProblems,
        FieldsProblems)
)]
#[get("/countries/{code}")]
pub async fn get_country(
    req: HttpRequest,
    pool: ReadPool,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = include::item(&req, &list::SPEC, list::embed)?;
    flow::get_with::<Country, _>(&req, &pool, code.into_inner(), body).await
}

/// Create a country
///
/// A member country, keyed by its ISO 3166-1 alpha-3 code (a 409 when the code is taken;
/// `PUT /countries/{code}` creates or replaces). 201 with `Location` and `ETag`. Send an
/// `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = TAG,
    request_body = NewCountry,
    responses((status = 201, description = "Created", body = Country,
        headers(("Location" = String), ("ETag" = String))), CreateProblems)
)]
#[post("/countries")]
pub async fn create_country(
    actor: Actor,
    pool: web::Data<DbPool>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::create::<Country>(actor, &pool, body).await
}

/// Update a country
///
/// JSON Merge Patch (RFC 7396): absent fields stay, `null` clears a nullable field.
/// `code` cannot change.
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the ETag still matches")),
    request_body(content((CountryPatch = "application/merge-patch+json"), (CountryPatch = "application/json"))),
    responses((status = 200, description = "The updated country", body = Country,
        headers(("ETag" = String))), UpdateProblems)
)]
#[patch("/countries/{code}")]
pub async fn update_country(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    code: web::Path<String>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::update::<Country>(actor, &req, &pool, code.into_inner(), body).await
}

/// Create or replace a country by its code
///
/// Countries are the one resource whose natural key, the ISO 3166-1 alpha-3 code, is in its
/// path, so a client can name one before it exists. Creates the country if no country has the
/// code (201 with `Location`), else replaces it whole (200): the body is a full create body,
/// and fields it leaves out take their defaults (`membership_status` = `active`,
/// `member_since` = `null`); it is not a merge. The body's `code` must equal the path's (a 422
/// naming `code` otherwise); a body without `code` takes the path's. A replace by the body the
/// country already has writes nothing: 200 with the same ETag, no change-feed entry.
/// `If-None-Match: *` creates only and `If-Match: "<version>"` replaces only: 412 otherwise.
/// With `OGP_REQUIRE_IF_MATCH=true` one of the two is required (428).
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code, e.g. `MEX`"),
        ("If-None-Match" = Option<String>, Header,
            description = "`*`: create only; 412 if the country exists"),
        ("If-Match" = Option<String>, Header,
            description = "`\"<version>\"`: replace only; 412 if the country does not exist or is at another version")),
    request_body = CountryReplacement,
    responses(
        (status = 200, description = "Replaced (or already equal to the body: nothing written)",
            body = Country, headers(("ETag" = String, description = "`\"<version>\"`"))),
        (status = 201, description = "Created", body = Country,
            headers(("Location" = String), ("ETag" = String, description = "`\"<version>\"`"))),
        PutProblems)
)]
#[put("/countries/{code}")]
pub async fn put_country(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    code: web::Path<String>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::put::<Country>(actor, &req, &pool, code.into_inner(), body).await
}

/// Delete a country
///
/// Refused with 409 while action plans still belong to it.
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the ETag still matches")),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/countries/{code}")]
pub async fn delete_country(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::delete::<Country>(actor, &req, &pool, code.into_inner()).await
}

/// List countries
///
/// Countries by code, a page at a time.
/// Filters (exact, comma = any of, `_gte`/`_lte` ranges), `sort`, `q` full-text search,
/// `include` embedding, `include_total`; `Accept: text/csv` or `application/x-ndjson`
/// (or `format=`) streams every matching row instead of a page.
#[utoipa::path(
    tag = TAG,
    params(CountryListParams),
    responses((status = 200, description = "A page of countries",
        content((Page<CountryListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/countries")]
pub async fn list_countries(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<Country, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None,
        list::embed,
        Country::COLLECTION,
    )
    .await
}

/// Count countrys by group
///
/// How many countrys fall in each group of the `group_by` fields (any field the list filters
/// on; `<date>_year` for a date's year), with the list's filters and `q`: `{"group_by":
/// [...], "groups": [{"key": {...}, "count": n}, ...]}`. Unknown values (null) form their
/// own group. `sort=-count` (default), `count`, `key` or `-key`. `format=csv` or `ndjson`
/// (or `Accept`) answers a file. At most 10000 groups: more is a 400, never a cut answer.
#[utoipa::path(
    tag = TAG,
    params(list::CountryGroupsParams),
    responses((status = 200, description = "Every group with its count",
        content((crate::listing::groups::Groups = "application/json")),
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        crate::openapi::ListProblems)
)]
#[get("/countries/groups")]
pub async fn country_groups(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    crate::listing::groups::groups(&req, &pool, &list::GROUPS, "countries").await
}

//! Local member endpoints.

use super::list::{self, LocalMemberItemParams, LocalMemberListItem, LocalMemberListParams};
use super::model::{LocalMember, LocalMemberPatch, LocalMemberReplacement, NewLocalMember};
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
    CreateProblems, DeleteProblems, FieldsProblems, ItemProblems, ListProblems, PutProblems,
    UpdateProblems,
};
use crate::vocab::is_country_code;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};

/// Get a local member
///
/// The OGP Local member with its `ETag` (`"<version>"`); send it back as `If-None-Match` to
/// get a 304 while it is unchanged, or as `If-Match` on a write.
#[utoipa::path(
    tag = TAG,
    params(("slug" = String, Path, description = "The member's slug, e.g. `sekondi-takoradi-ghana`"), LocalMemberItemParams),
    responses((status = 200, description = "The local member, with what `include` embeds", body = LocalMemberListItem,
        headers(("ETag" = String, description = "`\"<version>\"`; with `include`, a weak ETag over the body (also with `fields`)"))), ItemProblems,
        FieldsProblems)
)]
#[get("/local-members/{slug}")]
pub async fn get_local_member(
    req: HttpRequest,
    pool: ReadPool,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = include::item(&req, &list::SPEC, list::embed)?;
    flow::get_with::<LocalMember, _>(&req, &pool, slug.into_inner(), body).await
}

/// Create a local member
///
/// An OGP Local member of an existing country, keyed by its slug (a 409 when the slug is
/// taken; `PUT /local-members/{slug}` creates or replaces). 201 with `Location` and `ETag`.
/// Send an `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = TAG,
    request_body = NewLocalMember,
    responses((status = 201, description = "Created", body = LocalMember,
        headers(("Location" = String), ("ETag" = String))), CreateProblems)
)]
#[post("/local-members")]
pub async fn create_local_member(
    actor: Actor,
    pool: web::Data<DbPool>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::create::<LocalMember>(actor, &pool, body).await
}

/// Update a local member
///
/// JSON Merge Patch (RFC 7396): absent fields stay, `null` clears a nullable field.
/// `slug` cannot change; `country_code` cannot change while the member has action plans (409).
#[utoipa::path(
    tag = TAG,
    params(("slug" = String, Path, description = "The member's slug"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the ETag still matches")),
    request_body(content((LocalMemberPatch = "application/merge-patch+json"), (LocalMemberPatch = "application/json"))),
    responses((status = 200, description = "The updated local member", body = LocalMember,
        headers(("ETag" = String))), UpdateProblems)
)]
#[patch("/local-members/{slug}")]
pub async fn update_local_member(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    slug: web::Path<String>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::update::<LocalMember>(actor, &req, &pool, slug.into_inner(), body).await
}

/// Create or replace a local member by its slug
///
/// A local member's slug is its natural key, in its path, so a client can name one before it
/// exists. Creates the member if no member has the slug (201 with `Location`), else replaces it
/// whole (200): the body is a full create body, and fields it leaves out take their defaults
/// (`membership_status` = `active`, `member_since` and `population` = `null`); it is not a
/// merge. The body's `slug` must equal the path's (a 422 naming `slug` otherwise); a body
/// without `slug` takes the path's. A replace by the body the member already has writes
/// nothing: 200 with the same ETag, no change-feed entry. `If-None-Match: *` creates only and
/// `If-Match: "<version>"` replaces only: 412 otherwise. With `OGP_REQUIRE_IF_MATCH=true` one
/// of the two is required (428).
#[utoipa::path(
    tag = TAG,
    params(("slug" = String, Path, description = "The member's slug, e.g. `sekondi-takoradi-ghana`"),
        ("If-None-Match" = Option<String>, Header,
            description = "`*`: create only; 412 if the member exists"),
        ("If-Match" = Option<String>, Header,
            description = "`\"<version>\"`: replace only; 412 if the member does not exist or is at another version")),
    request_body = LocalMemberReplacement,
    responses(
        (status = 200, description = "Replaced (or already equal to the body: nothing written)",
            body = LocalMember, headers(("ETag" = String, description = "`\"<version>\"`"))),
        (status = 201, description = "Created", body = LocalMember,
            headers(("Location" = String), ("ETag" = String, description = "`\"<version>\"`"))),
        PutProblems)
)]
#[put("/local-members/{slug}")]
pub async fn put_local_member(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    slug: web::Path<String>,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    flow::put::<LocalMember>(actor, &req, &pool, slug.into_inner(), body).await
}

/// Delete a local member
///
/// Refused with 409 while action plans still belong to it.
#[utoipa::path(
    tag = TAG,
    params(("slug" = String, Path, description = "The member's slug"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the ETag still matches")),
    responses((status = 204, description = "Deleted"), DeleteProblems)
)]
#[delete("/local-members/{slug}")]
pub async fn delete_local_member(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    flow::delete::<LocalMember>(actor, &req, &pool, slug.into_inner()).await
}

/// List local members
///
/// OGP Local members by slug, a page at a time.
/// Filters (exact, comma = any of, `_gte`/`_lte` ranges), `sort`, `q` full-text search,
/// `include` embedding, `include_total`; `Accept: text/csv` or `application/x-ndjson`
/// (or `format=`) streams every matching row instead of a page.
#[utoipa::path(
    tag = TAG,
    params(LocalMemberListParams),
    responses((status = 200, description = "A page of local members",
        content((Page<LocalMemberListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/local-members")]
pub async fn list_local_members(
    req: HttpRequest,
    pool: ReadPool,
) -> Result<HttpResponse, ApiError> {
    handler::list::<LocalMember, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None,
        list::embed,
        LocalMember::COLLECTION,
    )
    .await
}

/// List a country's local members
///
/// The same list as `/local-members?country_code=<code>`, with its filters; a 404 when the
/// country does not exist (an empty page means it has no local members).
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code"), LocalMemberListParams),
    responses((status = 200, description = "A page of a country's local members",
        content((Page<LocalMemberListItem> = "application/json")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        ListProblems)
)]
#[get("/countries/{code}/local-members")]
pub async fn list_country_local_members(
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
    handler::list::<LocalMember, _, _>(
        &req,
        &pool,
        &list::SPEC,
        Some(parent),
        list::embed,
        LocalMember::COLLECTION,
    )
    .await
}

/// Count local members by group
///
/// How many OGP Local members fall in each group of the `group_by` fields (any field the list
/// filters on), with the list's filters and `q`: `{"group_by": [...], "groups": [{"key":
/// {...}, "count": n}, ...]}`. Unknown values (null) form their own group. `sort=-count`
/// (default), `count`, `key` or `-key`. `format=csv` or `ndjson` (or `Accept`) answers a file.
/// At most 10000 groups: more is a 400, never a cut answer.
#[utoipa::path(
    tag = TAG,
    params(list::LocalMemberGroupsParams),
    responses((status = 200, description = "Every group with its count",
        content((crate::listing::groups::Groups = "application/json")),
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        crate::openapi::ListProblems)
)]
#[get("/local-members/groups")]
pub async fn local_member_groups(
    req: HttpRequest,
    pool: ReadPool,
) -> Result<HttpResponse, ApiError> {
    crate::listing::groups::groups(&req, &pool, &list::GROUPS, "local_members").await
}

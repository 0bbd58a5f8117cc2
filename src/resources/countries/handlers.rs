//! Country endpoints.

use super::list::{self, CountryListItem, CountryListParams};
use super::model::{Country, CountryPatch, NewCountry};
use super::{query, TAG};
use crate::auth::Actor;
use crate::body::{to_object, Fields, JsonObject};
use crate::db::{self, DbPool, ReadPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, IfMatch};
use crate::listing::handler::{self, NoParent};
use crate::listing::Page;
use crate::openapi::{CreateProblems, DeleteProblems, ItemProblems, ListProblems, UpdateProblems};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncConnection;

fn not_found(code: &str) -> ApiError {
    ApiError::not_found(format!("no country has the code `{}`", code.escape_debug()))
}

/// The path's country code, if it can name a country at all; any other text (a NUL byte, lower
/// case, a long string) is a 404 without asking PostgreSQL, which cannot take a NUL in text.
pub fn path_code(code: String) -> Result<String, ApiError> {
    if super::model::is_country_code(&code) {
        Ok(code)
    } else {
        Err(not_found(&code))
    }
}

fn location(country: &Country) -> String {
    format!("/api/v1/countries/{}", country.code)
}

/// Get a country
#[utoipa::path(
    tag = TAG,
    params(("code" = String, Path, description = "ISO 3166-1 alpha-3 code, e.g. `MEX`")),
    responses((status = 200, description = "The country", body = Country,
        headers(("ETag" = String, description = "`\"<version>\"`"))), ItemProblems)
)]
#[get("/countries/{code}")]
pub async fn get_country(
    req: HttpRequest,
    pool: ReadPool,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path_code(code.into_inner())?;
    let mut conn = pool.conn().await?;
    let country = query::find(&mut conn, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    Ok(ok_with_etag(&req, &country, country.version))
}

/// Create a country
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
    let input = NewCountry::from_fields(Fields::for_create(body.0, &NewCountry::FIELDS))?;
    let mut conn = db::conn(&pool).await?;
    let country = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            Ok(query::insert(conn, &input).await?)
        })
        .await?;
    Ok(created(&location(&country), &country, country.version))
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
    let if_match = IfMatch::from_request(&req)?;
    let code = path_code(code.into_inner())?;
    let mut conn = db::conn(&pool).await?;
    let country = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            let current = query::find_for_update(conn, &code)
                .await?
                .ok_or_else(|| not_found(&code))?;
            let fields =
                Fields::for_patch(to_object(&current.to_input()), body.0, &NewCountry::FIELDS);
            let input = NewCountry::from_fields(fields)?;
            // The body is checked first: an invalid change is a 422 whatever the ETag.
            if_match.check(current.version)?;
            if input.code != current.code {
                return Err(ApiError::invalid_field(
                    "code",
                    "is the key and cannot change",
                ));
            }
            Ok(query::update(conn, &code, &input).await?)
        })
        .await?;
    Ok(ok_with_etag(&req, &country, country.version))
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
    let if_match = IfMatch::from_request(&req)?;
    let code = path_code(code.into_inner())?;
    let mut conn = db::conn(&pool).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        db::set_actor(conn, &actor.name).await?;
        let current = query::find_for_update(conn, &code)
            .await?
            .ok_or_else(|| not_found(&code))?;
        if_match.check(current.version)?;
        query::delete(conn, &code).await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
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
        content((Page<CountryListItem> = "application/json"), (String = "text/csv"), (String = "application/x-ndjson")),
        headers(("Link" = String, description = "`<url>; rel=\"next\"` when another page follows"),
            ("ETag" = String, description = "Weak ETag of the page"))),
        ListProblems)
)]
#[get("/countries")]
pub async fn list_countries(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    handler::list::<Country, _, _, _>(
        &req,
        &pool,
        &list::SPEC,
        None::<NoParent>,
        list::embed,
        "countries",
    )
    .await
}

//! `POST /api/v1/imports`: a bundle in, upserted by natural key, all or nothing; or, with
//! `Content-Type: text/csv` and `?resource=`, one collection's CSV (`super::csv_import`).
//!
//! The body (`application/json`, optionally `Content-Encoding: gzip`) may be as large as the
//! import limit (`OGP_IMPORT_BODY_LIMIT`), compressed and decompressed alike: a gzip bomb is a
//! 413 once its output passes the limit, never a buffer without bound. Then `apply` imports it
//! as the CLI imports a file, chunk by chunk in one transaction, every error listed in one
//! 422. `?dry_run=true` does the same and rolls back.

use super::apply::{apply, ImportOptions, NoProgress};
use super::csv_import::{import, Resource};
use super::format::Bundle;
use super::source::Source;
use super::upsert::ImportOutcome;
use super::{ImportBodyLimit, TAG};
use crate::actor::{Actor, Role};
use crate::body::{read_whole, BodyTimeout, DEFAULT_BODY_TIMEOUT};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::openapi::CreateProblems;
use actix_web::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use std::io::Read;
use std::sync::Arc;
use utoipa::IntoParams;

/// The query of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `true`: check everything and answer the counts, but write nothing.
    pub dry_run: Option<bool>,
    /// `true` (admin key only, else 403): also delete, children first, the records under the
    /// bundle's scope that it no longer holds: local members and plans of its countries,
    /// commitments and findings of its plans, milestones of its commitments.
    pub prune: Option<bool>,
    /// For a CSV body (`text/csv`), required: the collection its rows are, as in the URLs
    /// (`countries`, `local-members`, `action-plans`, `commitments`, `milestones`,
    /// `irm-findings`). A bundle
    /// names its collections itself and takes none.
    #[param(example = "commitments")]
    pub resource: Option<String>,
}

/// What the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Bundle,
    Csv(Resource),
}

/// How the body is encoded.
fn gzipped(req: &HttpRequest) -> Result<bool, ApiError> {
    let Some(value) = req.headers().get(CONTENT_ENCODING) else {
        return Ok(false);
    };
    match value.to_str().map(str::trim) {
        Ok(v) if v.eq_ignore_ascii_case("gzip") => Ok(true),
        Ok(v) if v.eq_ignore_ascii_case("identity") => Ok(false),
        _ => Err(ApiError::unsupported_media_type(
            "an import's Content-Encoding must be `gzip` or `identity`",
        )),
    }
}

fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// The body's kind, from its media type and `?resource=`: a CSV without a resource, or a
/// bundle with one, is a 400; another media type a 415.
fn body_kind(req: &HttpRequest, resource: Option<&str>) -> Result<BodyKind, ApiError> {
    match (media_type(req).as_deref(), resource) {
        (Some("application/json"), None) => Ok(BodyKind::Bundle),
        (Some("application/json"), Some(_)) => Err(ApiError::invalid_query(
            "`resource` is for a CSV body (`text/csv`); a bundle names its collections itself",
        )),
        (Some("text/csv"), Some(name)) => Ok(BodyKind::Csv(
            Resource::parse(name).map_err(|e| ApiError::invalid_query(e.detail))?,
        )),
        (Some("text/csv"), None) => Err(ApiError::invalid_query(format!(
            "a CSV import needs `resource`, the collection its rows are: one of {}",
            Resource::names()
        ))),
        _ => Err(ApiError::unsupported_media_type(
            "an import is a bundle sent as `application/json`, or one collection's CSV sent as \
             `text/csv` with `?resource=` (either optionally with Content-Encoding: gzip)",
        )),
    }
}

/// Decompresses `body`, refusing (413) output beyond `limit` bytes without holding more.
fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    let read = flate2::read::GzDecoder::new(body)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid gzip: {e}")))?;
    if read > limit {
        return Err(ApiError::payload_too_large(format!(
            "the decompressed body exceeds {limit} bytes"
        )));
    }
    Ok(out)
}

/// Import a bundle, or one collection as CSV
///
/// Upserts every record of the bundle by its natural key (see the `Bundle` schema): a new record
/// is created, a changed one updated (version + 1, one change-feed entry), an identical one left
/// as it is (no write). Everything is checked first; any invalid record makes it a 422 whose
/// `errors` list every problem, each with a JSON `pointer` into the bundle
/// (`/commitments/12/title`), and nothing is written. The body may be gzip-compressed
/// (`Content-Encoding: gzip`); it may be up to `OGP_IMPORT_BODY_LIMIT` bytes (default 64 MiB),
/// compressed and decompressed. Needs an editor key; `prune=true` an admin key.
///
/// Or one collection as CSV, for spreadsheets: `Content-Type: text/csv` and
/// `?resource=countries|local-members|action-plans|commitments|milestones|irm-findings`, with the
/// columns the CSV export of that collection writes (`?format=csv`; a UTF-8 byte-order mark is
/// fine). Each row is a record of the bundle import, with the same counts, dry run and change feed.
/// An empty cell is `null`; a list is its values joined with `;` (`[]` for an empty list where an
/// empty cell would be `null`); `true`/`false` in any case. Parents are named by natural key
/// (`country_code`, `local_member_slug`: none or empty for a national plan, `plan_number`,
/// `commitment_number`) or by the ids the export writes (`action_plan_id`, `commitment_id`; an
/// unknown id is an error of its row). Every writable column must be in the header. Read-only
/// columns, accepted and ignored: `id`, `version`, `created_at`, `updated_at`, and for IRM findings
/// each verdict's `*_basis`; a verdict whose basis cell says `derived` or `not_applicable` is the
/// server's derivation and is ignored too (set the basis to `published` to publish it). Any other
/// column is a 422. Errors name the row as a spreadsheet numbers it (the header is row 1) and the
/// column: `row 14, column title: …`; malformed CSV (invalid UTF-8, a row of another length, an
/// unclosed quote) is a 400 naming the row. `prune=true` deletes within the CSV's collection only:
/// the local members of the countries its rows name (with their plans), the plans of the countries
/// its rows name, the commitments or findings of the plans they name, the milestones of the
/// commitments they name (with what those hold); countries are never pruned.
#[utoipa::path(
    tag = TAG,
    params(ImportParams,
        ("Content-Encoding" = Option<String>, Header, description = "`gzip` for a compressed body")),
    request_body(content(
        (Bundle = "application/json"),
        (String = "text/csv", example = json!(
            "country_code,plan_number,number,title,reference,description,theme,lead_institution,ogp_values,start_date,end_date,withdrawn\r\nGHA,4,11,Implementing Right to Information law,GH0038,,Right to Information,Ministry of Information,access_to_information,,,false\r\n"
        ))
    )),
    responses((status = 200, description = "What the import did (or would do)", body = ImportOutcome),
        CreateProblems)
)]
#[post("/imports")]
pub async fn import_bundle(
    actor: Actor,
    req: HttpRequest,
    pool: web::Data<DbPool>,
    params: web::Query<ImportParams>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let dry_run = params.dry_run.unwrap_or(false);
    let prune = params.prune.unwrap_or(false);
    if prune && actor.role < Role::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            format!(
                "this key has the role `{}`; an import with `prune=true` deletes and needs `admin`",
                actor.role.as_str()
            ),
        ));
    }
    let kind = body_kind(&req, params.resource.as_deref())?;
    let gzip = gzipped(&req)?;
    let limit = req
        .app_data::<ImportBodyLimit>()
        .map_or(super::DEFAULT_IMPORT_BODY_LIMIT, |l| l.0);
    let timeout = req
        .app_data::<BodyTimeout>()
        .map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(format!(
            "the body exceeds {limit} bytes"
        )));
    }
    let received = read_whole(&mut payload, limit, timeout).await?;
    // One copy of the body at a time: the compressed bytes go as soon as they are inflated.
    let body = if gzip {
        let inflated = gunzip(&received, limit)?;
        drop(received);
        Bytes::from(inflated)
    } else {
        received.freeze()
    };
    let options = ImportOptions { dry_run, prune };
    let mut conn = db::conn(&pool).await?;
    if let BodyKind::Csv(resource) = kind {
        let outcome = import(
            &mut conn,
            &actor.name,
            resource,
            &body,
            options,
            Arc::new(NoProgress),
        )
        .await?;
        return Ok(HttpResponse::Ok().json(outcome));
    }
    let source = Source::Memory(body);
    let outcome = apply(
        &mut conn,
        &actor.name,
        source,
        options,
        Arc::new(NoProgress),
    )
    .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

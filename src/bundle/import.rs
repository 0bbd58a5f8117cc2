//! `POST /api/v1/imports`: a bundle in, upserted by natural key, all or nothing.
//!
//! The body (`application/json`, optionally `Content-Encoding: gzip`) may be as large as the
//! import limit (`OGP_IMPORT_BODY_LIMIT`), compressed and decompressed alike: a gzip bomb is a
//! 413 once its output passes the limit, never a buffer without bound. Then `apply` imports it
//! as the CLI imports a file, chunk by chunk in one transaction, every error listed in one
//! 422. `?dry_run=true` does the same and rolls back.

use super::apply::{apply, ImportOptions, NoProgress};
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
    /// bundle's scope that it no longer holds: plans of its countries, commitments and findings
    /// of its plans, milestones of its commitments.
    pub prune: Option<bool>,
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

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .is_some_and(|v| v.eq_ignore_ascii_case("application/json"))
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

/// Import a bundle
///
/// Upserts every record of the bundle by its natural key (see the `Bundle` schema): a new record
/// is created, a changed one updated (version + 1, one change-feed entry), an identical one left
/// as it is (no write). Everything is checked first; any invalid record makes it a 422 whose
/// `errors` list every problem, each with a JSON `pointer` into the bundle
/// (`/commitments/12/title`), and nothing is written. The body may be gzip-compressed
/// (`Content-Encoding: gzip`); it may be up to `OGP_IMPORT_BODY_LIMIT` bytes (default 64 MiB),
/// compressed and decompressed. Needs an editor key; `prune=true` an admin key.
#[utoipa::path(
    tag = TAG,
    params(ImportParams,
        ("Content-Encoding" = Option<String>, Header, description = "`gzip` for a compressed bundle")),
    request_body(content = Bundle, content_type = "application/json"),
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
    if !is_json(&req) {
        return Err(ApiError::unsupported_media_type(
            "a bundle must be sent as `application/json` (optionally with Content-Encoding: gzip)",
        ));
    }
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

    let mut conn = db::conn(&pool).await?;
    let options = ImportOptions { dry_run, prune };
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

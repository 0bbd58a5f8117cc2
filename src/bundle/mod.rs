//! Bundles: the corpus in and out as one JSON document (`format.rs`), records naming their
//! parents by natural key. `POST /api/v1/imports` upserts a bundle all or nothing
//! (`import.rs`: `validate.rs` checks everything, then `upsert.rs` writes); `GET
//! /api/v1/exports/bundle` streams one (`export.rs`). Above the resources on the module ladder:
//! it reads and writes each of them through their own validation and flows.

pub mod export;
pub mod format;
pub mod import;
pub mod lookup;
pub mod upsert;
pub mod validate;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "bundles";

/// The largest import body, compressed or decompressed, unless configured
/// (`OGP_IMPORT_BODY_LIMIT`): 64 MiB.
pub const DEFAULT_IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// App data: the largest import body, in bytes (compressed, and again decompressed).
#[derive(Debug, Clone, Copy)]
pub struct ImportBodyLimit(pub usize);

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(import::import_bundle)
        .service(export::export_bundle);
}

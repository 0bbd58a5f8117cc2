//! Bundles: the corpus in and out as one JSON document (`format.rs`), records naming their
//! parents by natural key. `POST /api/v1/imports` upserts a bundle all or nothing
//! (`import.rs` reads the body, `apply.rs` runs the import over a `source.rs`, read section by
//! section and chunk by chunk by `sections.rs`: `validate.rs` checks each chunk, then
//! `upsert.rs` writes it, the large collections in batches through `batch.rs`); `GET
//! /api/v1/exports/bundle` streams one (`export.rs`, its large sections' queries in
//! `export_rows.rs`, each record written by `record_writer.rs`). Above the resources on the
//! module ladder: it reads and writes each of them through their own validation and flows.

pub mod apply;
pub mod batch;
pub mod cli;
pub mod csv_import;
pub mod export;
pub mod export_rows;
pub mod format;
pub mod import;
pub mod lookup;
pub mod prune;
pub mod record_writer;
pub mod sections;
pub mod source;
pub mod upsert;
pub mod validate;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "bundles";

pub use crate::body::{ImportBodyLimit, DEFAULT_IMPORT_BODY_LIMIT};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(import::import_bundle)
        .service(export::export_bundle);
}

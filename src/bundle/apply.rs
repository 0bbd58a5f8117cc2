//! The import itself, shared by `POST /api/v1/imports` and `ogp-api import`: in one
//! transaction, every record checked (`validate`), then written (`upsert`), then, with `prune`,
//! what the bundle's scope holds beyond it deleted. A dry run does all of it and rolls back;
//! any error rolls everything back, so the database is as it was.

use super::upsert::{self, ImportOutcome};
use super::validate;
use crate::db;
use crate::error::ApiError;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::Value;

/// What an import may do besides upserting.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Check and count everything, write nothing.
    pub dry_run: bool,
    /// Also delete what the bundle's scope holds beyond it (the caller checks the role).
    pub prune: bool,
}

/// Told how an import advances: the CLI draws a progress bar from it; the HTTP handler passes
/// [`NoProgress`].
pub trait ImportProgress: Send + Sync {
    /// `done` of `total` records checked.
    fn checked(&self, done: u64, total: u64);
    /// `done` of `total` records written (or found unchanged).
    fn written(&self, done: u64, total: u64);
}

/// Reports nothing.
pub struct NoProgress;

impl ImportProgress for NoProgress {
    fn checked(&self, _: u64, _: u64) {}
    fn written(&self, _: u64, _: u64) {}
}

/// Why an import's transaction ended without committing.
enum Abort {
    Failed(ApiError),
    /// A dry run: everything was checked and counted, and is rolled back.
    DryRun(ImportOutcome),
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Abort::Failed(error.into())
    }
}

impl From<ApiError> for Abort {
    fn from(error: ApiError) -> Self {
        Abort::Failed(error)
    }
}

/// Imports `bundle` (a parsed bundle document) as `actor`, all or nothing.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    actor: &str,
    bundle: Value,
    options: ImportOptions,
    progress: &dyn ImportProgress,
) -> Result<ImportOutcome, ApiError> {
    let outcome = conn
        .transaction::<_, Abort, _>(async move |conn| {
            db::set_actor(conn, actor).await?;
            let checked = validate::check(conn, bundle, progress).await?;
            let (mut outcome, kept) = upsert::write(conn, checked, progress).await?;
            if options.prune {
                super::prune::prune(conn, &kept, &mut outcome).await?;
            }
            if options.dry_run {
                outcome.dry_run = true;
                return Err(Abort::DryRun(outcome));
            }
            Ok(outcome)
        })
        .await;
    match outcome {
        Ok(outcome) => Ok(outcome),
        Err(Abort::DryRun(outcome)) => Ok(outcome),
        Err(Abort::Failed(error)) => Err(error),
    }
}

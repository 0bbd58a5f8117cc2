//! The import itself, shared by `POST /api/v1/imports` and `ogp-api import`, in constant
//! memory whatever the bundle's size: first the bundle's outline (`sections::outline`: the JSON
//! checked, each collection located and counted); then, in one transaction, each collection,
//! parents first, read a chunk of `BATCH` records at a time (`sections::produce`, on a
//! blocking thread, a few chunks ahead) and each chunk checked (`validate::Checker`) and
//! written (`upsert::Writer`). Parents are found in the database, inside the transaction that
//! wrote the earlier chunks. From the first invalid record on nothing more is written, but
//! every record is still checked, so the 422 lists every problem; then everything is rolled
//! back. With `prune`, what the bundle's scope holds beyond it is deleted at the end. A dry run
//! does all of it and rolls back; any error rolls everything back, so the database is as it
//! was.

use super::format::COLLECTIONS;
use super::sections::{self, Event};
use super::source::Source;
use super::upsert::{ImportOutcome, Writer};
use super::validate::Checker;
use crate::db;
use crate::error::ApiError;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Chunks read ahead of the one being checked and written: reading overlaps the database's
/// work, and memory holds at most this many chunks more.
const CHUNKS_AHEAD: usize = 2;

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
    /// The first pass (the JSON checked and outlined) has read `bytes` of `total` (when the
    /// size is known); called with 0 when it starts.
    fn outlining(&self, bytes: u64, total: Option<u64>);
    /// The records (`total` of them) start to be checked and written.
    fn started(&self, total: u64);
    /// `records` more records checked (and written), `bytes` more bytes of the bundle read.
    fn advanced(&self, records: u64, bytes: u64);
}

/// Reports nothing.
pub struct NoProgress;

impl ImportProgress for NoProgress {
    fn outlining(&self, _: u64, _: Option<u64>) {}
    fn started(&self, _: u64) {}
    fn advanced(&self, _: u64, _: u64) {}
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

/// Imports the bundle of `source` as `actor`, all or nothing.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    actor: &str,
    source: Source,
    options: ImportOptions,
    progress: Arc<dyn ImportProgress>,
) -> Result<ImportOutcome, ApiError> {
    let reading = progress.clone();
    let (source, outline) = tokio::task::spawn_blocking(move || {
        let total = source.size();
        reading.outlining(0, total);
        let outline = sections::outline(&source, move |bytes| reading.outlining(bytes, total));
        (source, outline)
    })
    .await
    .map_err(ApiError::internal)?;
    let outline = outline?;
    let mut checker = Checker::start(&outline)?;
    let total = outline.records();
    let outcome = conn
        .transaction::<_, Abort, _>(async move |conn| {
            db::set_actor(conn, actor).await?;
            progress.started(total);
            let (sender, mut receiver) = mpsc::channel(CHUNKS_AHEAD);
            // Ends by itself when this side stops receiving (an error, a signal).
            let reader =
                tokio::task::spawn_blocking(move || sections::produce(&source, &outline, &sender));
            let mut writer = Writer::new(options.prune);
            while let Some(event) = receiver.recv().await {
                let (collection, records, bytes) = match event {
                    Event::Chunk {
                        collection,
                        records,
                        bytes,
                    } => (collection, records, bytes),
                    Event::Failed(error) => return Err(Abort::Failed(error)),
                };
                let n = records.len() as u64;
                match COLLECTIONS[collection] {
                    "countries" => {
                        let valid = checker.countries(records);
                        if checker.clean() {
                            writer.countries(conn, valid).await?;
                        }
                    }
                    "local_members" => {
                        let valid = checker.local_members(conn, records).await?;
                        if checker.clean() {
                            writer.local_members(conn, valid).await?;
                        }
                    }
                    "action_plans" => {
                        let valid = checker.plans(conn, records).await?;
                        if checker.clean() {
                            writer.plans(conn, valid).await?;
                        }
                    }
                    "commitments" => {
                        let valid = checker.commitments(conn, records).await?;
                        if checker.clean() {
                            writer.commitments(conn, valid).await?;
                        }
                    }
                    "milestones" => {
                        let valid = checker.milestones(conn, records).await?;
                        if checker.clean() {
                            writer.milestones(conn, valid).await?;
                        }
                    }
                    _ => {
                        let valid = checker.findings(conn, records).await?;
                        if checker.clean() {
                            writer.findings(conn, valid).await?;
                        }
                    }
                }
                progress.advanced(n, bytes);
            }
            reader.await.map_err(ApiError::internal)?;
            if !checker.clean() {
                return Err(Abort::Failed(ApiError::validation(checker.errors)));
            }
            let mut outcome = writer.outcome;
            if let Some(kept) = &writer.kept {
                super::prune::prune(conn, kept, &mut outcome).await?;
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

//! `ogp-api import FILE [--dry-run] [--prune]`: a bundle file (`-` for standard input;
//! gzip-compressed when its name ends in `.gz` or it starts with gzip's magic bytes) imported
//! by `bundle::apply` in one transaction, as the HTTP import does but without its body limit,
//! and read section by section, never whole: memory stays bounded whatever the file's size.
//! Standard input cannot be read twice, so it is first copied into a temporary file (in
//! `TMPDIR`), which is removed at the end.

use super::progress::{Progress, Unit};
use super::{describe, signal, Interrupted};
use crate::bundle::apply::{apply, ImportOptions};
use crate::bundle::source::Source;
use crate::bundle::upsert::ImportOutcome;
use crate::db::{self, DbPool};
use std::path::Path;
use std::sync::Arc;

/// The actor the change feed records for the CLI's imports.
pub const ACTOR: &str = "cli";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The bundle of `source` (a path, or `-`), ready to be read as often as the import needs (a
/// blocking task: a waiting standard input must not keep the signal handler from running).
async fn open(source: String, progress: Arc<Progress>) -> Result<Source, BoxError> {
    let opened = tokio::task::spawn_blocking(move || {
        if source != "-" {
            return Source::file(Path::new(&source))
                .map_err(|e| format!("cannot open `{source}`: {e}"));
        }
        progress.phase("reading", Unit::Bytes, None);
        Source::spool(std::io::stdin().lock(), &std::env::temp_dir(), |n| {
            progress.set(n)
        })
        .map_err(|e| format!("cannot copy standard input to a temporary file: {e}"))
    })
    .await??;
    Ok(opened)
}

/// Reads `source` and imports it over a connection of `pool`.
async fn import(
    pool: &DbPool,
    source: String,
    options: ImportOptions,
    progress: Arc<Progress>,
) -> Result<ImportOutcome, BoxError> {
    let source = open(source, progress.clone()).await?;
    // Out of the pool: if a signal drops this future mid-transaction, the connection is closed
    // (PostgreSQL rolls the transaction back), never handed back to the pool half-way.
    let mut conn = deadpool::managed::Object::take(db::conn(pool).await.map_err(|e| describe(&e))?);
    let outcome = apply(&mut conn, ACTOR, source, options, progress)
        .await
        .map_err(|e| describe(&e))?;
    Ok(outcome)
}

/// Imports the bundle in `source` (a path or `-`), showing progress on stderr; a signal ends it
/// with [`Interrupted`] and nothing written.
pub async fn run(
    pool: &DbPool,
    source: &str,
    options: ImportOptions,
) -> Result<ImportOutcome, BoxError> {
    let progress = Arc::new(Progress::new("import"));
    let work = import(pool, source.to_string(), options, progress.clone());
    tokio::select! {
        outcome = work => {
            if outcome.is_ok() {
                progress.finish();
            }
            outcome
        }
        signal = signal() => Err(Box::new(Interrupted {
            signal,
            outcome: "the import's transaction was not committed; the database is as it was",
        })),
    }
}

//! `ogp-api import FILE.csv --resource commitments [--dry-run] [--prune]`: one collection's
//! CSV (`-` for standard input; gzip when the name ends in `.gz` or the bytes start with
//! gzip's magic) read whole, then imported as the HTTP CSV import does, in one transaction,
//! without the HTTP body limit. A signal ends it with nothing written.

use super::{import, Resource};
use crate::bundle::apply::ImportOptions;
use crate::bundle::cli::progress::{Progress, Unit};
use crate::bundle::cli::{describe, signal, Interrupted};
use crate::bundle::upsert::ImportOutcome;
use crate::db::{self, DbPool};
use std::io::Read;
use std::sync::Arc;

/// The actor the change feed records for the CLI's imports (as for bundles).
const ACTOR: &str = "cli";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Whether `file` is a CSV by its name (`.csv`, `.csv.gz`, any case).
fn named_csv(file: &str) -> bool {
    let name = file.to_ascii_lowercase();
    name.ends_with(".csv") || name.ends_with(".csv.gz")
}

/// The resource to import `file` as CSV into: `Some` with `--resource`, `None` for a bundle;
/// a `.csv` file without `--resource` is an error (its columns do not say their collection).
pub fn resource_of(file: &str, resource: Option<&str>) -> Result<Option<Resource>, BoxError> {
    match resource {
        Some(name) => Ok(Some(Resource::parse(name).map_err(|e| e.detail)?)),
        None if named_csv(file) => Err(format!(
            "`{file}` is a CSV: say which collection its rows are with --resource ({})",
            Resource::names()
        )
        .into()),
        None => Ok(None),
    }
}

/// The text of `source` (a path, or `-`), decompressed when it is gzip.
fn read(source: &str) -> Result<Vec<u8>, String> {
    let mut raw = Vec::new();
    let cannot_read = |e: std::io::Error| format!("cannot read `{source}`: {e}");
    if source == "-" {
        std::io::stdin()
            .read_to_end(&mut raw)
            .map_err(cannot_read)?;
    } else {
        std::fs::File::open(source)
            .map_err(|e| format!("cannot open `{source}`: {e}"))?
            .read_to_end(&mut raw)
            .map_err(cannot_read)?;
    }
    if !(source.ends_with(".gz") || raw.starts_with(&[0x1f, 0x8b])) {
        return Ok(raw);
    }
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(raw.as_slice())
        .read_to_end(&mut text)
        .map_err(|e| format!("`{source}` is not valid gzip: {e}"))?;
    Ok(text)
}

async fn work(
    pool: &DbPool,
    source: String,
    resource: Resource,
    options: ImportOptions,
    progress: Arc<Progress>,
) -> Result<ImportOutcome, BoxError> {
    progress.phase("reading", Unit::Bytes, None);
    // A blocking task: a waiting standard input must not keep the signal handler from running.
    let text = tokio::task::spawn_blocking(move || read(&source)).await??;
    progress.set(text.len() as u64);
    // Out of the pool: if a signal drops this future mid-transaction, the connection is closed
    // (PostgreSQL rolls the transaction back), never handed back to the pool half-way.
    let mut conn = deadpool::managed::Object::take(db::conn(pool).await.map_err(|e| describe(&e))?);
    let outcome = import(&mut conn, ACTOR, resource, &text, options, progress)
        .await
        .map_err(|e| describe(&e))?;
    Ok(outcome)
}

/// Imports the CSV in `source` into `resource`, showing progress on stderr; a signal ends it
/// with [`Interrupted`] and nothing written.
pub async fn run(
    pool: &DbPool,
    source: &str,
    resource: Resource,
    options: ImportOptions,
) -> Result<ImportOutcome, BoxError> {
    let progress = Arc::new(Progress::new("import"));
    let work = work(
        pool,
        source.to_string(),
        resource,
        options,
        progress.clone(),
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_needs_its_resource() {
        assert_eq!(
            resource_of("a.csv", Some("commitments")).unwrap(),
            Some(Resource::Commitments)
        );
        assert_eq!(
            resource_of("b.json", Some("irm-findings")).unwrap(),
            Some(Resource::IrmFindings)
        );
        assert_eq!(resource_of("b.bundle.json.gz", None).unwrap(), None);
        assert!(resource_of("A.CSV.GZ", None).is_err());
        assert!(resource_of("a.csv", Some("plans")).is_err());
    }
}

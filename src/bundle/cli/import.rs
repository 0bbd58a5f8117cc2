//! `ogp-api import FILE [--dry-run] [--prune]`: a bundle file (`-` for standard input;
//! gzip-compressed when its name ends in `.gz` or it starts with gzip's magic bytes) read whole,
//! parsed, then imported by `bundle::apply` in one transaction, as the HTTP import does but
//! without its body limit.

use super::progress::{Progress, Unit};
use super::{describe, signal, Interrupted};
use crate::bundle::apply::{apply, ImportOptions};
use crate::bundle::upsert::ImportOutcome;
use crate::db::{self, DbPool};
use crate::error::{ApiError, FieldError};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

/// The actor the change feed records for the CLI's imports.
pub const ACTOR: &str = "cli";

/// The first bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Reads through to `inner`, telling `progress` how many bytes came in so far (the file's
/// bytes, compressed or not: what its size, the bar's total, counts).
struct Counting<R> {
    inner: R,
    progress: Arc<Progress>,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.progress.set(self.read);
        Ok(n)
    }
}

/// The bundle text of `source` (a path, or `-`), decompressed when it is gzip.
fn read_source(source: &str, progress: Arc<Progress>) -> Result<Vec<u8>, String> {
    let (reader, size): (Box<dyn Read + Send>, Option<u64>) = if source == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let file =
            std::fs::File::open(source).map_err(|e| format!("cannot open `{source}`: {e}"))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    progress.phase("reading", Unit::Bytes, size);
    let mut reader = BufReader::with_capacity(
        1 << 16,
        Counting {
            inner: reader,
            progress,
            read: 0,
        },
    );
    let cannot_read = |e: std::io::Error| format!("cannot read `{source}`: {e}");
    let gzip = source.ends_with(".gz")
        || reader
            .fill_buf()
            .map_err(cannot_read)?
            .starts_with(&GZIP_MAGIC);
    let mut text = Vec::with_capacity(usize::try_from(size.unwrap_or(0)).unwrap_or(0));
    if gzip {
        // Multi-member: `pigz` and concatenated `.gz` files are whole streams too.
        flate2::bufread::MultiGzDecoder::new(reader)
            .read_to_end(&mut text)
            .map_err(|e| format!("`{source}` is not valid gzip: {e}"))?;
    } else {
        reader.read_to_end(&mut text).map_err(cannot_read)?;
    }
    Ok(text)
}

/// Reads and parses the bundle (a blocking task: a large file or a waiting standard input
/// must not keep the signal handler from running).
async fn load(source: String, progress: Arc<Progress>) -> Result<Value, BoxError> {
    let bundle = tokio::task::spawn_blocking(move || {
        let text = read_source(&source, progress.clone())?;
        // One step without a position of its own: show how much is being parsed.
        progress.phase("parsing", Unit::Bytes, None);
        progress.set(text.len() as u64);
        let parsed = crate::json_keys::parse(&text)
            .map_err(|e| format!("`{source}` is not valid JSON: {e}"))?;
        if !parsed.duplicates.is_empty() {
            let error = ApiError::validation(
                parsed
                    .duplicates
                    .into_iter()
                    .map(|field| FieldError::new(field, "given more than once in one object"))
                    .collect(),
            );
            return Err(describe(&error));
        }
        Ok::<_, String>(parsed.value)
    })
    .await??;
    Ok(bundle)
}

/// Reads `source` and imports it over a connection of `pool`.
async fn import(
    pool: &DbPool,
    source: String,
    options: ImportOptions,
    progress: Arc<Progress>,
) -> Result<ImportOutcome, BoxError> {
    let bundle = load(source, progress.clone()).await?;
    // Out of the pool: if a signal drops this future mid-transaction, the connection is closed
    // (PostgreSQL rolls the transaction back), never handed back to the pool half-way.
    let mut conn = deadpool::managed::Object::take(db::conn(pool).await.map_err(|e| describe(&e))?);
    let outcome = apply(&mut conn, ACTOR, bundle, options, &*progress)
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

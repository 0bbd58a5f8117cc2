//! `ogp-api export [filters] [--output FILE]`: the bundle export of `GET
//! /api/v1/exports/bundle` (the same `produce`, so the same bytes) drained into standard output
//! or a file. A file is written beside its final name and renamed when the export is whole, so
//! a failed or interrupted export never leaves a truncated bundle under that name.

use super::progress::{Progress, Unit};
use super::{describe, signal, Interrupted};
use crate::bundle::export::{produce, ExportParams, Filter};
use crate::db::{self, DbPool};
use crate::listing::export::{Piece, CHUNKS_IN_FLIGHT};
use std::io::Write;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long the export waits for its own writer to take a chunk. The writer is this process
/// (no client to cut off as the HTTP export does); a day only bounds a stuck output device.
const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Where the bundle goes.
enum Output {
    Stdout(std::io::Stdout),
    /// A target that is not a regular file (`/dev/null`, a FIFO, a terminal): written in
    /// place, never replaced by a renamed file.
    Device(std::io::BufWriter<std::fs::File>),
    /// The temporary file beside `target`, renamed to it at the end.
    File {
        file: std::io::BufWriter<std::fs::File>,
        partial: PathBuf,
        target: PathBuf,
    },
}

impl Output {
    fn open(target: Option<&Path>) -> Result<Self, BoxError> {
        let Some(target) = target else {
            return Ok(Output::Stdout(std::io::stdout()));
        };
        // Renaming a finished file over `/dev/null` (or a FIFO) would replace the device by a
        // regular file: only a regular file (or a new name) gets the write-beside-and-rename.
        if let Ok(meta) = std::fs::metadata(target) {
            if !meta.file_type().is_file() {
                let device = std::fs::OpenOptions::new()
                    .write(true)
                    .open(target)
                    .map_err(|e| format!("cannot open `{}`: {e}", target.display()))?;
                return Ok(Output::Device(std::io::BufWriter::new(device)));
            }
        }
        let mut name = target.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        let partial = target.with_file_name(name);
        let file = std::fs::File::create(&partial)
            .map_err(|e| format!("cannot create `{}`: {e}", partial.display()))?;
        Ok(Output::File {
            file: std::io::BufWriter::new(file),
            partial,
            target: target.to_path_buf(),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.write_all(bytes),
            Output::Device(out) => out.write_all(bytes),
            Output::File { file, .. } => file.write_all(bytes),
        }
    }

    /// Flushes and, for a file, renames it to its final name.
    fn finish(self) -> Result<(), BoxError> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::Device(mut out) => Ok(out.flush()?),
            Output::File {
                file,
                partial,
                target,
            } => {
                let file = file
                    .into_inner()
                    .map_err(|e| format!("cannot write `{}`: {}", partial.display(), e.error()))?;
                file.sync_all()?;
                std::fs::rename(&partial, &target).map_err(|e| {
                    format!(
                        "cannot rename `{}` to `{}`: {e}",
                        partial.display(),
                        target.display()
                    )
                })?;
                Ok(())
            }
        }
    }

    /// Removes the unfinished file.
    fn discard(self) {
        if let Output::File { file, partial, .. } = self {
            drop(file);
            let _ = std::fs::remove_file(partial);
        }
    }
}

/// Streams the export of `filter` into `output`; `Err` when it did not end whole.
async fn export(
    pool: &DbPool,
    filter: Filter,
    output: &mut Output,
    progress: &Progress,
) -> Result<(), BoxError> {
    let mut conn = deadpool::managed::Object::take(db::conn(pool).await.map_err(|e| describe(&e))?);
    progress.phase("exporting", Unit::Records, None);
    let (sender, mut receiver) = mpsc::channel::<Piece>(CHUNKS_IN_FLIGHT);
    let producing = async {
        let stopped = produce(&mut conn, &filter, &sender, SEND_TIMEOUT, progress).await;
        // The writer sees the end of the channel even if `produce` stopped without a last piece.
        drop(sender);
        stopped
    };
    let writing = async {
        while let Some(piece) = receiver.recv().await {
            match piece {
                Piece::Bytes(bytes) => {
                    output
                        .write(&bytes)
                        .map_err(|e| format!("cannot write the bundle: {e}"))?;
                    progress.add(0, bytes.len() as u64);
                }
                Piece::Failed(error) => return Err(format!("the export failed: {error}")),
                Piece::Done => return Ok(()),
            }
        }
        Err("the export ended before the bundle was whole".to_string())
    };
    // A write error drops the receiver, so `produce` stops at its next hand-on.
    let (_, written) = tokio::join!(producing, writing);
    written?;
    Ok(())
}

/// Exports the bundle the `params` select into `target` (standard output when `None`), showing
/// progress on stderr; a signal ends it with [`Interrupted`].
pub async fn run(
    pool: &DbPool,
    params: ExportParams,
    target: Option<&Path>,
) -> Result<(), BoxError> {
    let filter = Filter::parse(params).map_err(|e| describe(&e))?;
    let mut output = Output::open(target)?;
    let progress = Progress::new("export");
    let outcome = tokio::select! {
        outcome = export(pool, filter, &mut output, &progress) => outcome,
        signal = signal() => Err(Box::new(Interrupted {
            signal,
            outcome: "the export was stopped (an `--output` file is not left behind)",
        }) as BoxError),
    };
    match outcome {
        Ok(()) => {
            output.finish()?;
            progress.finish();
            Ok(())
        }
        Err(error) => {
            output.discard();
            Err(error)
        }
    }
}

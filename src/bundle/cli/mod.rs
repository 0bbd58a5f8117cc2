//! `ogp-api import` and `ogp-api export`: bundles between a file (or standard input / output)
//! and the database, through the same import (`super::apply`) and export
//! (`super::export::produce`) as the HTTP endpoints, with a progress display (`progress`).
//! The CLI is trusted like the database it connects to: it is not bound by the HTTP import
//! limit, and it may prune. SIGINT or SIGTERM ends either command at once: an import's one
//! transaction is never committed, an export leaves no partial `--output` file.

pub mod export;
pub mod import;
pub mod progress;

use crate::error::ApiError;
use std::fmt;

/// A command ended by a signal before it finished; nothing was written.
#[derive(Debug)]
pub struct Interrupted {
    /// `SIGINT` or `SIGTERM`.
    pub signal: &'static str,
    /// What became of the work, for the message.
    pub outcome: &'static str,
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted by {}: {}", self.signal, self.outcome)
    }
}

impl std::error::Error for Interrupted {}

/// Waits for SIGINT (Ctrl-C) or SIGTERM; answers which. Installing the handlers makes the
/// signals reach this future instead of killing the process, so the command can clean up.
pub async fn signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let terminate = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    match (terminate, interrupt) {
        (Ok(mut terminate), Ok(mut interrupt)) => tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        },
        // Without handlers the default action (ending the process) stays: never resolve.
        _ => std::future::pending().await,
    }
}

/// An import's or export's error as lines for a terminal: the problem, then each invalid field
/// at its JSON pointer into the bundle (`/commitments/12/title: is required`).
pub fn describe(error: &ApiError) -> String {
    let mut out = error.to_string();
    for field in &error.errors {
        let place = field.pointer.as_deref().unwrap_or(&field.field);
        let place = if place.is_empty() { "/" } else { place };
        out.push_str(&format!("\n  {place}: {}", field.message));
    }
    out
}

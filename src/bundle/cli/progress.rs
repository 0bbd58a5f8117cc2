//! How far an import or export has come, told to the person waiting: on a terminal (stderr is a
//! TTY) an `indicatif` bar with records or bytes, rate and ETA; otherwise (a log file, a CI job)
//! a plain log line when a phase starts, every few seconds while it runs, and at its end, so
//! logs are not flooded with redraws.

use crate::bundle::apply::ImportProgress;
use crate::bundle::export::ExportProgress;
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the plain (non-terminal) form logs a line while a phase runs.
const LOG_EVERY: Duration = Duration::from_secs(3);

/// What a phase counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes read or written.
    Bytes,
    /// Records checked, written or exported.
    Records,
}

/// The current phase and its counters.
struct State {
    phase: &'static str,
    unit: Unit,
    /// Position in the phase's unit.
    done: u64,
    total: Option<u64>,
    /// Bytes, counted alongside records (export) or as the phase's unit (reading).
    bytes: u64,
    started: Instant,
    last_line: Instant,
}

/// The progress of one command (`import` or `export`), drawn or logged.
pub struct Progress {
    verb: &'static str,
    bar: Option<ProgressBar>,
    state: Mutex<State>,
}

impl Progress {
    /// A bar when stderr is a terminal, else plain log lines.
    pub fn new(verb: &'static str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            // Until the first phase: no bar yet, only what is going on.
            if let Ok(waiting) = ProgressStyle::with_template("{prefix}: {msg}") {
                bar.set_style(waiting);
            }
            bar.set_prefix(verb);
            bar.set_message("starting");
            bar
        });
        let now = Instant::now();
        Self {
            verb,
            bar,
            state: Mutex::new(State {
                phase: "starting",
                unit: Unit::Records,
                done: 0,
                total: None,
                bytes: 0,
                started: now,
                last_line: now,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere while holding it leaves only counters behind: keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the phase `phase` (`reading`, `checking`, `writing`, `exporting`), counting
    /// `unit`s up to `total` when it is known.
    pub fn phase(&self, phase: &'static str, unit: Unit, total: Option<u64>) {
        let mut state = self.state();
        if state.phase != "starting" && state.phase != phase {
            self.end_line(&state);
        }
        let now = Instant::now();
        *state = State {
            phase,
            unit,
            done: 0,
            total,
            bytes: state.bytes,
            started: now,
            last_line: now,
        };
        if let Some(bar) = &self.bar {
            match total {
                Some(total) => bar.set_length(total),
                None => bar.unset_length(),
            }
            bar.reset();
            bar.set_style(style(unit, total.is_some()));
            bar.set_message(phase);
        } else {
            let total = total.map_or(String::new(), |t| format!(" {}", amount(unit, t)));
            log::info!("{}: {phase}{total}", self.verb);
        }
    }

    /// The phase's position is now `done`.
    pub fn set(&self, done: u64) {
        let mut state = self.state();
        state.done = done;
        if state.unit == Unit::Bytes {
            state.bytes = done;
        }
        self.show(&mut state);
    }

    /// `records` more records and `bytes` more bytes (an export counts both).
    pub fn add(&self, records: u64, bytes: u64) {
        let mut state = self.state();
        state.bytes += bytes;
        state.done += match state.unit {
            Unit::Records => records,
            Unit::Bytes => bytes,
        };
        self.show(&mut state);
    }

    fn show(&self, state: &mut State) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(state.done);
                if state.unit == Unit::Records && state.total.is_none() {
                    bar.set_message(format!("{}, {}", state.phase, HumanBytes(state.bytes)));
                }
            }
            None => {
                if state.last_line.elapsed() >= LOG_EVERY {
                    state.last_line = Instant::now();
                    log::info!("{}: {} {}", self.verb, state.phase, line(state));
                }
            }
        }
    }

    fn end_line(&self, state: &State) {
        if self.bar.is_none() {
            log::info!("{}: {} done: {}", self.verb, state.phase, line(state));
        }
    }

    /// Ends the display (the bar is cleared; the plain form logs the last phase's totals).
    pub fn finish(&self) {
        let state = self.state();
        match &self.bar {
            Some(bar) => bar.finish_and_clear(),
            None => self.end_line(&state),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // An interrupted or failed command leaves no half-drawn bar behind its message.
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ImportProgress for Progress {
    fn outlining(&self, bytes: u64, total: Option<u64>) {
        if bytes == 0 {
            self.phase("reading", Unit::Bytes, total);
        } else {
            self.set(bytes);
        }
    }

    fn started(&self, total: u64) {
        self.phase("writing", Unit::Records, Some(total));
    }

    fn advanced(&self, records: u64, bytes: u64) {
        self.add(records, bytes);
    }
}

impl ExportProgress for Progress {
    fn record(&self) {
        self.add(1, 0);
    }
}

/// The bar's look for a phase counting `unit`, with or without a known total.
fn style(unit: Unit, bounded: bool) -> ProgressStyle {
    let template = match (unit, bounded) {
        (Unit::Bytes, true) => {
            "{prefix}: {msg} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
        }
        (Unit::Bytes, false) => "{prefix}: {spinner} {msg} {bytes} {binary_bytes_per_sec}",
        (Unit::Records, true) => {
            "{prefix}: {msg} [{wide_bar}] {human_pos}/{human_len} records {rate} ETA {eta}"
        }
        (Unit::Records, false) => "{prefix}: {spinner} {human_pos} records {rate} ({msg})",
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
        // indicatif's `{per_sec}` prints four decimals; whole records per second suffice.
        .with_key(
            "rate",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0} records/s", state.per_sec());
            },
        )
}

/// `n` in `unit`, for a log line.
fn amount(unit: Unit, n: u64) -> String {
    match unit {
        Unit::Bytes => HumanBytes(n).to_string(),
        Unit::Records => format!("{n} records"),
    }
}

/// A phase's counters, rate and (with a total) percentage, for a log line.
fn line(state: &State) -> String {
    let seconds = state.started.elapsed().as_secs_f64().max(0.001);
    let rate = state.done as f64 / seconds;
    let rate = match state.unit {
        Unit::Bytes => format!("{}/s", HumanBytes(rate as u64)),
        Unit::Records => format!("{rate:.0} records/s"),
    };
    let position = match state.total {
        Some(total) if total > 0 => {
            let done = match state.unit {
                Unit::Bytes => HumanBytes(state.done).to_string(),
                Unit::Records => state.done.to_string(),
            };
            format!(
                "{done}/{} ({:.0}%)",
                amount(state.unit, total),
                state.done as f64 * 100.0 / total as f64
            )
        }
        _ => amount(state.unit, state.done),
    };
    let bytes = match state.unit {
        Unit::Records if state.bytes > 0 => format!(", {}", HumanBytes(state.bytes)),
        _ => String::new(),
    };
    format!("{position}{bytes}, {rate}")
}

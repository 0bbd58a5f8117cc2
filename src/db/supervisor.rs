//! Supervision of the embedded cluster: when its postmaster dies (killed, crashed, OOM), the
//! service starts it again instead of answering 503 until a person runs `pg_ctl`.
//!
//! A thread (the checks and `pg_ctl` block) looks every second whether the postmaster is alive
//! (the pid in `postmaster.pid` and `kill(pid, 0)`, no process started). When it is gone, it
//! logs an error and runs `pg_ctl start`, which makes PostgreSQL run crash recovery. Starting
//! can fail for a while (processes of the dead server still hold its shared memory until they
//! notice their postmaster is gone), so it retries with a doubling pause, up to 30 s. The pool
//! needs no help: it opens new connections once the server answers again.
//!
//! Only a cluster this process started is supervised: one found already running belongs to
//! whoever started it (another `ogp-api serve` on the same folder would supervise it too, and
//! two supervisors would race to restart it).

use super::embedded::EmbeddedPostgres;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the postmaster is checked.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// First pause after a failed start; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Longest pause between two attempts to start the server.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The running supervisor; [`Supervisor::stop`] ends it before the cluster is stopped.
pub struct Supervisor {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Supervisor {
    /// Starts watching `cluster` (a clone of the one the service started).
    pub fn start(cluster: EmbeddedPostgres) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("postgres-supervisor".into())
            .spawn(move || watch(cluster, &stopped))?;
        Ok(Self { stop, thread })
    }

    /// Stops watching and waits for the thread, so a restart in progress finishes before the
    /// caller stops the cluster (shutting down must not race a restart).
    pub fn stop(self) {
        let _ = self.stop.send(());
        if self.thread.join().is_err() {
            log::error!("the PostgreSQL supervisor thread panicked");
        }
    }
}

/// Waits `pause`, or returns `true` at once when asked to stop.
fn stopping(stopped: &mpsc::Receiver<()>, pause: Duration) -> bool {
    !matches!(stopped.recv_timeout(pause), Err(RecvTimeoutError::Timeout))
}

fn watch(mut cluster: EmbeddedPostgres, stopped: &mpsc::Receiver<()>) {
    while !stopping(stopped, CHECK_EVERY) {
        if cluster.postmaster_alive() {
            continue;
        }
        log::error!(
            "the embedded PostgreSQL server (pid {}) is gone; starting it again (crash recovery)",
            cluster
                .postmaster_pid()
                .map_or("unknown".to_string(), |pid| pid.to_string())
        );
        let mut backoff = FIRST_BACKOFF;
        loop {
            match cluster.restart_after_crash() {
                Ok(()) => {
                    log::warn!(
                        "the embedded PostgreSQL server runs again (pid {})",
                        cluster
                            .postmaster_pid()
                            .map_or("unknown".to_string(), |pid| pid.to_string())
                    );
                    break;
                }
                Err(e) => {
                    log::error!(
                        "starting the embedded PostgreSQL server failed; retrying in {backoff:?}: {e}"
                    );
                    if stopping(stopped, backoff) {
                        return;
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    // Someone (an operator) may have started it meanwhile.
                    if cluster.postmaster_alive() {
                        break;
                    }
                }
            }
        }
    }
}

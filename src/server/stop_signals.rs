//! The signals that stop `ogp-api serve` (SIGTERM gracefully; SIGINT and SIGQUIT at once),
//! caught from the moment `serve` starts rather than from the moment the HTTP server first
//! runs: actix-server registers its own handlers only when its future is first polled, after
//! the socket already accepts connections, so a SIGTERM in between took the default action and
//! killed the process (leaving the embedded PostgreSQL running). Here the handlers are
//! installed before the cluster starts; a signal that comes early is remembered and stops the
//! servers as soon as they exist.

use actix_server::ServerHandle;
use tokio::sync::watch;

/// How a signal asks the servers to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM: in-flight requests finish (within the shutdown grace).
    Graceful,
    /// SIGINT (Ctrl-C) or SIGQUIT: stop now.
    Immediate,
}

/// The process's stop signals, watched from [`StopSignals::install`] on.
#[derive(Debug, Clone)]
pub struct StopSignals {
    requested: watch::Receiver<Option<Stop>>,
}

impl StopSignals {
    /// Replaces the default action of SIGTERM, SIGINT and SIGQUIT (which ends the process) with
    /// a handler that records the first of them. Call it inside the runtime, before anything
    /// slow starts.
    pub fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut quit = signal(SignalKind::quit())?;
        let (sender, requested) = watch::channel(None);
        tokio::spawn(async move {
            let stop = tokio::select! {
                _ = terminate.recv() => Stop::Graceful,
                _ = interrupt.recv() => Stop::Immediate,
                _ = quit.recv() => Stop::Immediate,
            };
            log::info!("stop signal received: {stop:?} shutdown");
            // Nobody listening any more means the servers are gone already.
            let _ = sender.send(Some(stop));
        });
        Ok(Self { requested })
    }

    /// Stops `server` when a signal came or comes (at once if one came before this call).
    pub fn stop_on_signal(&self, server: ServerHandle) {
        let mut requested = self.requested.clone();
        tokio::spawn(async move {
            if let Ok(stop) = requested.wait_for(Option::is_some).await.map(|stop| *stop) {
                server.stop(stop == Some(Stop::Graceful)).await;
            }
        });
    }
}

//! The read cache's one connection to the primary: `LISTEN ogp_data_version` for other
//! processes' commits, and a poll of `data_version` every quarter of the staleness bound, which
//! is what lets the cache serve at all ([`super::ReadCache::polled`]).
//!
//! `LISTEN` comes before the first poll, so no commit falls between the two: one committed
//! before the poll is in its answer, one after it is notified.

use super::ReadCache;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// The channel migration `…_data_version_notify` sends each committed version on.
pub const CHANNEL: &str = "ogp_data_version";

/// The listener's `application_name`.
pub const APPLICATION_NAME: &str = "ogp-api read cache";

/// A poll unanswered this long means the connection is lost: connect again.
const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait before connecting again after a failure.
const RECONNECT_AFTER: Duration = Duration::from_millis(250);

/// Starts the listener for `cache` on the primary at `url`, on a thread of its own; it ends
/// when the cache is dropped. Its own thread and runtime, not an actix arbiter's: under a load
/// that keeps the workers' cores busy the polls still run on time (on the main arbiter they
/// were seen more than a second late under 256 connections, and the cache went off).
/// If the thread cannot start, the cache never confirms a version and stays off.
pub fn spawn(cache: &Arc<ReadCache>, url: String) {
    let cache: Weak<ReadCache> = Arc::downgrade(cache);
    let started = std::thread::Builder::new()
        .name("ogp-read-cache".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(runtime) => runtime.block_on(run(cache, url)),
                Err(e) => {
                    log::error!("read cache: no runtime for its listener ({e}); it stays off")
                }
            }
        });
    if let Err(e) = started {
        log::error!("read cache: cannot start its listener thread ({e}); it stays off");
    }
}

/// Listens, and after each failure connects again, until the cache is dropped.
async fn run(cache: Weak<ReadCache>, url: String) {
    loop {
        let error = listen(&cache, &url).await;
        let Some(alive) = cache.upgrade() else {
            return;
        };
        alive.disconnected();
        crate::metrics::read_cache_listener(false);
        log::warn!(
            "read cache: listener lost ({error}); serving from the database until it is back"
        );
        drop(alive);
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// Listens and polls until something fails; returns what failed (or that the cache is gone).
async fn listen(cache: &Weak<ReadCache>, url: &str) -> String {
    let mut conn = match AsyncPgConnection::establish(url).await {
        Ok(conn) => conn,
        Err(e) => return format!("cannot connect: {e}"),
    };
    // Named, so that operators (and the tests) can find it in `pg_stat_activity`.
    for statement in [
        format!("SET application_name = '{APPLICATION_NAME}'"),
        format!("LISTEN {CHANNEL}"),
    ] {
        if let Err(e) = diesel::sql_query(&statement).execute(&mut conn).await {
            return format!("{statement} failed: {e}");
        }
    }
    let Some(poll_every) = cache.upgrade().map(|c| c.max_staleness() / 4) else {
        return "the cache is gone".into();
    };
    let mut next_poll = Instant::now();
    loop {
        let now = Instant::now();
        if now > next_poll + poll_every {
            log::info!(
                "read cache: the listener woke {:?} after its poll was due",
                now - next_poll
            );
        }
        let wait = next_poll.saturating_duration_since(now);
        let notification = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(wait, notifications.next()).await
        };
        let Some(cache) = cache.upgrade() else {
            return "the cache is gone".into();
        };
        match notification {
            Ok(Some(Ok(notification))) => match notification.payload.parse::<i64>() {
                Ok(version) => cache.notified(version),
                Err(_) => log::warn!(
                    "read cache: ignored a notification on {CHANNEL}: {:?}",
                    notification.payload
                ),
            },
            Ok(Some(Err(e))) => return format!("connection failed: {e}"),
            Ok(None) => return "connection closed".into(),
            Err(_elapsed) => {
                let version_at_send = cache.version();
                let sent_at = Instant::now();
                // A slow poll is no failure: it confirms only from when it was sent, so the
                // cache stops serving by itself once the bound has passed. Only a poll that
                // does not answer at all is taken for a lost connection.
                let read =
                    tokio::time::timeout(POLL_TIMEOUT, crate::data_version::current(&mut conn))
                        .await;
                match read {
                    Ok(Ok((version, epoch))) => {
                        let took = sent_at.elapsed();
                        if took > cache.max_staleness() / 4 {
                            log::info!("read cache: a poll took {took:?}");
                        }
                        cache.polled(&epoch, version, version_at_send, sent_at);
                        crate::metrics::read_cache_listener(true);
                    }
                    Ok(Err(e)) => return format!("poll failed: {e}"),
                    Err(_) => return "poll timed out".into(),
                }
                next_poll = sent_at + poll_every;
            }
        }
    }
}

//! The read replica's health and lag, watched by one monitor task per process.
//!
//! Every [`POLL_EVERY`] the monitor samples the primary's `pg_current_wal_lsn()` and the
//! replica's `pg_last_wal_replay_lsn()`. It keeps a short queue of `(time, primary LSN)` samples
//! and drops those the replica has replayed; the replica's staleness is the age of the oldest
//! sample it has not replayed yet (0 when it has caught up). That measure needs no writes on the
//! primary (an idle primary's LSN stands still, so every sample is replayed at once) and keeps
//! growing while the replica is disconnected or its replay is paused.
//!
//! Reads use the replica only while it answers and is at most `OGP_READ_MAX_LAG_MS` behind;
//! otherwise they go to the primary (see [`crate::db::read`]). The monitor also remembers, per
//! client, when it last wrote, so that client reads the primary until the replica has replayed
//! a primary LSN sampled after that write (read-your-writes).

use super::DbPool;
use diesel::sql_types::{BigInt, Bool, Nullable};
use diesel_async::RunQueryDsl;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// How often the replica is checked.
pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// A probe that takes longer counts as failed: the replica is down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// A verdict older than this is not trusted (the monitor is stuck or not running): reads go to
/// the primary.
const VERDICT_TTL: Duration = Duration::from_secs(3);
/// A remembered write is forgotten this long after the lag bound: by then a replica within the
/// bound has replayed it (the margin covers a poll and two probe timeouts).
const WRITE_MEMORY_MARGIN: Duration = Duration::from_secs(5);
/// Most samples kept; beyond, the newest sample takes the newest LSN and keeps its (older)
/// time, which can only overstate the lag, never understate it.
const MAX_SAMPLES: usize = 1024;

/// The replica as the readiness check and the metrics report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// No replica is configured.
    None,
    /// It answers and is within the lag bound: reads go there.
    Up,
    /// It answers but is further behind than the bound: reads go to the primary.
    Lagging,
    /// It does not answer (or has not been checked yet): reads go to the primary.
    Down,
}

impl ReplicaState {
    /// The name used in `/readyz`.
    /// The states a configured replica can be in, as metric labels.
    pub const LABELS: [&'static str; 3] = ["up", "lagging", "down"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Up => "up",
            Self::Lagging => "lagging",
            Self::Down => "down",
        }
    }
}

/// What one poll saw of the replica.
#[derive(Debug, Clone, Copy)]
pub enum ReplicaProbe {
    /// It did not answer within the probe timeout, or failed.
    Unreachable,
    /// It is not in recovery (a standalone server, e.g. the primary itself): always current.
    NotInRecovery,
    /// It has replayed the WAL up to this LSN.
    Replayed(i64),
}

/// The lag bookkeeping, kept apart from the I/O so it can be tested alone.
#[derive(Debug, Default)]
pub struct LagTracker {
    /// Primary LSNs not yet replayed, oldest first, with when they were sampled.
    samples: VecDeque<(Instant, i64)>,
    /// When the newest primary sample the replica has replayed was taken.
    replayed_through: Option<Instant>,
    /// Whether the last probe reached the replica.
    reachable: bool,
    /// When the last poll finished.
    checked_at: Option<Instant>,
}

impl LagTracker {
    /// Records one poll at `now`: the primary's LSN (if it answered), then the replica's probe.
    pub fn record(&mut self, now: Instant, primary: Option<i64>, replica: ReplicaProbe) {
        if let Some(lsn) = primary {
            if self.samples.len() >= MAX_SAMPLES {
                if let Some(last) = self.samples.back_mut() {
                    last.1 = last.1.max(lsn);
                }
            } else {
                self.samples.push_back((now, lsn));
            }
        }
        self.checked_at = Some(now);
        match replica {
            ReplicaProbe::Unreachable => self.reachable = false,
            ReplicaProbe::NotInRecovery => {
                self.reachable = true;
                self.samples.clear();
                self.replayed_through = Some(now);
            }
            ReplicaProbe::Replayed(replayed) => {
                self.reachable = true;
                while let Some(&(sampled, lsn)) = self.samples.front() {
                    if lsn > replayed {
                        break;
                    }
                    self.samples.pop_front();
                    self.replayed_through =
                        Some(self.replayed_through.map_or(sampled, |t| t.max(sampled)));
                }
            }
        }
    }

    /// Marks the replica unreachable (a request could not get a connection to it).
    pub fn mark_down(&mut self) {
        self.reachable = false;
    }

    /// How far behind the replica is at `now`: the age of the oldest unreplayed sample.
    pub fn lag(&self, now: Instant) -> Duration {
        self.samples.front().map_or(Duration::ZERO, |(sampled, _)| {
            now.saturating_duration_since(*sampled)
        })
    }

    /// The replica's state at `now` under the lag bound `max_lag`.
    pub fn state(&self, now: Instant, max_lag: Duration) -> ReplicaState {
        let fresh = self
            .checked_at
            .is_some_and(|at| now.saturating_duration_since(at) <= VERDICT_TTL);
        if !self.reachable || !fresh {
            ReplicaState::Down
        } else if self.lag(now) > max_lag {
            ReplicaState::Lagging
        } else {
            ReplicaState::Up
        }
    }

    /// Whether the replica has replayed a primary LSN sampled after `instant`.
    pub fn has_replayed_after(&self, instant: Instant) -> bool {
        self.replayed_through.is_some_and(|t| t > instant)
    }
}

/// The monitor: one per process, shared (`Arc`) by every worker's app.
pub struct ReplicaMonitor {
    primary: DbPool,
    replica: DbPool,
    max_lag: Duration,
    tracker: Mutex<LagTracker>,
    /// Per client (see [`crate::db::read`]), when its last successful write answered.
    writes: Mutex<HashMap<String, Instant>>,
}

#[derive(diesel::QueryableByName)]
struct PrimaryLsn {
    #[diesel(sql_type = BigInt)]
    lsn: i64,
}

#[derive(diesel::QueryableByName)]
struct ReplayLsn {
    #[diesel(sql_type = Bool)]
    recovering: bool,
    #[diesel(sql_type = Nullable<BigInt>)]
    replayed: Option<i64>,
}

impl ReplicaMonitor {
    /// A monitor of `replica` against `primary`, with reads allowed on the replica while it is
    /// at most `max_lag` behind. Call [`ReplicaMonitor::spawn`] to start polling.
    pub fn new(primary: DbPool, replica: DbPool, max_lag: Duration) -> Arc<Self> {
        Arc::new(Self {
            primary,
            replica,
            max_lag,
            tracker: Mutex::new(LagTracker::default()),
            writes: Mutex::new(HashMap::new()),
        })
    }

    /// Starts the polling task on the current runtime. It holds only a weak reference, so it
    /// ends when the last app using the monitor is gone.
    pub fn spawn(self: &Arc<Self>) {
        let monitor: Weak<Self> = Arc::downgrade(self);
        actix_web::rt::spawn(async move {
            let mut ticks = tokio::time::interval(POLL_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(monitor) = monitor.upgrade() else {
                    return;
                };
                monitor.poll().await;
            }
        });
    }

    /// The replica's pool.
    pub fn replica_pool(&self) -> &DbPool {
        &self.replica
    }

    fn tracker(&self) -> std::sync::MutexGuard<'_, LagTracker> {
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn writes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.writes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One poll: sample the primary first, then the replica (so an idle primary's sample is
    /// already replayed when the replica answers).
    pub async fn poll(&self) {
        // The primary's position is recorded with the time it was read, before either probe:
        // a write answered while the replica probe runs is then never taken as replayed on the
        // strength of this (older) sample.
        let sampled_at = Instant::now();
        let primary = probe(
            &self.primary,
            "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS lsn",
        )
        .await
        .map(|row: PrimaryLsn| row.lsn)
        .ok();
        let replica = match probe(
            &self.replica,
            "SELECT pg_is_in_recovery() AS recovering, \
             (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS replayed",
        )
        .await
        {
            Err(e) => {
                log::debug!("replica probe failed: {e}");
                ReplicaProbe::Unreachable
            }
            Ok(ReplayLsn {
                recovering: false, ..
            }) => ReplicaProbe::NotInRecovery,
            Ok(ReplayLsn { replayed, .. }) => ReplicaProbe::Replayed(replayed.unwrap_or(0)),
        };
        let now = Instant::now();
        let (before, after, lag) = {
            let mut tracker = self.tracker();
            let before = tracker.state(now, self.max_lag);
            tracker.record(sampled_at, primary, replica);
            (before, tracker.state(now, self.max_lag), tracker.lag(now))
        };
        if after != before {
            match after {
                ReplicaState::Up => log::info!("read replica is up: reads go to it"),
                state => log::warn!(
                    "read replica is {} (lag {} ms): reads go to the primary",
                    state.as_str(),
                    lag.as_millis()
                ),
            }
        }
        if after == ReplicaState::Down {
            // Idle connections to a replica that went away are dead: drop them now rather than
            // hand them to requests once it is back.
            self.replica.retain(|_, _| false);
        }
        crate::metrics::replica(&ReplicaState::LABELS, after.as_str(), lag);
        self.forget_old_writes(now);
    }

    /// The replica's state now, and its lag in milliseconds when it answers.
    pub fn state(&self) -> (ReplicaState, Option<u64>) {
        let now = Instant::now();
        let tracker = self.tracker();
        let state = tracker.state(now, self.max_lag);
        let lag = (state != ReplicaState::Down)
            .then(|| u64::try_from(tracker.lag(now).as_millis()).unwrap_or(u64::MAX));
        (state, lag)
    }

    /// Whether `client`'s read may go to the replica: it is up, within the bound, and has
    /// replayed the client's last write.
    pub fn serves(&self, client: &str) -> bool {
        let now = Instant::now();
        let written = self.writes().get(client).copied();
        let tracker = self.tracker();
        tracker.state(now, self.max_lag) == ReplicaState::Up
            && written
                .is_none_or(|at| tracker.has_replayed_after(at) || self.write_forgotten(at, now))
    }

    /// Remembers that `client`'s write was just answered.
    pub fn remember_write(&self, client: String) {
        let now = Instant::now();
        let mut writes = self.writes();
        writes.insert(client, now);
    }

    /// A request could not get a replica connection: reads go to the primary until the next
    /// poll reaches the replica again.
    pub fn mark_down(&self) {
        self.tracker().mark_down();
    }

    fn write_forgotten(&self, at: Instant, now: Instant) -> bool {
        now.saturating_duration_since(at) > self.max_lag + WRITE_MEMORY_MARGIN
    }

    /// Drops remembered writes the replica has replayed or that are older than the memory
    /// window, which keeps the map as small as the set of recent writers.
    fn forget_old_writes(&self, now: Instant) {
        let tracker = self.tracker();
        self.writes()
            .retain(|_, at| !tracker.has_replayed_after(*at) && !self.write_forgotten(*at, now));
    }
}

/// Runs `sql` on a connection from `pool`, all within [`PROBE_TIMEOUT`].
async fn probe<T>(pool: &DbPool, sql: &'static str) -> Result<T, String>
where
    T: diesel::QueryableByName<diesel::pg::Pg> + Send + 'static,
{
    let work = async {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        diesel::sql_query(sql)
            .get_result::<T>(&mut conn)
            .await
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(PROBE_TIMEOUT, work)
        .await
        .map_err(|_| format!("no answer within {PROBE_TIMEOUT:?}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUND: Duration = Duration::from_secs(5);

    #[test]
    fn unchecked_is_down_and_an_idle_primary_is_caught_up() {
        let t0 = Instant::now();
        let mut tracker = LagTracker::default();
        assert_eq!(tracker.state(t0, BOUND), ReplicaState::Down);
        tracker.record(t0, Some(100), ReplicaProbe::Replayed(100));
        assert_eq!(tracker.state(t0, BOUND), ReplicaState::Up);
        assert_eq!(tracker.lag(t0 + Duration::from_secs(1)), Duration::ZERO);
    }

    #[test]
    fn lag_is_the_age_of_the_oldest_unreplayed_sample() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut tracker = LagTracker::default();
        tracker.record(t0, Some(100), ReplicaProbe::Replayed(90));
        tracker.record(t0 + s(2), Some(200), ReplicaProbe::Replayed(90));
        assert_eq!(tracker.lag(t0 + s(2)), s(2));
        assert_eq!(tracker.state(t0 + s(2), BOUND), ReplicaState::Up);
        // Replay paused: the lag keeps growing although the primary is idle.
        tracker.record(t0 + s(6), Some(200), ReplicaProbe::Replayed(90));
        assert_eq!(tracker.state(t0 + s(6), BOUND), ReplicaState::Lagging);
        // It replays the first sample: the lag is now that of the second.
        tracker.record(t0 + s(7), Some(200), ReplicaProbe::Replayed(150));
        assert_eq!(tracker.lag(t0 + s(7)), s(5));
        tracker.record(t0 + s(8), Some(200), ReplicaProbe::Replayed(200));
        assert_eq!(tracker.lag(t0 + s(8)), Duration::ZERO);
        assert_eq!(tracker.state(t0 + s(8), BOUND), ReplicaState::Up);
    }

    #[test]
    fn unreachable_or_stale_verdicts_are_down_and_lag_survives_an_outage() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut tracker = LagTracker::default();
        tracker.record(t0, Some(100), ReplicaProbe::Replayed(100));
        assert_eq!(tracker.state(t0 + s(4), BOUND), ReplicaState::Down, "stale");
        tracker.record(t0 + s(1), Some(300), ReplicaProbe::Unreachable);
        assert_eq!(tracker.state(t0 + s(1), BOUND), ReplicaState::Down);
        // Back after 9 s, but behind: lagging, not up.
        tracker.record(t0 + s(10), Some(300), ReplicaProbe::Replayed(200));
        assert_eq!(tracker.state(t0 + s(10), BOUND), ReplicaState::Lagging);
    }

    #[test]
    fn read_your_writes_needs_a_sample_taken_after_the_write() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut tracker = LagTracker::default();
        tracker.record(t0, Some(100), ReplicaProbe::Replayed(100));
        let write = t0 + ms(100);
        assert!(!tracker.has_replayed_after(write));
        tracker.record(t0 + ms(250), Some(180), ReplicaProbe::Replayed(100));
        assert!(!tracker.has_replayed_after(write), "not replayed yet");
        tracker.record(t0 + ms(500), Some(180), ReplicaProbe::Replayed(180));
        assert!(tracker.has_replayed_after(write));
    }

    #[test]
    fn the_sample_queue_is_bounded_without_understating_the_lag() {
        let t0 = Instant::now();
        let mut tracker = LagTracker::default();
        for i in 0..(MAX_SAMPLES as u64 + 50) {
            let lsn = i64::try_from(i).unwrap() + 1;
            tracker.record(
                t0 + Duration::from_millis(i),
                Some(lsn),
                ReplicaProbe::Unreachable,
            );
        }
        assert_eq!(tracker.samples.len(), MAX_SAMPLES);
        let now = t0 + Duration::from_secs(10);
        // Replayed up to the second-to-last kept sample: the last keeps its older time.
        tracker.record(
            now,
            None,
            ReplicaProbe::Replayed(i64::try_from(MAX_SAMPLES).unwrap() - 1),
        );
        assert_eq!(tracker.samples.len(), 1);
        assert!(tracker.lag(now) >= now - (t0 + Duration::from_millis(MAX_SAMPLES as u64 - 1)));
    }

    #[test]
    fn a_standalone_server_is_always_current() {
        let t0 = Instant::now();
        let mut tracker = LagTracker::default();
        tracker.record(t0, Some(100), ReplicaProbe::NotInRecovery);
        assert_eq!(tracker.state(t0, BOUND), ReplicaState::Up);
        assert!(tracker.has_replayed_after(t0 - Duration::from_millis(1)));
    }
}

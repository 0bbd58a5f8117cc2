//! The read cache (issue 16): whole 200 answers of data GETs kept in memory and answered again
//! without touching PostgreSQL while the data has not changed.
//!
//! Correctness rests on the data version (migration `…_data_version`): every committed change
//! moves it forward, and commits are ordered by it. The cache knows a **current version** and
//! holds only answers computed while it was current; when it moves, every entry goes (any write
//! changes every data ETag too, so nothing finer would survive anyway). The current version
//! moves from three sources, always forward (`max`):
//!
//! - this process's own writes: after a write request, before its response leaves, the version
//!   is read from the primary ([`middleware`]), so the client that wrote reads its write;
//! - `NOTIFY ogp_data_version` from every committing writer (migration `…_data_version_notify`),
//!   heard by one `LISTEN`ing connection ([`listener`]): other processes' writes within
//!   milliseconds;
//! - a poll of `data_version` on that connection every quarter of the staleness bound.
//!
//! The poll is what bounds staleness when notifications are lost (a dead connection, a
//! partition): an answer is served from memory only while the last successful poll was
//! **sent** less than `max_staleness` ago. That poll saw every commit made before it was sent,
//! so a cached answer never misses a commit older than `max_staleness`. When the listener's
//! connection fails the cache is off at once, until a poll succeeds again.
//!
//! An answer computed at current version `v` may already show a later commit (the commit's
//! notification had not arrived yet); it is stored under `v` and dropped when `v` moves: newer
//! than its label, never older. Reads that may go to a replica are not cached (the replica may
//! be behind `v`): the cache is on only without `DATABASE_READ_URL`.
//!
//! Memory: the entries' bodies are counted against `budget` bytes; an answer that does not fit
//! is served and not kept. docs/design-notes.md, "The read cache", has the reasoning.

pub mod encoded;
pub mod flight;
pub mod listener;
pub mod middleware;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// One cached 200: its headers as the handler set them and its body.
#[derive(Debug)]
pub struct Entry {
    /// The handler's headers (`ETag`, `Cache-Control`, `Vary`, `Link`, `Content-Type`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The `ETag` among them, for `If-None-Match`.
    pub etag: String,
    pub body: Bytes,
    /// Its compressed forms, made on the first request that asks for each.
    pub encoded: encoded::Encoded,
}

impl Entry {
    /// What the entry counts against the budget: its body, headers and key, and half the
    /// body again for the compressed forms it may make later (JSON compresses 4-7x, so both
    /// together stay below that).
    fn cost(&self, key: &str) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 32)
            .sum();
        self.body.len() + self.body.len() / 2 + headers + key.len() + 128
    }
}

/// What [`ReadCache::lookup`] found.
#[derive(Debug)]
pub enum Lookup {
    /// The answer, current.
    Hit(Arc<Entry>),
    /// Not cached: an answer computed now may be stored with this generation.
    Miss(Generation),
    /// The cache cannot vouch for anything now (no confirmed version within the bound).
    Off,
}

/// Which contents of the cache a miss belongs to: an answer is stored only if the cache has not
/// moved on (new version, new epoch) since the miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64);

/// What a store did, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Yes,
    /// The version moved while the answer was computed: it may be older than current.
    Outdated,
    /// It would exceed the budget.
    Full,
}

#[derive(Debug, Default)]
struct State {
    /// The database's epoch (`data_version.epoch`): `None` until the first poll.
    epoch: Option<String>,
    version: i64,
    generation: u64,
    /// When the last successful poll was sent; `None` while the listener is down.
    confirmed_at: Option<Instant>,
    entries: HashMap<Box<str>, Arc<Entry>>,
    bytes: usize,
}

impl State {
    fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.generation += 1;
        crate::metrics::read_cache_bytes(0);
    }

    fn advance(&mut self, version: i64) {
        if version > self.version {
            self.version = version;
            self.clear();
        }
    }

    fn reset(&mut self, epoch: &str, version: i64) {
        self.epoch = Some(epoch.to_string());
        self.version = version;
        self.clear();
    }
}

/// The process's read cache (one, shared by every worker through an `Arc`).
#[derive(Debug)]
pub struct ReadCache {
    budget: usize,
    max_staleness: Duration,
    state: RwLock<State>,
    flights: flight::Flights,
}

impl ReadCache {
    /// An empty cache keeping at most `budget` bytes, serving while the version was confirmed
    /// less than `max_staleness` ago. It serves nothing until [`listener`] confirms a version.
    pub fn new(budget: usize, max_staleness: Duration) -> Arc<Self> {
        Arc::new(Self {
            budget,
            max_staleness,
            state: RwLock::new(State::default()),
            flights: flight::Flights::default(),
        })
    }

    /// Whether the cache can serve now (a version confirmed within the bound).
    pub fn serving(&self) -> bool {
        !matches!(self.lookup("", Instant::now()), Lookup::Off)
    }

    /// The staleness bound across processes.
    pub fn max_staleness(&self) -> Duration {
        self.max_staleness
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached answer under `key`, if the cache can vouch for it at `now`.
    pub fn lookup(&self, key: &str, now: Instant) -> Lookup {
        let state = self.read();
        let confirmed = state
            .confirmed_at
            .is_some_and(|at| now.saturating_duration_since(at) < self.max_staleness);
        if !confirmed || state.epoch.is_none() {
            return Lookup::Off;
        }
        match state.entries.get(key) {
            Some(entry) => Lookup::Hit(entry.clone()),
            None => Lookup::Miss(Generation(state.generation)),
        }
    }

    /// After a [`Lookup::Miss`] at `generation`: lead the computation of `key`, or wait for the
    /// one already running ([`flight`]).
    pub fn join(&self, key: &str, generation: Generation) -> flight::Flight<'_> {
        self.flights.join(key, generation)
    }

    /// Keeps `entry` under `key` if the cache is still at the miss's `generation` and it fits.
    pub fn store(&self, key: &str, generation: Generation, entry: Entry) -> Stored {
        let cost = entry.cost(key);
        let mut state = self.write();
        if state.generation != generation.0 {
            return Stored::Outdated;
        }
        let replaced = state.entries.get(key).map_or(0, |old| old.cost(key));
        let bytes = state.bytes - replaced + cost;
        if bytes > self.budget {
            return Stored::Full;
        }
        state.entries.insert(key.into(), Arc::new(entry));
        state.bytes = bytes;
        crate::metrics::read_cache_bytes(bytes);
        Stored::Yes
    }

    /// A commit at `version` was announced (`NOTIFY`): older answers go. Notifications arrive
    /// in commit order, but one may trail a version already learned otherwise; it then changes
    /// nothing.
    pub fn notified(&self, version: i64) {
        if version > self.read().version {
            self.write().advance(version);
        }
    }

    /// This process committed a write; the database is now at `version` of `epoch` (read
    /// after the commit).
    pub fn wrote(&self, epoch: &str, version: i64) {
        let mut state = self.write();
        if state.epoch.as_deref() != Some(epoch) {
            state.reset(epoch, version);
        } else {
            state.advance(version);
        }
    }

    /// The version the cache holds now, to compare a poll's answer with ([`Self::polled`]).
    pub fn version(&self) -> i64 {
        self.read().version
    }

    /// A poll sent at `sent_at`, when the cache held `version_at_send`, saw `version` of
    /// `epoch`. It confirms everything committed before `sent_at`. A version below what was
    /// known before the poll was sent means the database went back (a restore): start over.
    pub fn polled(&self, epoch: &str, version: i64, version_at_send: i64, sent_at: Instant) {
        let mut state = self.write();
        if state.epoch.as_deref() != Some(epoch) || version < version_at_send {
            state.reset(epoch, version);
        } else {
            state.advance(version);
        }
        if state.confirmed_at.is_none_or(|at| at < sent_at) {
            state.confirmed_at = Some(sent_at);
        }
    }

    /// The listener lost its connection (notifications may be missed): serve nothing until a
    /// poll confirms a version again.
    pub fn disconnected(&self) {
        let mut state = self.write();
        state.confirmed_at = None;
        state.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header;

    const BOUND: Duration = Duration::from_secs(1);

    fn entry(body: &'static str) -> Entry {
        Entry {
            headers: vec![(header::ETAG, HeaderValue::from_static("\"1\""))],
            etag: "\"1\"".into(),
            body: Bytes::from_static(body.as_bytes()),
            encoded: Default::default(),
        }
    }

    fn miss(cache: &ReadCache, key: &str, now: Instant) -> Generation {
        match cache.lookup(key, now) {
            Lookup::Miss(generation) => generation,
            other => panic!("expected a miss, got {other:?}"),
        }
    }

    fn confirmed(budget: usize) -> (Arc<ReadCache>, Instant) {
        let cache = ReadCache::new(budget, BOUND);
        let now = Instant::now();
        cache.polled("e", 5, 0, now);
        (cache, now)
    }

    #[test]
    fn nothing_is_served_before_a_poll_confirms_a_version() {
        let cache = ReadCache::new(1 << 20, BOUND);
        assert!(matches!(cache.lookup("k", Instant::now()), Lookup::Off));
    }

    #[test]
    fn an_answer_is_served_until_the_version_moves() {
        let (cache, now) = confirmed(1 << 20);
        let generation = miss(&cache, "k", now);
        assert_eq!(cache.store("k", generation, entry("a")), Stored::Yes);
        assert!(matches!(cache.lookup("k", now), Lookup::Hit(e) if e.body == "a"));
        cache.notified(5);
        assert!(matches!(cache.lookup("k", now), Lookup::Hit(_)));
        cache.notified(6);
        miss(&cache, "k", now);
    }

    #[test]
    fn an_answer_computed_before_the_version_moved_is_not_kept() {
        let (cache, now) = confirmed(1 << 20);
        let generation = miss(&cache, "k", now);
        cache.wrote("e", 6);
        assert_eq!(cache.store("k", generation, entry("a")), Stored::Outdated);
        miss(&cache, "k", now);
    }

    #[test]
    fn a_late_notification_of_an_older_commit_changes_nothing() {
        let (cache, now) = confirmed(1 << 20);
        cache.wrote("e", 9);
        let generation = miss(&cache, "k", now);
        cache.store("k", generation, entry("a"));
        cache.notified(7);
        assert_eq!(cache.version(), 9);
        assert!(matches!(cache.lookup("k", now), Lookup::Hit(_)));
    }

    #[test]
    fn the_cache_is_off_once_the_last_poll_is_older_than_the_bound() {
        let (cache, now) = confirmed(1 << 20);
        let generation = miss(&cache, "k", now);
        cache.store("k", generation, entry("a"));
        assert!(matches!(cache.lookup("k", now + BOUND / 2), Lookup::Hit(_)));
        assert!(matches!(cache.lookup("k", now + BOUND), Lookup::Off));
        cache.polled("e", 5, 5, now + BOUND);
        assert!(matches!(
            cache.lookup("k", now + BOUND + BOUND / 2),
            Lookup::Hit(_)
        ));
    }

    #[test]
    fn a_lost_listener_turns_the_cache_off_and_empties_it() {
        let (cache, now) = confirmed(1 << 20);
        let generation = miss(&cache, "k", now);
        cache.store("k", generation, entry("a"));
        cache.disconnected();
        assert!(matches!(cache.lookup("k", now), Lookup::Off));
        cache.polled("e", 5, 5, now);
        miss(&cache, "k", now);
    }

    #[test]
    fn a_new_epoch_or_a_version_going_back_starts_over() {
        let (cache, now) = confirmed(1 << 20);
        let generation = miss(&cache, "k", now);
        cache.store("k", generation, entry("a"));
        cache.polled("other", 5, 5, now);
        miss(&cache, "k", now);
        let generation = miss(&cache, "k", now);
        cache.store("k", generation, entry("a"));
        cache.polled("other", 3, 5, now);
        assert_eq!(cache.version(), 3);
        miss(&cache, "k", now);
    }

    #[test]
    fn answers_beyond_the_budget_are_not_kept() {
        let (cache, now) = confirmed(700);
        let generation = miss(&cache, "a", now);
        assert_eq!(cache.store("a", generation, entry("x")), Stored::Yes);
        let big: &'static str = Box::leak("y".repeat(500).into_boxed_str());
        assert_eq!(cache.store("b", generation, entry(big)), Stored::Full);
        assert!(matches!(cache.lookup("a", now), Lookup::Hit(_)));
        miss(&cache, "b", now);
    }
}

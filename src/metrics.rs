//! Prometheus metrics (`/metrics`): requests by route template and status, a latency
//! histogram, the pool's size / in use / waiting and how long a checkout waited, database errors and statements sent. Through the
//! `prometheus` crate, never hand-formatted. This module only records and encodes: it imports
//! nothing of ours, so anything may record into it; `/metrics` is served by `crate::health`.

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};
use std::sync::LazyLock;

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool: IntGaugeVec,
    pool_wait: HistogramVec,
    database_errors: IntCounter,
    reads: IntCounterVec,
    replica_state: IntGaugeVec,
    replica_lag: Gauge,
    queries: IntCounterVec,
    cache_lookups: IntCounterVec,
    cache_stores: IntCounterVec,
    cache_bytes: IntGauge,
    cache_listener: IntGauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new_custom(Some("ogp_api".to_string()), None).expect("registry");
    let requests = IntCounterVec::new(
        Opts::new(
            "http_requests_total",
            "HTTP requests by method, route template and status",
        ),
        &["method", "route", "status"],
    )
    .expect("metric");
    let latency = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &["method", "route"],
    )
    .expect("metric");
    let pool = IntGaugeVec::new(
        Opts::new(
            "db_pool_connections",
            "Database pool: `size` open, `in_use`, `waiting` requests",
        ),
        &["pool", "state"],
    )
    .expect("metric");
    // From 10 µs (a free connection) to the 2 s default wait timeout: under 256 connections
    // the queue for a pool of 16 is where a request's tail latency goes (bench/README.md).
    let pool_wait = HistogramVec::new(
        HistogramOpts::new(
            "db_pool_wait_seconds",
            "How long taking a connection from the pool waited (timed-out waits included)",
        )
        .buckets(vec![
            0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
        ]),
        &["pool"],
    )
    .expect("metric");
    let database_errors = IntCounter::new(
        "db_errors_total",
        "Requests that failed because the database was unavailable or failed",
    )
    .expect("metric");
    let reads = IntCounterVec::new(
        Opts::new(
            "db_reads_total",
            "Read requests by the database they were sent to (`replica` or `primary`)",
        ),
        &["target"],
    )
    .expect("metric");
    let replica_state = IntGaugeVec::new(
        Opts::new(
            "db_replica_state",
            "The read replica's state as the last poll saw it: 1 for the current state",
        ),
        &["state"],
    )
    .expect("metric");
    let replica_lag = Gauge::new(
        "db_replica_lag_seconds",
        "How far the read replica's replay is behind the primary",
    )
    .expect("metric");
    let queries = IntCounterVec::new(
        Opts::new(
            "db_queries_total",
            "SQL statements sent, by database name (what `include` costs is counted here)",
        ),
        &["database"],
    )
    .expect("metric");
    let cache_lookups = IntCounterVec::new(
        Opts::new(
            "read_cache_lookups_total",
            "Cacheable reads by what the read cache did: `hit` (answered from memory), `miss` \
             (answered by the database), `waited` (answered from memory after waiting for \
             another request computing the same answer) or `off` (no version confirmed within \
             the bound)",
        ),
        &["outcome"],
    )
    .expect("metric");
    let cache_stores = IntCounterVec::new(
        Opts::new(
            "read_cache_stores_total",
            "Answers offered to the read cache: `stored`, `outdated` (the data version moved \
             while it was computed) or `full` (over OGP_READ_CACHE_BYTES)",
        ),
        &["outcome"],
    )
    .expect("metric");
    let cache_bytes = IntGauge::new(
        "read_cache_bytes",
        "What the read cache's entries count against OGP_READ_CACHE_BYTES",
    )
    .expect("metric");
    let cache_listener = IntGauge::new(
        "read_cache_listener_up",
        "1 while the read cache's LISTEN connection polls the data version successfully",
    )
    .expect("metric");
    for collector in [
        Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(latency.clone()),
        Box::new(pool.clone()),
        Box::new(pool_wait.clone()),
        Box::new(database_errors.clone()),
        Box::new(reads.clone()),
        Box::new(replica_state.clone()),
        Box::new(replica_lag.clone()),
        Box::new(queries.clone()),
        Box::new(cache_lookups.clone()),
        Box::new(cache_stores.clone()),
        Box::new(cache_bytes.clone()),
        Box::new(cache_listener.clone()),
    ] {
        registry.register(collector).expect("unique metric");
    }
    Metrics {
        registry,
        requests,
        latency,
        pool,
        pool_wait,
        database_errors,
        reads,
        replica_state,
        replica_lag,
        queries,
        cache_lookups,
        cache_stores,
        cache_bytes,
        cache_listener,
    }
});

/// Counts one finished request.
pub fn observe(method: &str, route: &str, status: u16, seconds: f64) {
    let all = &*METRICS;
    all.requests
        .with_label_values(&[method, route, &status.to_string()])
        .inc();
    all.latency
        .with_label_values(&[method, route])
        .observe(seconds);
}

/// Counts one database failure that failed a request (a 5xx): pool waits and lost connections
/// (`db::conn`), and query errors mapped to a 5xx (`From<DieselError> for ApiError`).
pub fn database_error() {
    METRICS.database_errors.inc();
}

/// The counter of statements sent to `database`: each pooled connection holds one and counts
/// every statement it starts (`db::pool_with`).
pub fn queries(database: &str) -> IntCounter {
    METRICS.queries.with_label_values(&[database])
}

/// Counts one cacheable read by the read cache's `outcome` (`hit`, `miss`, `off`).
pub fn read_cache_lookup(outcome: &str) {
    METRICS.cache_lookups.with_label_values(&[outcome]).inc();
}

/// Counts one answer offered to the read cache by `outcome` (`stored`, `outdated`, `full`).
pub fn read_cache_store(outcome: &str) {
    METRICS.cache_stores.with_label_values(&[outcome]).inc();
}

/// The bytes the read cache's entries count now.
pub fn read_cache_bytes(bytes: usize) {
    METRICS
        .cache_bytes
        .set(i64::try_from(bytes).unwrap_or(i64::MAX));
}

/// Whether the read cache's listener is polling successfully.
pub fn read_cache_listener(up: bool) {
    METRICS.cache_listener.set(i64::from(up));
}

/// Counts one read sent to `target` (`replica` or `primary`).
pub fn read_routed(target: &str) {
    METRICS.reads.with_label_values(&[target]).inc();
}

/// Records the replica monitor's latest verdict: `state`, one of `states`, is 1 and the others
/// are 0.
pub fn replica(states: &[&str], state: &str, lag: std::time::Duration) {
    for candidate in states {
        METRICS
            .replica_state
            .with_label_values(&[candidate])
            .set(i64::from(*candidate == state));
    }
    METRICS.replica_lag.set(lag.as_secs_f64());
}

/// Records a connection pool's state: `size` open, `max`, `in_use`, `waiting` requests.
pub fn pool(name: &str, size: usize, max: usize, in_use: usize, waiting: usize) {
    let gauge = |state: &str, value: usize| {
        METRICS
            .pool
            .with_label_values(&[name, state])
            .set(i64::try_from(value).unwrap_or(i64::MAX));
    };
    gauge("size", size);
    gauge("max", max);
    gauge("in_use", in_use);
    gauge("waiting", waiting);
}

/// Records how long one checkout from the `pool` pool (`primary` or `read`) waited.
pub fn pool_wait(pool: &str, seconds: f64) {
    METRICS
        .pool_wait
        .with_label_values(&[pool])
        .observe(seconds);
}

/// Every metric, in Prometheus text format.
pub fn encode() -> Result<Vec<u8>, prometheus::Error> {
    let mut body = Vec::new();
    TextEncoder::new().encode(&METRICS.registry.gather(), &mut body)?;
    Ok(body)
}

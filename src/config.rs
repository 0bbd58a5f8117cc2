//! Configuration: command-line flags, each with an environment variable.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | unset | PostgreSQL to use; unset = the embedded cluster in `OGP_DATA_DIR` |
//! | `DATABASE_READ_URL` | unset | a read replica: reads go there, writes to `DATABASE_URL` |
//! | `OGP_READ_MAX_LAG_MS` | `5000` | reads use the replica only while it is at most this far behind (else the primary) |
//! | `OGP_DATA_DIR` | `.ogp-data` | folder of the embedded cluster (created on first run) |
//! | `OGP_BIND` | `127.0.0.1:8080` | address the server listens on |
//! | `OGP_WORKERS` | number of cores | HTTP worker threads |
//! | `OGP_POOL_SIZE` | `16` | database connections at most |
//! | `OGP_BODY_LIMIT` | `262144` | largest request body, in bytes (larger: 413) |
//! | `OGP_IMPORT_BODY_LIMIT` | `67108864` | largest bundle import body (`POST /imports`), compressed and decompressed, in bytes (larger: 413) |
//! | `OGP_SEED_DEMO` | `true` | load the demo data when the embedded cluster is first created |
//! | `OGP_READ_REQUIRES_KEY` | `false` | reads need an API key too |
//! | `OGP_REQUIRE_IF_MATCH` | `false` | PATCH and DELETE without `If-Match`, PUT without `If-Match` or `If-None-Match`, are a 428 |
//! | `OGP_RATE_LIMIT_READS` | `600` | reads per client and minute (0 = unlimited) |
//! | `OGP_RATE_LIMIT_WRITES` | `60` | writes per client and minute (0 = unlimited) |
//! | `OGP_CORS_ORIGINS` | empty | comma list of browser origins allowed to call the API; `*` = any |
//! | `OGP_TRUSTED_PROXIES` | empty | comma list of CIDRs of reverse proxies whose forwarding header names the client |
//! | `OGP_FORWARDED_HEADER` | `x-forwarded-for` | the header those proxies write the client into (`x-forwarded-for` or `forwarded`); only it is read |
//! | `OGP_METRICS_BIND` | unset | serve `/metrics` only on this address (host:port), without a key |
//! | `OGP_DB_WAIT_TIMEOUT_MS` | `2000` | wait this long for a database connection, then 503 |
//! | `OGP_STATEMENT_TIMEOUT_MS` | `10000` | PostgreSQL cancels statements running longer |
//! | `OGP_EXPORT_CONCURRENCY` | a quarter of `OGP_POOL_SIZE`, at least 1 | CSV/NDJSON exports streaming at once (more wait, then 503); must be below the pool size |
//! | `OGP_EXPORT_SEND_TIMEOUT_MS` | `10000` | an export whose client takes nothing this long is cut, releasing its connection |
//! | `OGP_BODY_TIMEOUT_MS` | `30000` | a request body not arrived whole within this is a 408 |
//! | `OGP_SHUTDOWN_GRACE_SECS` | `30` | on SIGTERM, how long in-flight requests may finish |
//! | `RUST_LOG` | `info` | log filter (env_logger syntax) |

use clap::Args;
use std::path::PathBuf;

/// Every setting of the service. Flags win over environment variables.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL connection URL. When unset, the service runs its own private PostgreSQL in
    /// OGP_DATA_DIR (created on first run, from the PostgreSQL binaries on this machine).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// PostgreSQL read replica: reads go there while it is up and within OGP_READ_MAX_LAG_MS,
    /// else to the primary; writes go to DATABASE_URL (or the embedded cluster). A client that
    /// has just written reads the primary until the replica has its write.
    #[arg(long, env = "DATABASE_READ_URL", global = true, hide_env_values = true)]
    pub database_read_url: Option<String>,

    /// Reads use the replica only while its replay is at most this far behind the primary
    /// (ms); further behind, down or unreachable, reads go to the primary.
    #[arg(long, env = "OGP_READ_MAX_LAG_MS", default_value_t = 5000, global = true,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub read_max_lag_ms: u64,

    /// Memory for the read cache (bytes): whole answers of data GETs kept until the data
    /// changes (README, "The read cache"). 0 turns it off; it is off with DATABASE_READ_URL.
    #[arg(long, env = "OGP_READ_CACHE_BYTES", default_value_t = 16 << 20, global = true,
          value_parser = clap::value_parser!(u64).range(0..=(1u64 << 34)))]
    pub read_cache_bytes: u64,

    /// The read cache serves from memory only while it confirmed the data version less than
    /// this long ago (ms): the most a cached answer can lag a write made by another process
    /// when notifications are lost.
    #[arg(long, env = "OGP_READ_CACHE_MAX_STALENESS_MS", default_value_t = 1000, global = true,
          value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub read_cache_max_staleness_ms: u64,

    /// Folder of the embedded PostgreSQL cluster (used when DATABASE_URL is unset).
    #[arg(long, env = "OGP_DATA_DIR", default_value = ".ogp-data", global = true)]
    pub data_dir: PathBuf,

    /// Address to listen on (host:port).
    #[arg(
        long,
        env = "OGP_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// HTTP worker threads [default: number of CPU cores].
    #[arg(long, env = "OGP_WORKERS", global = true, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,

    /// Most database connections the pool opens.
    #[arg(long, env = "OGP_POOL_SIZE", default_value_t = 16, global = true,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub pool_size: u16,

    /// Largest request body accepted, in bytes; larger bodies get 413.
    #[arg(long, env = "OGP_BODY_LIMIT", default_value_t = 262_144, global = true,
          value_parser = clap::value_parser!(u32).range(1024..=67_108_864))]
    pub body_limit: u32,

    /// Largest bundle import body (`POST /api/v1/imports`), in bytes, compressed and again
    /// decompressed (a gzip bomb is a 413 once its output passes it); larger: 413.
    #[arg(long, env = "OGP_IMPORT_BODY_LIMIT", default_value_t = 67_108_864, global = true,
          value_parser = clap::value_parser!(u64).range(1024..=4_294_967_296))]
    pub import_body_limit: u64,

    /// Load the demo data (../data) when the embedded cluster is created.
    #[arg(long, env = "OGP_SEED_DEMO", default_value_t = true, global = true,
          action = clap::ArgAction::Set)]
    pub seed_demo: bool,

    /// Reads need an API key too.
    #[arg(long, env = "OGP_READ_REQUIRES_KEY", default_value_t = false, global = true,
          action = clap::ArgAction::Set)]
    pub read_requires_key: bool,

    /// PATCH and DELETE without `If-Match`, and PUT without `If-Match` or `If-None-Match`, are
    /// refused with 428.
    #[arg(long, env = "OGP_REQUIRE_IF_MATCH", default_value_t = false, global = true,
          action = clap::ArgAction::Set)]
    pub require_if_match: bool,

    /// Reads per client (API key, else address) and minute; 0 = unlimited.
    #[arg(
        long,
        env = "OGP_RATE_LIMIT_READS",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit_reads: u32,

    /// Writes per client (API key, else address) and minute; 0 = unlimited.
    #[arg(
        long,
        env = "OGP_RATE_LIMIT_WRITES",
        default_value_t = 60,
        global = true
    )]
    pub rate_limit_writes: u32,

    /// How long a request waits for a database connection before it is answered 503 (ms).
    #[arg(long, env = "OGP_DB_WAIT_TIMEOUT_MS", default_value_t = 2000, global = true,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub db_wait_timeout_ms: u64,

    /// PostgreSQL cancels a statement running longer than this (ms).
    #[arg(long, env = "OGP_STATEMENT_TIMEOUT_MS", default_value_t = 10_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub statement_timeout_ms: u64,

    /// CSV/NDJSON exports streaming at once; more wait up to OGP_DB_WAIT_TIMEOUT_MS, then get
    /// 503. Must be below OGP_POOL_SIZE [default: a quarter of OGP_POOL_SIZE, at least 1].
    #[arg(long, env = "OGP_EXPORT_CONCURRENCY", global = true,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub export_concurrency: Option<u16>,

    /// An export whose client takes nothing for this long is cut and its database connection
    /// released (ms).
    #[arg(long, env = "OGP_EXPORT_SEND_TIMEOUT_MS", default_value_t = 10_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub export_send_timeout_ms: u64,

    /// A request body that has not arrived whole within this is answered 408 (ms).
    #[arg(long, env = "OGP_BODY_TIMEOUT_MS", default_value_t = 30_000, global = true,
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub body_timeout_ms: u64,

    /// On SIGTERM or Ctrl-C, how long in-flight requests may take to finish (s).
    #[arg(long, env = "OGP_SHUTDOWN_GRACE_SECS", default_value_t = 30, global = true,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_grace_secs: u64,

    /// Comma list of browser origins allowed to call the API (CORS); `*` allows any.
    #[arg(long, env = "OGP_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,

    /// Comma list of CIDRs (or addresses) of reverse proxies in front of this server, e.g.
    /// `10.0.0.0/8,::1/128`. From them, the client address (for rate limits and the access log)
    /// is taken from OGP_FORWARDED_HEADER; from anyone else it is ignored.
    #[arg(long, env = "OGP_TRUSTED_PROXIES", value_delimiter = ',', global = true,
          value_parser = crate::client_addr::parse_trusted)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// The header the trusted proxies write the client address into: `x-forwarded-for` or
    /// `forwarded` (RFC 7239). Only that one is read, so a client cannot slip in the other.
    #[arg(
        long,
        env = "OGP_FORWARDED_HEADER",
        value_enum,
        default_value = "x-forwarded-for",
        global = true
    )]
    pub forwarded_header: crate::policy::ForwardedHeader,

    /// Serve `/metrics` on this separate address (host:port) only, without a key, and not on
    /// OGP_BIND. Unset: `/metrics` is on OGP_BIND (needing a key when reads do).
    #[arg(long, env = "OGP_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,
}

impl Config {
    /// The pool settings of this configuration.
    pub fn pool_settings(&self) -> crate::db::PoolSettings {
        crate::db::PoolSettings {
            max_size: usize::from(self.pool_size),
            wait_timeout: std::time::Duration::from_millis(self.db_wait_timeout_ms),
            statement_timeout: std::time::Duration::from_millis(self.statement_timeout_ms),
        }
    }

    /// The export budget of this configuration, or why it is refused (it would let exports
    /// take every database connection).
    pub fn export_budget(&self) -> Result<crate::listing::budget::ExportBudget, String> {
        use crate::listing::budget::{concurrency, ExportBudget};
        let configured = self.export_concurrency.map(usize::from);
        Ok(ExportBudget::new(
            concurrency(configured, usize::from(self.pool_size))?,
            std::time::Duration::from_millis(self.db_wait_timeout_ms),
            std::time::Duration::from_millis(self.export_send_timeout_ms),
        ))
    }

    /// The access rules and limits of this configuration.
    pub fn policy(&self) -> crate::policy::Policy {
        crate::policy::Policy {
            read_requires_key: self.read_requires_key,
            require_if_match: self.require_if_match,
            reads_per_minute: self.rate_limit_reads,
            writes_per_minute: self.rate_limit_writes,
            cors_origins: self
                .cors_origins
                .iter()
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            trusted_proxies: self.trusted_proxies.clone(),
            forwarded_header: self.forwarded_header,
            metrics_elsewhere: self.metrics_bind.is_some(),
        }
    }
}

//! Configuration: command-line flags, each with an environment variable.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | unset | PostgreSQL to use; unset = the embedded cluster in `OGP_DATA_DIR` |
//! | `OGP_DATA_DIR` | `.ogp-data` | folder of the embedded cluster (created on first run) |
//! | `OGP_BIND` | `127.0.0.1:8080` | address the server listens on |
//! | `OGP_WORKERS` | number of cores | HTTP worker threads |
//! | `OGP_POOL_SIZE` | `16` | database connections at most |
//! | `OGP_BODY_LIMIT` | `262144` | largest request body, in bytes (larger: 413) |
//! | `OGP_SEED_DEMO` | `true` | load the demo data when the embedded cluster is first created |
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

    /// Load the demo data (../data) when the embedded cluster is created.
    #[arg(long, env = "OGP_SEED_DEMO", default_value_t = true, global = true,
          action = clap::ArgAction::Set)]
    pub seed_demo: bool,
}

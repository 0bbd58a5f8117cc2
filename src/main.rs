//! The `ogp-api` command: the server and its maintenance verbs.

use clap::{Parser, Subcommand};
use ogp_api::app::{self, AppState};
use ogp_api::bundle::{self, apply::ImportOptions, cli::Interrupted, export::ExportParams};
use ogp_api::config::Config;
use ogp_api::db::{self, embedded::EmbeddedPostgres};
use ogp_api::rate_limit::RateLimits;
use ogp_api::seed;
use ogp_api::server::{self, stop_signals::StopSignals};
use std::process::ExitCode;
use std::time::Duration;

const ENVIRONMENT_HELP: &str = "\
Environment variables (each also a flag; flags win):
  DATABASE_URL    PostgreSQL URL; unset = embedded cluster in OGP_DATA_DIR
  DATABASE_READ_URL  read replica: reads go there             [default: none]
  OGP_READ_MAX_LAG_MS  replica further behind: read the primary [default: 5000]
  OGP_DATA_DIR    embedded cluster folder                     [default: .ogp-data]
  OGP_BIND        listen address                              [default: 127.0.0.1:8080]
  OGP_WORKERS     HTTP worker threads                         [default: CPU cores]
  OGP_POOL_SIZE   most database connections                   [default: 16]
  OGP_BODY_LIMIT  largest request body in bytes (else 413)    [default: 262144]
  OGP_IMPORT_BODY_LIMIT  largest bundle import, compressed and decompressed [default: 67108864]
  OGP_SEED_DEMO   load demo data when the cluster is created  [default: true]
  OGP_READ_REQUIRES_KEY  reads need an API key too             [default: false]
  OGP_REQUIRE_IF_MATCH   PATCH/DELETE without If-Match, PUT without If-Match or If-None-Match: 428 [default: false]
  OGP_RATE_LIMIT_READS   reads per client and minute, 0 = off  [default: 600]
  OGP_RATE_LIMIT_WRITES  writes per client and minute, 0 = off [default: 60]
  OGP_CORS_ORIGINS       browser origins allowed (comma list, * = any) [default: none]
  OGP_TRUSTED_PROXIES    proxy CIDRs whose forwarding header names the client
  OGP_FORWARDED_HEADER   the header those proxies write: x-forwarded-for | forwarded [default: x-forwarded-for]
                         (comma list, e.g. 10.0.0.0/8,::1/128)  [default: none]
  OGP_METRICS_BIND       serve /metrics only here, without a key [default: on OGP_BIND]
  OGP_DB_WAIT_TIMEOUT_MS    wait for a DB connection, then 503 [default: 2000]
  OGP_STATEMENT_TIMEOUT_MS  cancel longer statements           [default: 10000]
  OGP_EXPORT_CONCURRENCY    exports at once, below pool size   [default: pool size / 4, min 1]
  OGP_EXPORT_SEND_TIMEOUT_MS  cut an export its client stopped reading [default: 10000]
  OGP_BODY_TIMEOUT_MS       request body must arrive within, else 408 [default: 30000]
  OGP_SHUTDOWN_GRACE_SECS   in-flight requests may finish      [default: 30]
  RUST_LOG        log filter                                  [default: info]";

/// Open data API for OGP action plans, commitments, milestones and IRM findings.
#[derive(Parser)]
#[command(name = "ogp-api", version, after_help = ENVIRONMENT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Without DATABASE_URL, starts the embedded PostgreSQL,
    /// migrates, loads the demo data on first creation, restarts the server if it dies, and
    /// stops it again on Ctrl-C / SIGTERM.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Load the demo data (data/*.bundle.json: IRM reports on Mexico and Ghana) through the
    /// bundle import, then exit; loading it again changes nothing.
    Seed,
    /// Import a bundle (the format of `GET /api/v1/exports/bundle`) in one transaction, all or
    /// nothing; prints what it did as one JSON line. Invalid records are listed on stderr with
    /// their JSON pointers (exit 1); Ctrl-C writes nothing (exit 130). With `--resource`, the
    /// file is one collection's CSV (the columns of its CSV export), its errors by row.
    Import {
        /// The bundle file, or a CSV with `--resource`; `-` reads standard input. Gzip (`.gz`)
        /// is decompressed.
        file: String,
        /// The file is a CSV of this collection: countries, local-members, action-plans,
        /// commitments, milestones or irm-findings (required for a `.csv` / `.csv.gz` file).
        #[arg(long)]
        resource: Option<String>,
        /// Check and count everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also delete what the bundle's scope (its countries' plans, its plans' commitments and
        /// findings, its commitments' milestones) holds beyond it.
        #[arg(long)]
        prune: bool,
    },
    /// Export the corpus (or the countries and plans the filters name) as a bundle, byte for
    /// byte what `GET /api/v1/exports/bundle` sends.
    Export {
        /// Only these countries (comma-separated codes: `MEX,GHA`) and what belongs to them.
        #[arg(long)]
        country_code: Option<String>,
        /// Only plans (and what belongs to them) starting in this year or later.
        #[arg(long)]
        plan_start_year_gte: Option<i32>,
        /// Only plans (and what belongs to them) starting in this year or earlier.
        #[arg(long)]
        plan_start_year_lte: Option<i32>,
        /// Write here (replaced only once the export is whole) instead of standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Print the OpenAPI document (JSON) to standard output; needs no database.
    Openapi,
    /// Manage API keys: writes need one (`Authorization: Bearer <key>`).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a key and print it once; only its hash is stored.
    Create {
        /// Who the key is for; recorded as the actor of every change made with it.
        #[arg(long)]
        name: String,
        /// `editor` (create and update) or `admin` (also delete).
        #[arg(long, value_parser = ["editor", "admin"])]
        role: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by its id (see `keys list`); it stops working at once.
    Revoke {
        /// The key's id.
        id: i64,
    },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        match serde_json::to_string_pretty(&app::openapi_spec()) {
            Ok(json) => {
                println!("{json}");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    // Refused before anything starts: a budget that lets exports take every connection.
    if let Err(e) = cli.config.export_budget() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let result = actix_web::rt::System::new().block_on(run(command, cli.config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs a verb against the configured database: DATABASE_URL, or the embedded cluster (reused
/// when already running, else started for the verb and stopped after it).
async fn run(command: Command, config: Config) -> Result<(), BoxError> {
    // `serve` takes its stop signals over before anything slow starts: a SIGTERM while the
    // cluster starts or the demo data loads then stops the server as soon as it runs, and the
    // cluster is stopped cleanly, instead of the process dying on the default action.
    let stop = match command {
        Command::Serve => Some(StopSignals::install()?),
        _ => None,
    };
    let (url, mut cluster, created) = match &config.database_url {
        Some(url) => (url.clone(), None, false),
        None => {
            let mut cluster = EmbeddedPostgres::open(&config.data_dir)?;
            let created = tokio::task::spawn_blocking(move || {
                let created = cluster.start()?;
                Ok::<_, BoxError>((cluster, created))
            })
            .await??;
            let (cluster, created) = created;
            let url = cluster.url(seed::EMBEDDED_DATABASE);
            seed::ensure_database(&cluster.url("postgres"), seed::EMBEDDED_DATABASE).await?;
            (url, Some(cluster), created)
        }
    };
    // `serve` keeps the cluster it started alive (see db::supervisor); the one-shot verbs don't.
    let supervisor = match (&command, &cluster) {
        (Command::Serve, Some(cluster)) if cluster.started_here() => {
            Some(db::supervisor::Supervisor::start(cluster.clone())?)
        }
        _ => None,
    };
    let outcome = run_with_database(command, &config, &url, created, stop).await;
    if let Some(supervisor) = supervisor {
        supervisor.stop();
    }
    if let Some(cluster) = cluster.as_mut() {
        if let Err(e) = cluster.stop() {
            log::error!("stopping the embedded PostgreSQL: {e}");
        }
    }
    // An interrupted import or export: exit here, the cluster stopped, rather than wait for the
    // runtime to drop (a blocking read of standard input would hold it).
    if let Err(interrupted) = &outcome {
        if let Some(interrupted) = interrupted.downcast_ref::<Interrupted>() {
            eprintln!("{interrupted}");
            std::process::exit(130);
        }
    }
    outcome
}

async fn run_with_database(
    command: Command,
    config: &Config,
    url: &str,
    created: bool,
    stop: Option<StopSignals>,
) -> Result<(), BoxError> {
    let applied = db::run_migrations(url).await?;
    for name in &applied {
        log::info!("applied migration {name}");
    }
    let pool = db::pool_with(url, config.pool_settings())?;
    match command {
        Command::Migrate => {
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Seed => {
            let report = seed::load_demo(&pool).await?;
            println!("{report}");
            Ok(())
        }
        Command::Serve => {
            if created && config.seed_demo {
                let report = seed::load_demo(&pool).await?;
                log::info!("{report}");
            }
            serve(config, url, pool, stop).await
        }
        Command::Keys { command } => keys(command, &pool).await,
        Command::Import {
            file,
            resource,
            dry_run,
            prune,
        } => {
            let options = ImportOptions { dry_run, prune };
            let outcome = match bundle::csv_import::cli::resource_of(&file, resource.as_deref())? {
                Some(resource) => {
                    bundle::csv_import::cli::run(&pool, &file, resource, options).await?
                }
                None => bundle::cli::import::run(&pool, &file, options).await?,
            };
            println!("{}", serde_json::to_string(&outcome)?);
            Ok(())
        }
        Command::Export {
            country_code,
            plan_start_year_gte,
            plan_start_year_lte,
            output,
        } => {
            let params = ExportParams {
                country_code,
                plan_start_year_gte,
                plan_start_year_lte,
            };
            bundle::cli::export::run(&pool, params, output.as_deref()).await
        }
        Command::Openapi => Ok(()),
    }
}

async fn keys(command: KeysCommand, pool: &db::DbPool) -> Result<(), BoxError> {
    use ogp_api::auth::{keys, Role};
    let mut conn = db::conn(pool).await.map_err(|e| e.to_string())?;
    match command {
        KeysCommand::Create { name, role } => {
            let role = Role::parse(&role).ok_or("role must be editor or admin")?;
            let (key, secret) = keys::create(&mut conn, &name, role)
                .await
                .map_err(|e| format!("cannot create key `{name}`: {e}"))?;
            eprintln!(
                "created key {} `{}` ({}); it is shown once, store it now:",
                key.id, key.name, key.role
            );
            println!("{secret}");
        }
        KeysCommand::List => {
            println!(
                "{:>4}  {:<24} {:<7} {:<12} {:<25} {:<25} revoked",
                "id", "name", "role", "prefix", "created", "last used"
            );
            for key in keys::list(&mut conn).await? {
                let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map_or("-".to_string(), |t| {
                        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
                    })
                };
                println!(
                    "{:>4}  {:<24} {:<7} {:<12} {:<25} {:<25} {}",
                    key.id,
                    key.name,
                    key.role,
                    key.prefix,
                    time(Some(key.created_at)),
                    time(key.last_used_at),
                    time(key.revoked_at)
                );
            }
        }
        KeysCommand::Revoke { id } => {
            if keys::revoke(&mut conn, id).await? {
                println!("key {id} revoked");
            } else {
                return Err(format!("no key has the id {id}").into());
            }
        }
    }
    Ok(())
}

async fn serve(
    config: &Config,
    url: &str,
    pool: db::DbPool,
    stop: Option<StopSignals>,
) -> Result<(), BoxError> {
    let read_pool = match &config.database_read_url {
        Some(url) => Some(db::pool_with(url, config.pool_settings())?),
        None => None,
    };
    let policy = config.policy();
    // One budget for the process: `state` (and with it the `Arc`) is cloned into each worker.
    let exports = std::sync::Arc::new(config.export_budget()?);
    // One monitor for the process (the state is cloned into every worker; the Arc is shared).
    let replica_monitor = read_pool.as_ref().map(|replica| {
        let monitor = db::replica::ReplicaMonitor::new(
            pool.clone(),
            replica.clone(),
            std::time::Duration::from_millis(config.read_max_lag_ms),
        );
        monitor.spawn();
        monitor
    });
    // Off with a replica: the cache's version is the primary's, and a replica's answer may be
    // older than it (docs/design-notes.md, "The read cache").
    let read_cache = (config.read_cache_bytes > 0 && read_pool.is_none()).then(|| {
        let cache = ogp_api::read_cache::ReadCache::new(
            usize::try_from(config.read_cache_bytes).unwrap_or(usize::MAX),
            Duration::from_millis(config.read_cache_max_staleness_ms),
        );
        ogp_api::read_cache::listener::spawn(&cache, url.to_string());
        cache
    });
    let state = AppState {
        pool,
        read_cache,
        read_pool,
        body_limit: config.body_limit as usize,
        import_body_limit: usize::try_from(config.import_body_limit).unwrap_or(usize::MAX),
        body_timeout: Duration::from_millis(config.body_timeout_ms),
        exports,
        // Made here, once: every worker's app shares these budgets.
        limits: std::sync::Arc::new(RateLimits::from_policy(&policy)),
        policy,
        replica_monitor,
    };
    let metrics_server = match &config.metrics_bind {
        Some(bind) => Some(metrics_server(&state, bind)?),
        None => None,
    };
    // The head of a connection must arrive within 5 s (else 408) and a closing connection gets
    // 1 s to shut down (`Settings::default`); the body has its own deadline
    // (`OGP_BODY_TIMEOUT_MS`, `body::read_whole`).
    let settings = server::Settings {
        workers: config.workers.map(usize::from),
        shutdown_timeout_secs: config.shutdown_grace_secs,
        // The signals are `stop`'s, taken over when `serve` started.
        handle_signals: stop.is_none(),
        ..server::Settings::default()
    };
    let server = server::build(
        "ogp-api",
        server::Listen::Address(config.bind.clone()),
        &settings,
        move || app::build(state.clone()),
    )
    .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    log::info!("serving on http://{} (docs at /docs)", config.bind);
    if let Some(stop) = &stop {
        stop.stop_on_signal(server.handle());
        if let Some(metrics) = &metrics_server {
            stop.stop_on_signal(metrics.handle());
        }
    }
    match metrics_server {
        // Both stop on the same SIGTERM / Ctrl-C.
        Some(metrics) => {
            futures_util::future::try_join(server, metrics).await?;
        }
        None => server.await?,
    }
    log::info!("server stopped");
    Ok(())
}

/// The server of `/metrics` alone on `bind` (`OGP_METRICS_BIND`): one worker, no key.
fn metrics_server(state: &AppState, bind: &str) -> Result<actix_web::dev::Server, BoxError> {
    let pool = state.pool.clone();
    let reads = state.read_routing();
    let settings = server::Settings {
        workers: Some(1),
        ..server::Settings::default()
    };
    let server = server::build(
        "ogp-api-metrics",
        server::Listen::Address(bind.to_string()),
        &settings,
        move || {
            actix_web::App::new()
                .configure(ogp_api::health::metrics_only(pool.clone(), reads.clone()))
        },
    )
    .map_err(|e| format!("cannot listen on {bind} (OGP_METRICS_BIND): {e}"))?;
    log::info!("metrics on http://{bind}/metrics");
    Ok(server)
}

//! The database: connection pool, embedded migrations, and the embedded default cluster.

pub mod embedded;
pub mod keyed;
pub mod read;
pub mod replica;
pub mod supervisor;

use crate::error::ApiError;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

/// The pool every handler draws connections from.
pub type DbPool = Pool<AsyncPgConnection>;
/// One pooled connection.
pub type DbConn = Object<AsyncPgConnection>;

/// The schema migrations, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How the pool treats the database.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection, or for a new one to open, before it is
    /// answered 503: an outage fails fast instead of hanging.
    pub wait_timeout: Duration,
    /// Longest a statement may run before PostgreSQL cancels it.
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

/// A pool of at most `max_size` connections to `url`, with the default timeouts.
pub fn pool(url: &str, max_size: usize) -> Result<DbPool, BoxError> {
    pool_with(
        url,
        PoolSettings {
            max_size,
            ..PoolSettings::default()
        },
    )
}

/// A pool to `url` with `settings`. Each new connection gets the statement timeout. A
/// connection whose socket has closed (or whose transaction state broke) is dropped when it is
/// handed back, so the pool recovers by itself when the database comes back.
pub fn pool_with(url: &str, settings: PoolSettings) -> Result<DbPool, BoxError> {
    use diesel::connection::InstrumentationEvent;
    use diesel_async::pooled_connection::{ManagerConfig, RecyclingMethod};
    use diesel_async::{AsyncConnection, SimpleAsyncConnection};
    use futures_util::FutureExt;
    let statement_ms = settings.statement_timeout.as_millis();
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // `Verified` (the default) runs `SELECT 1` before every checkout: one more round trip per
    // request (bench/README.md has the before and after). `Fast` still drops
    // connections known to be closed; a query on one that died unnoticed fails as
    // `ClosedConnection`, which is answered 503 like any outage.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            // Every statement is counted (`ogp_api_db_queries_total`), so that what a request
            // costs in queries is observable (and tested: `include` is one query per level).
            let queries = crate::metrics::queries(database_name(url));
            conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { .. } = event {
                    queries.inc();
                }
            });
            conn.batch_execute(&format!("SET statement_timeout = {statement_ms}"))
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Ok(Pool::builder(manager)
        .max_size(settings.max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(settings.wait_timeout))
        .create_timeout(Some(settings.wait_timeout))
        .recycle_timeout(Some(settings.wait_timeout))
        .build()?)
}

/// The database name of a connection string, the label of the statement counter (never the
/// host or the credentials): a URL's path, or a key-value string's `dbname` (unquoted, as
/// `db::embedded` writes it); empty when neither says.
fn database_name(url: &str) -> &str {
    if let Some((_, rest)) = url.split_once("://") {
        let path = rest.split(['?', '#']).next().unwrap_or_default();
        return path.split_once('/').map_or("", |(_, name)| name);
    }
    url.split_whitespace()
        .find_map(|pair| pair.strip_prefix("dbname="))
        .filter(|name| !name.starts_with('\''))
        .unwrap_or_default()
}

pub use read::ReadPool;

/// A connection from the pool; a pool or connection failure is a 503.
pub async fn conn(pool: &DbPool) -> Result<DbConn, ApiError> {
    timed_checkout(pool, "primary").await.map_err(|e| {
        log::warn!("database unavailable: {e}");
        crate::metrics::database_error();
        ApiError::unavailable("the database is unavailable; try again shortly").with_header(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from_static("2"),
        )
    })
}

/// A connection from `pool`, the wait recorded as `ogp_api_db_pool_wait_seconds{pool=name}`
/// (`name` as the pool gauges say it: `primary` or `read`), a wait that failed included.
pub(crate) async fn timed_checkout(
    pool: &DbPool,
    name: &str,
) -> Result<DbConn, deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>> {
    let started = std::time::Instant::now();
    let checkout = pool.get().await;
    crate::metrics::pool_wait(name, started.elapsed().as_secs_f64());
    checkout
}

/// Runs the migrations not yet applied to `url`; returns their names.
pub async fn run_migrations(url: &str) -> Result<Vec<String>, BoxError> {
    with_harness(url, |harness| {
        Ok(harness
            .run_pending_migrations(MIGRATIONS)?
            .iter()
            .map(ToString::to_string)
            .collect())
    })
    .await
}

/// Reverts every applied migration (used by the test that migrations run down and up again).
pub async fn revert_all_migrations(url: &str) -> Result<Vec<String>, BoxError> {
    with_harness(url, |harness| {
        Ok(harness
            .revert_all_migrations(MIGRATIONS)?
            .iter()
            .map(ToString::to_string)
            .collect())
    })
    .await
}

/// Reverts the newest applied migration; returns its name (the test of a migration over
/// existing rows reverts it, writes rows of the older schema, and applies it again).
pub async fn revert_last_migration(url: &str) -> Result<String, BoxError> {
    with_harness(url, |harness| {
        Ok(harness.revert_last_migration(MIGRATIONS)?.to_string())
    })
    .await
}

/// diesel_migrations is synchronous: run it on a blocking thread over a wrapped async connection.
async fn with_harness<T, F>(url: &str, work: F) -> Result<T, BoxError>
where
    T: Send + 'static,
    F: FnOnce(&mut AsyncConnectionWrapper<AsyncPgConnection>) -> Result<T, BoxError>
        + Send
        + 'static,
{
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut harness = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
        work(&mut harness)
    })
    .await?
}

/// Names the actor of the current transaction's changes (the API key's name) for the change
/// log, which its trigger reads. Scoped to the transaction (`set_config(…, true)`).
pub async fn set_actor(conn: &mut AsyncPgConnection, actor: &str) -> diesel::QueryResult<()> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT set_config('ogp.actor', $1, true)")
        .bind::<diesel::sql_types::Text, _>(actor)
        .execute(conn)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::database_name;

    #[test]
    fn the_query_counter_is_labelled_by_database_name_only() {
        assert_eq!(
            database_name("postgres://u:secret@h:5432/ogp?sslmode=require"),
            "ogp"
        );
        assert_eq!(database_name("postgres://u:secret@h"), "");
        assert_eq!(
            database_name("host='/tmp/x' port=5 user=u dbname=t_1"),
            "t_1"
        );
        assert_eq!(database_name("host=h password=secret"), "");
    }
}

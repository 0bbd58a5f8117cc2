//! The database: connection pool, embedded migrations, and the embedded default cluster.

pub mod embedded;
pub mod keyed;

use crate::error::ApiError;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The pool every handler draws connections from.
pub type DbPool = Pool<AsyncPgConnection>;
/// One pooled connection.
pub type DbConn = Object<AsyncPgConnection>;

/// The schema migrations, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A pool of at most `max_size` connections to `url`.
pub fn pool(url: &str, max_size: usize) -> Result<DbPool, BoxError> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Ok(Pool::builder(manager).max_size(max_size).build()?)
}

/// A connection from the pool; a pool or connection failure is a 503.
pub async fn conn(pool: &DbPool) -> Result<DbConn, ApiError> {
    pool.get().await.map_err(|e| {
        log::warn!("database unavailable: {e}");
        ApiError::unavailable("the database is unavailable; try again shortly")
    })
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

//! Operational endpoints outside the API: liveness, readiness and the Prometheus metrics.

use crate::db::{self, read::ReadRouting, DbPool};
use crate::error::ApiError;
use actix_web::{get, web, HttpResponse};
use diesel_async::RunQueryDsl;
use std::time::Duration;

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the process is up and serving.
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Readiness: the primary answers within a bounded time. A replica never makes the instance
/// unready (reads fall back to the primary); the body says how it is doing.
#[get("/readyz")]
async fn readyz(
    pool: web::Data<DbPool>,
    reads: web::Data<ReadRouting>,
) -> Result<HttpResponse, ApiError> {
    let check = async {
        let mut conn = db::conn(&pool).await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map_err(|e| {
                crate::metrics::database_error();
                ApiError::unavailable(format!("the database did not answer: {e}"))
            })
    };
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(_)) => {
            let (replica, lag_ms) = reads.replica_state();
            Ok(HttpResponse::Ok().json(serde_json::json!({
                "status": "ready",
                "replica": replica.as_str(),
                "replica_lag_ms": lag_ms,
            })))
        }
        Ok(Err(error)) => Err(error),
        Err(_) => Err(ApiError::unavailable(
            "the database did not answer within 2 s",
        )),
    }
}

/// Registers `/healthz` and `/readyz` (`/metrics` is registered by `app::build`, which knows
/// whether it is served here or on its own address).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Records a pool's state into the metrics before they are read.
fn record_pool(name: &str, pool: &DbPool) {
    let status = pool.status();
    let in_use = status.size.saturating_sub(status.available);
    crate::metrics::pool(name, status.size, status.max_size, in_use, status.waiting);
}

/// The routes of the separate metrics address (`OGP_METRICS_BIND`): `/metrics` alone, without
/// a key (that address is meant to be reachable only by the monitoring system).
pub fn metrics_only(pool: DbPool, reads: ReadRouting) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(pool))
            .app_data(web::Data::new(reads))
            .service(metrics);
    }
}

/// The metrics, in Prometheus text format.
#[get("/metrics")]
pub async fn metrics(pool: web::Data<DbPool>, reads: web::Data<ReadRouting>) -> HttpResponse {
    record_pool("primary", &pool);
    record_pool("read", reads.read_pool());
    match crate::metrics::encode() {
        Ok(body) => HttpResponse::Ok()
            .content_type(prometheus::TEXT_FORMAT)
            .body(body),
        Err(error) => {
            log::error!("encoding metrics: {error}");
            HttpResponse::InternalServerError().finish()
        }
    }
}

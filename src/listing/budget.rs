//! The export budget: how many exports may stream at once, and how long one may wait for a
//! client that stops reading.
//!
//! An export holds a pooled database connection for as long as it streams, and its pace is
//! the client's. Without a budget, as many slow (or stalled) export clients as the pool has
//! connections would starve every other request. So exports share a process-wide semaphore
//! with fewer permits than the pool has connections: whatever exports do, the rest of the pool
//! stays free for reads, writes and `/readyz`.

use crate::db::DbPool;
use crate::error::ApiError;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long an export waits for its client to take a chunk, unless configured.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Exports allowed at once by default: a quarter of the pool, at least one.
pub fn default_concurrency(pool_size: usize) -> usize {
    (pool_size / 4).max(1)
}

/// The export concurrency for a pool of `pool_size`: `configured`, else the default. It must
/// leave at least one connection to everything else (unless the pool has only one).
pub fn concurrency(configured: Option<usize>, pool_size: usize) -> Result<usize, String> {
    let Some(wanted) = configured else {
        return Ok(default_concurrency(pool_size));
    };
    if wanted == 0 {
        return Err("OGP_EXPORT_CONCURRENCY must be at least 1".to_string());
    }
    if pool_size > 1 && wanted >= pool_size {
        return Err(format!(
            "OGP_EXPORT_CONCURRENCY ({wanted}) must be below OGP_POOL_SIZE ({pool_size}), so that \
             exports cannot take every database connection"
        ));
    }
    if pool_size == 1 && wanted > 1 {
        return Err(format!(
            "OGP_EXPORT_CONCURRENCY ({wanted}) cannot exceed OGP_POOL_SIZE (1)"
        ));
    }
    Ok(wanted)
}

/// The process-wide export budget. Made once per process and shared (through an `Arc` in
/// `AppState`) by every HTTP worker: one semaphore per worker would multiply the budget.
#[derive(Debug)]
pub struct ExportBudget {
    permits: Arc<Semaphore>,
    concurrency: usize,
    /// How long an export waits for a permit before it is a 503.
    wait: Duration,
    /// How long an export waits for its client to take the next chunk before it is cut.
    send_timeout: Duration,
}

impl ExportBudget {
    /// A budget of `concurrency` exports at once (at least one).
    pub fn new(concurrency: usize, wait: Duration, send_timeout: Duration) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            wait,
            send_timeout,
        }
    }

    /// The default budget for `pool`: a quarter of its size, waiting as long as the pool does.
    pub fn for_pool(pool: &DbPool) -> Self {
        Self::new(
            default_concurrency(pool.status().max_size),
            pool.timeouts()
                .wait
                .unwrap_or(crate::db::PoolSettings::default().wait_timeout),
            DEFAULT_SEND_TIMEOUT,
        )
    }

    /// Exports allowed at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// How long an export waits for its client to take the next chunk.
    pub fn send_timeout(&self) -> Duration {
        self.send_timeout
    }

    /// Exports streaming right now.
    pub fn in_progress(&self) -> usize {
        self.concurrency - self.permits.available_permits()
    }

    /// A permit to export, held as long as the export's database connection. None within the
    /// wait is a 503 with `Retry-After`: the client should come back, not queue here.
    pub async fn admit(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // `Err` inside: the semaphore is never closed; treat it like a full budget.
            _ => Err(
                ApiError::unavailable("too many exports in progress; try again shortly")
                    .with_header(RETRY_AFTER, HeaderValue::from_static("2")),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_a_quarter_of_the_pool_and_at_least_one() {
        assert_eq!(concurrency(None, 16), Ok(4));
        assert_eq!(concurrency(None, 4), Ok(1));
        assert_eq!(concurrency(None, 3), Ok(1));
        assert_eq!(concurrency(None, 1), Ok(1));
    }

    #[test]
    fn a_budget_that_could_take_the_whole_pool_is_refused() {
        assert_eq!(concurrency(Some(15), 16), Ok(15));
        assert!(concurrency(Some(16), 16).unwrap_err().contains("below"));
        assert!(concurrency(Some(17), 16).is_err());
        assert!(concurrency(Some(0), 16).is_err());
        assert_eq!(
            concurrency(Some(1), 1),
            Ok(1),
            "a pool of one is all there is"
        );
        assert!(concurrency(Some(2), 1).is_err());
    }

    #[actix_web::test]
    async fn an_export_over_budget_is_a_503_after_the_wait_and_a_permit_frees_a_slot() {
        let budget = ExportBudget::new(1, Duration::from_millis(50), DEFAULT_SEND_TIMEOUT);
        let held = budget.admit().await.expect("the first export is admitted");
        assert_eq!(budget.in_progress(), 1);
        let refused = budget.admit().await.expect_err("the budget is spent");
        assert_eq!(refused.status.as_u16(), 503);
        assert_eq!(
            refused.detail,
            "too many exports in progress; try again shortly"
        );
        assert!(refused.headers.iter().any(|(name, _)| name == RETRY_AFTER));
        drop(held);
        assert_eq!(budget.in_progress(), 0);
        let again = budget.admit().await;
        assert!(again.is_ok(), "a finished export frees its permit");
    }
}

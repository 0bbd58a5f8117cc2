//! Per-client rate limits, separately for reads and writes, answered with `RateLimit-*` headers
//! and, over the limit, a 429 with `Retry-After`.
//!
//! Each budget is a keyed GCRA limiter (the `governor` crate): a quota of N a minute with a
//! burst of N — a client may spend all N at once, then earns one back every 60/N seconds. The
//! limiters are made once per process ([`RateLimits`], shared through an `Arc` in `AppState`), so
//! every HTTP worker draws on the same budget. With several replicas each process still counts
//! on its own (see docs/operations.md).
//!
//! The client is the API key's name when the request carries a valid one, else the client
//! address (`crate::client_addr`: the peer, or what a trusted proxy forwarded).
//!
//! **Conditional reads** (`If-None-Match`) answered 304 are free, so that polling clients
//! revalidating their caches do not use up their budget. `governor` cannot refund a cell, so
//! such a request is charged *after* its response, and only when that response is not a 304;
//! when that late charge fails, the response is replaced by the 429 and the client is
//! remembered as blocked until its next cell is due. A blocked client's conditional reads are
//! refused up front, so a client sending bogus `If-None-Match` values gets at most one
//! uncharged database round per concurrent request, not unlimited work (docs/design-notes.md).

use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, IF_NONE_MATCH, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::{StateInformationMiddleware, StateSnapshot};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The period a per-minute quota refills over.
const MINUTE: Duration = Duration::from_secs(60);

/// Every this many checks, a budget forgets the clients whose allowance is full again, so the
/// memory it holds is bounded by the clients active within about one period.
const CLEANUP_EVERY: u64 = 1024;

type KeyedLimiter = governor::RateLimiter<
    String,
    DefaultKeyedStateStore<String>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// The read and write budgets of this process; `None` = unlimited.
pub struct RateLimits {
    reads: Option<Budget>,
    writes: Option<Budget>,
    /// Requests whose API key turned out invalid, per client address, with the read limit: each
    /// costs a key lookup on the primary before any other budget is charged (the limiter runs
    /// after authentication, which a refused request never passes).
    bad_keys: Option<Budget>,
}

impl RateLimits {
    /// Budgets of `reads_per_minute` and `writes_per_minute` per client; 0 = unlimited.
    pub fn new(reads_per_minute: u32, writes_per_minute: u32) -> Self {
        Self::with_period(reads_per_minute, writes_per_minute, MINUTE)
    }

    /// Budgets of `reads` and `writes` per client and `period` (each with a burst of the whole
    /// allowance). Tests use long periods so that no cell refills while they run.
    pub fn with_period(reads: u32, writes: u32, period: Duration) -> Self {
        Self {
            reads: Budget::new(reads, period),
            writes: Budget::new(writes, period),
            bad_keys: Budget::new(reads, period),
        }
    }

    /// Up front, before a key is looked up: a 429 while `client` (an address key) is blocked
    /// for having sent too many invalid keys.
    pub fn refuse_key_lookup(&self, client: &str) -> Option<ApiError> {
        let budget = self.bad_keys.as_ref()?;
        let retry_after = budget.blocked_for(client)?;
        Some(refusal(budget.limit, false, retry_after))
    }

    /// After an invalid key: charges `client`'s bad-key budget; a 429 once it is spent.
    pub fn charge_bad_key(&self, client: &str) -> Option<ApiError> {
        let budget = self.bad_keys.as_ref()?;
        match budget.charge(client) {
            Charge::Allowed { .. } => None,
            Charge::Refused { retry_after } => Some(refusal(budget.limit, false, retry_after)),
        }
    }

    /// The budgets a policy asks for.
    pub fn from_policy(policy: &crate::policy::Policy) -> Self {
        Self::new(policy.reads_per_minute, policy.writes_per_minute)
    }

    fn budget(&self, write: bool) -> Option<&Budget> {
        if write {
            self.writes.as_ref()
        } else {
            self.reads.as_ref()
        }
    }

    /// How many clients the budgets currently hold state for (reads and writes together).
    pub fn tracked_clients(&self) -> usize {
        [&self.reads, &self.writes, &self.bad_keys]
            .into_iter()
            .flatten()
            .map(|b| b.limiter.len() + b.blocked.lock().map_or(0, |m| m.len()))
            .sum()
    }
}

/// One keyed limiter and the clients it refused, until when.
struct Budget {
    limit: u32,
    period: Duration,
    limiter: KeyedLimiter,
    /// Clients whose last charge failed: their conditional reads are refused up front until
    /// then (they are charged only after the handler ran, see the module docs).
    blocked: Mutex<HashMap<String, Instant>>,
    checks: AtomicU64,
}

/// The outcome of charging one request.
enum Charge {
    Allowed { remaining: u32, reset: Duration },
    Refused { retry_after: Duration },
}

impl Budget {
    fn new(limit: u32, period: Duration) -> Option<Self> {
        let burst = NonZeroU32::new(limit)?;
        let quota = Quota::with_period(period / limit)?.allow_burst(burst);
        Some(Self {
            limit,
            period,
            limiter: governor::RateLimiter::keyed(quota)
                .with_middleware::<StateInformationMiddleware>(),
            blocked: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        })
    }

    /// Takes one cell of `client`'s allowance, or says how long until one is due.
    fn charge(&self, client: &str) -> Charge {
        self.maybe_clean_up();
        match self.limiter.check_key(&client.to_string()) {
            Ok(snapshot) => Charge::Allowed {
                remaining: snapshot.remaining_burst_capacity(),
                reset: self.until_full(&snapshot),
            },
            Err(not_until) => {
                let retry_after = not_until.wait_time_from(self.limiter.clock().now());
                self.blocked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(client.to_string(), Instant::now() + retry_after);
                Charge::Refused { retry_after }
            }
        }
    }

    /// How long `client` is still blocked after a failed charge, if at all.
    fn blocked_for(&self, client: &str) -> Option<Duration> {
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let until = *blocked.get(client)?;
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            blocked.remove(client);
            return None;
        }
        Some(left)
    }

    /// Time until the whole allowance is back: one cell per `period / limit`.
    fn until_full(&self, snapshot: &StateSnapshot) -> Duration {
        let used = self
            .limit
            .saturating_sub(snapshot.remaining_burst_capacity());
        self.period / self.limit * used
    }

    fn maybe_clean_up(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % CLEANUP_EVERY == CLEANUP_EVERY - 1 {
            self.clean_up();
        }
    }

    /// Drops every client whose allowance is full again, and every expired block.
    fn clean_up(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        blocked.retain(|_, until| *until > now);
        blocked.shrink_to_fit();
    }
}

/// Whole seconds, rounded up, at least 1: the unit of `Retry-After` and `RateLimit-Reset`.
fn ceil_secs(duration: Duration) -> u64 {
    (duration.as_secs() + u64::from(duration.subsec_nanos() > 0)).max(1)
}

fn set(headers: &mut HeaderMap, name: &'static str, value: impl Into<HeaderValue>) {
    headers.insert(HeaderName::from_static(name), value.into());
}

/// `RateLimit-Limit`, `-Remaining` and `-Reset` of a request its budget allowed.
fn allowance_headers(headers: &mut HeaderMap, limit: u32, remaining: u32, reset: Duration) {
    set(headers, "ratelimit-limit", limit);
    set(headers, "ratelimit-remaining", remaining);
    set(headers, "ratelimit-reset", ceil_secs(reset));
}

/// The 429 of a refused request.
fn refusal(limit: u32, write: bool, retry_after: Duration) -> ApiError {
    let seconds = ceil_secs(retry_after);
    let kind = if write { "writes" } else { "reads" };
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        format!("this client may make {limit} {kind} a minute; try again in {seconds} s"),
    )
    .with_header(RETRY_AFTER, HeaderValue::from(seconds))
    .with_header(
        HeaderName::from_static("ratelimit-limit"),
        HeaderValue::from(limit),
    )
    .with_header(
        HeaderName::from_static("ratelimit-remaining"),
        HeaderValue::from(0u32),
    )
    .with_header(
        HeaderName::from_static("ratelimit-reset"),
        HeaderValue::from(seconds),
    )
}

/// The budget key of a request: its key's name, else its client address.
fn client_of(req: &ServiceRequest) -> String {
    crate::client_addr::client_key(&req.extensions(), req.peer_addr())
}

/// Middleware: charges the request to its client's read or write budget.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let write = crate::http::is_write(req.method());
    let limits = req.app_data::<web::Data<RateLimits>>().cloned();
    let Some(budget) = limits.as_deref().and_then(|l| l.budget(write)) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let client = client_of(&req);
    let conditional = !write && req.headers().contains_key(IF_NONE_MATCH);
    if !conditional {
        return match budget.charge(&client) {
            Charge::Allowed { remaining, reset } => {
                let mut response = next.call(req).await?.map_into_boxed_body();
                allowance_headers(response.headers_mut(), budget.limit, remaining, reset);
                Ok(response)
            }
            Charge::Refused { retry_after } => {
                Ok(req.error_response(refusal(budget.limit, write, retry_after)))
            }
        };
    }
    // A conditional read: refused up front while blocked, else charged after the handler
    // unless it answered 304 (see the module docs for why this bounds the work done).
    if let Some(retry_after) = budget.blocked_for(&client) {
        return Ok(req.error_response(refusal(budget.limit, write, retry_after)));
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    if response.status() == StatusCode::NOT_MODIFIED {
        // Not charged: the allowance left is whatever it was; only the limit is known here.
        set(response.headers_mut(), "ratelimit-limit", budget.limit);
        return Ok(response);
    }
    match budget.charge(&client) {
        Charge::Allowed { remaining, reset } => {
            allowance_headers(response.headers_mut(), budget.limit, remaining, reset);
            Ok(response)
        }
        Charge::Refused { retry_after } => {
            let request = response.request().clone();
            Ok(ServiceResponse::from_err(
                refusal(budget.limit, write, retry_after),
                request,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(budget: &Budget, client: &str) -> Option<u32> {
        match budget.charge(client) {
            Charge::Allowed { remaining, .. } => Some(remaining),
            Charge::Refused { .. } => None,
        }
    }

    #[test]
    fn a_budget_allows_its_burst_then_refuses_per_client() {
        let budget = Budget::new(3, Duration::from_secs(3600)).unwrap();
        assert_eq!(allowed(&budget, "a"), Some(2));
        assert_eq!(allowed(&budget, "a"), Some(1));
        assert_eq!(allowed(&budget, "a"), Some(0));
        assert_eq!(allowed(&budget, "a"), None);
        assert!(budget.blocked_for("a").is_some(), "a failed charge blocks");
        assert_eq!(allowed(&budget, "b"), Some(2), "another client");
        assert!(budget.blocked_for("b").is_none());
        assert!(Budget::new(0, MINUTE).is_none(), "0 = unlimited");
    }

    #[test]
    fn the_allowance_refills_smoothly() {
        // 2 per 100 ms: one cell every 50 ms.
        let budget = Budget::new(2, Duration::from_millis(100)).unwrap();
        assert_eq!(allowed(&budget, "a"), Some(1));
        assert_eq!(allowed(&budget, "a"), Some(0));
        let Charge::Refused { retry_after } = budget.charge("a") else {
            panic!("over the burst")
        };
        assert!(retry_after <= Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(120));
        assert!(budget.blocked_for("a").is_none(), "the block expired");
        assert!(allowed(&budget, "a").is_some());
    }

    #[test]
    fn clean_up_forgets_clients_whose_allowance_is_full() {
        let limits = RateLimits::with_period(5, 5, Duration::from_millis(10));
        let reads = limits.reads.as_ref().unwrap();
        for n in 0..500 {
            reads.charge(&format!("client-{n}"));
        }
        assert_eq!(limits.tracked_clients(), 500);
        // Well after every allowance refilled, the periodic clean-up drops them all but the
        // client charged now.
        std::thread::sleep(Duration::from_millis(100));
        for _ in 0..CLEANUP_EVERY {
            reads.charge("steady");
        }
        assert!(
            limits.tracked_clients() <= 2,
            "{} clients kept",
            limits.tracked_clients()
        );
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(ceil_secs(Duration::from_millis(1)), 1);
        assert_eq!(ceil_secs(Duration::from_millis(1001)), 2);
        assert_eq!(ceil_secs(Duration::ZERO), 1);
    }
}

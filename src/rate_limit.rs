//! Per-client rate limits, separately for reads and writes: a fixed one-minute window per
//! client, answered with `RateLimit-*` headers and, over the limit, a 429 with `Retry-After`.
//!
//! The client is the API key's name when the request carries one, else the peer address. The
//! counters live in this process: with several replicas each counts on its own (see
//! docs/operations.md for sharing them).

use crate::auth::Actor;
use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Counters of the current window.
pub struct RateLimiter {
    reads_per_minute: u32,
    writes_per_minute: u32,
    windows: Mutex<Windows>,
}

struct Windows {
    started: Instant,
    counts: HashMap<(String, bool), u32>,
}

/// The state of one client's window after counting a request.
struct Verdict {
    limit: u32,
    remaining: u32,
    reset: Duration,
    allowed: bool,
}

impl RateLimiter {
    pub fn new(reads_per_minute: u32, writes_per_minute: u32) -> Self {
        Self {
            reads_per_minute,
            writes_per_minute,
            windows: Mutex::new(Windows {
                started: Instant::now(),
                counts: HashMap::new(),
            }),
        }
    }

    fn count(&self, client: String, write: bool) -> Option<Verdict> {
        let limit = if write {
            self.writes_per_minute
        } else {
            self.reads_per_minute
        };
        if limit == 0 {
            return None;
        }
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if now.duration_since(windows.started) >= WINDOW {
            // A new window: forgetting every old counter also bounds the memory used.
            windows.started = now;
            windows.counts.clear();
        }
        let reset = WINDOW.saturating_sub(now.duration_since(windows.started));
        let used = windows.counts.entry((client, write)).or_insert(0);
        let allowed = *used < limit;
        if allowed {
            *used += 1;
        }
        Some(Verdict {
            limit,
            remaining: limit - *used,
            reset,
            allowed,
        })
    }
}

fn header(name: &'static str, value: impl ToString) -> (HeaderName, HeaderValue) {
    (
        HeaderName::from_static(name),
        HeaderValue::from_str(&value.to_string()).unwrap_or(HeaderValue::from_static("0")),
    )
}

/// Middleware: counts the request against its client's window.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let client = match req.extensions().get::<Actor>() {
        Some(actor) => format!("key:{}", actor.name),
        None => format!(
            "ip:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    };
    let verdict = req
        .app_data::<web::Data<RateLimiter>>()
        .and_then(|limiter| limiter.count(client, write));
    let Some(verdict) = verdict else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let reset = verdict.reset.as_secs().max(1);
    let headers = [
        header("ratelimit-limit", verdict.limit),
        header("ratelimit-remaining", verdict.remaining),
        header("ratelimit-reset", reset),
    ];
    let mut response = if verdict.allowed {
        next.call(req).await?.map_into_boxed_body()
    } else {
        let kind = if write { "writes" } else { "reads" };
        let error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            format!(
                "this client may make {} {kind} a minute; try again in {reset} s",
                verdict.limit
            ),
        )
        .with_header(RETRY_AFTER, HeaderValue::from(reset));
        req.error_response(error)
    };
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_reads_and_writes_apart_per_client() {
        let limiter = RateLimiter::new(2, 1);
        assert!(limiter.count("a".into(), false).unwrap().allowed);
        assert!(limiter.count("a".into(), false).unwrap().allowed);
        let third = limiter.count("a".into(), false).unwrap();
        assert!(!third.allowed);
        assert_eq!(third.remaining, 0);
        assert!(
            limiter.count("b".into(), false).unwrap().allowed,
            "another client"
        );
        assert!(
            limiter.count("a".into(), true).unwrap().allowed,
            "writes count apart"
        );
        assert!(!limiter.count("a".into(), true).unwrap().allowed);
        assert!(
            RateLimiter::new(0, 0).count("a".into(), false).is_none(),
            "0 = unlimited"
        );
    }
}

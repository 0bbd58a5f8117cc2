//! Request context: a request id and the client address on every request, a request id,
//! problem+json bodies on every error response (whichever layer produced it), the caching rules
//! (`crate::cache_policy`) and the security headers (`crate::security_headers`) on every
//! response, and the access log.

use crate::error::{ApiError, PROBLEM_JSON};
use crate::policy::Policy;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

/// `X-Request-Id`: taken from the request when it is a sane token, else made here.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A request id worth keeping: 1 to 128 letters, digits and `-_.:`.
pub(crate) fn is_valid_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn request_id_of(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| is_valid_request_id(id))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string)
}

/// The problem for an error response that no `ApiError` describes (actix's own errors).
fn generic_problem(status: StatusCode, cause: Option<String>) -> ApiError {
    if status.is_server_error() {
        if let Some(cause) = cause {
            log::error!("unhandled server error: {cause}");
        }
        return ApiError::new(
            status,
            "internal",
            "Internal server error",
            "The server failed to handle this request; it has been logged.",
        );
    }
    let title = status.canonical_reason().unwrap_or("Error");
    ApiError::new(
        status,
        "http",
        "Request error",
        cause.unwrap_or_else(|| title.to_string()),
    )
}

/// Middleware: request id in, request id out, and a problem body on every error.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = std::time::Instant::now();
    let request_id = request_id_of(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let client = crate::client_addr::of(&req);
    if let Some(client) = client {
        req.extensions_mut().insert(client);
    }
    let instance = req.path().to_string();
    let method = req.method().clone();
    let keyed = req.headers().contains_key(AUTHORIZATION)
        || req
            .app_data::<web::Data<Policy>>()
            .is_some_and(|p| p.read_requires_key);

    let mut response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    let already_problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if (status.is_client_error() || status.is_server_error()) && !already_problem {
        let error = response.response().error();
        let api_error = match error.and_then(|e| e.as_error::<ApiError>()) {
            Some(api_error) => api_error.clone(),
            None => generic_problem(status, error.map(ToString::to_string)),
        };
        let body =
            serde_json::to_vec(&api_error.to_problem(&instance, &request_id)).unwrap_or_default();
        response = response.map_body(|head, _| {
            head.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
            BoxBody::new(body)
        });
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status();
    crate::cache_policy::static_files(&instance, status, response.headers_mut());
    crate::cache_policy::apply(&method, status, keyed, response.headers_mut());
    crate::security_headers::apply(&instance, response.headers_mut());
    // One access-log line per request: id, client address, key name (or `-`), method, route
    // template, status, latency.
    let actor = response
        .request()
        .extensions()
        .get::<crate::actor::Actor>()
        .map_or_else(|| "-".to_string(), |a| a.name.clone());
    // Route templates and known methods only: a label from the raw path or an invented method
    // would let any client add metric series without bound.
    let matched = response.request().match_pattern();
    let route = matched.as_deref().unwrap_or("<unmatched>");
    let method_label = match method.as_str() {
        known @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => known,
        _ => "OTHER",
    };
    crate::metrics::observe(
        method_label,
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    log::info!(
        target: "access",
        "{request_id} {} {actor} {method} {} {} {:.1}ms",
        client.map_or_else(|| "-".to_string(), |c| c.0.to_string()),
        matched.as_deref().unwrap_or(&instance),
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_sane_tokens() {
        assert!(is_valid_request_id("abc-123_X.y:z"));
        assert!(!is_valid_request_id(""));
        assert!(!is_valid_request_id("has space"));
        assert!(!is_valid_request_id(&"a".repeat(129)));
    }
}

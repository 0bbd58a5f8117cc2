//! The authorization middleware of `/api/v1`.

use super::keys;
use crate::actor::{unauthorized, Actor, Role};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::policy::Policy;
use crate::route_table::RouteTable;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

fn forbidden(role: Role, needed: Role) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Forbidden",
        format!(
            "this key has the role `{}`; this request needs `{}`",
            role.as_str(),
            needed.as_str()
        ),
    )
}

/// The role a request needs: `None` = anyone; `Some(None)` = any valid key.
fn needed_role(method: &Method, read_requires_key: bool) -> Option<Option<Role>> {
    match *method {
        Method::GET | Method::HEAD | Method::OPTIONS => read_requires_key.then_some(None),
        Method::DELETE => Some(Some(Role::Admin)),
        _ => Some(Some(Role::Editor)),
    }
}

fn bearer(req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| unauthorized())?;
    match value.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(key.trim().to_string()))
        }
        _ => Err(unauthorized()),
    }
}

/// Middleware: authenticates the key (if any) and enforces the role the method needs, on the
/// API's paths and `/metrics`. A refusal is an error *response* (not an `Err`), so the request-context
/// middleware around it renders it as a problem like any other.
pub async fn authorize(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Unknown routes and methods get their 404/405 whoever asks.
    let table = req.app_data::<web::Data<std::sync::Arc<RouteTable>>>();
    let routed = table.is_some_and(|table| table.serves(req.path(), req.method()));
    // `/metrics` is a read like the API's: it needs a key when reads do.
    let guarded = req.path().starts_with("/api/") || req.path() == "/metrics";
    // A known path asked with a method it does not take is a 405 here, before the router:
    // `PATCH /commitments/groups` would otherwise reach `/commitments/{id}` and end a 404.
    if guarded && !routed {
        if let Some(methods) = table.and_then(|table| table.allowed(req.path())) {
            let error = crate::route_table::method_not_allowed(req.request(), &methods);
            return Ok(req.error_response(error));
        }
    }
    if !guarded || !routed {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    match check(&req).await {
        Ok(Some(actor)) => {
            req.extensions_mut().insert(actor);
        }
        Ok(None) => {}
        Err(error) => return Ok(req.error_response(error)),
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// The caller, if authenticated, or why the request is refused.
async fn check(req: &ServiceRequest) -> Result<Option<Actor>, ApiError> {
    let read_requires_key = req
        .app_data::<web::Data<Policy>>()
        .is_some_and(|p| p.read_requires_key);
    let needed = needed_role(req.method(), read_requires_key);
    let Some(key) = bearer(req)? else {
        return match needed {
            None => Ok(None),
            Some(_) => Err(unauthorized()),
        };
    };
    let pool = req
        .app_data::<web::Data<DbPool>>()
        .ok_or_else(|| ApiError::internal("no database pool"))?;
    // Invalid keys are rate limited per address: each one costs a lookup on the primary.
    let limits = req.app_data::<web::Data<crate::rate_limit::RateLimits>>();
    let address = crate::client_addr::address_key(&req.extensions(), req.peer_addr());
    if let Some(refusal) = limits.and_then(|l| l.refuse_key_lookup(&address)) {
        return Err(refusal);
    }
    let mut conn = db::conn(pool).await?;
    let verified = keys::verify(&mut conn, &key).await?;
    let Some((name, role)) = verified else {
        return Err(limits
            .and_then(|l| l.charge_bad_key(&address))
            .unwrap_or_else(unauthorized));
    };
    if let Some(Some(needed)) = needed {
        if role < needed {
            return Err(forbidden(role, needed));
        }
    }
    Ok(Some(Actor { name, role }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_need_roles() {
        assert_eq!(needed_role(&Method::GET, false), None);
        assert_eq!(needed_role(&Method::GET, true), Some(None));
        assert_eq!(needed_role(&Method::POST, false), Some(Some(Role::Editor)));
        assert_eq!(needed_role(&Method::PUT, false), Some(Some(Role::Editor)));
        assert_eq!(needed_role(&Method::PATCH, false), Some(Some(Role::Editor)));
        assert_eq!(needed_role(&Method::DELETE, false), Some(Some(Role::Admin)));
    }
}

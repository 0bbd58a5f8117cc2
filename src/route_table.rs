//! The table of documented routes and their methods, made from the spec: tells an unknown route
//! (404) from a known route asked with the wrong method (405, with `Allow`), for the default
//! service and for the authorization middleware (which must not ask for a key first).

use crate::error::ApiError;
use crate::head_method::RequestLineMethod;
use actix_web::dev::ResourceDef;
use actix_web::http::header::{HeaderValue, ALLOW};
use actix_web::http::Method;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use std::sync::Arc;

/// The spec's paths and their methods, to tell an unknown route (404) from a known route asked
/// with the wrong method (405, with `Allow`).
pub struct RouteTable(Vec<(ResourceDef, Vec<Method>)>);

impl RouteTable {
    /// The routes of `spec`, the fixed operational routes, and `/metrics` when this app serves it.
    pub fn from_spec(spec: &utoipa::openapi::OpenApi, with_metrics: bool) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &spec.paths.paths {
            let mut methods = Vec::new();
            let operations = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ];
            for (method, present) in operations {
                if present {
                    let get = method == Method::GET;
                    methods.push(method);
                    // Every GET route answers HEAD too (`crate::head_method`).
                    if get {
                        methods.push(Method::HEAD);
                    }
                }
            }
            routes.push((ResourceDef::new(path.as_str()), methods));
        }
        let read_only = || vec![Method::GET, Method::HEAD];
        for fixed in ["/", "/healthz", "/readyz", "/openapi.json"] {
            routes.push((ResourceDef::new(fixed), read_only()));
        }
        if with_metrics {
            routes.push((ResourceDef::new("/metrics"), read_only()));
        }
        Self(routes)
    }

    /// Whether a documented route serves `method` at `path` (else the answer is 404 or 405,
    /// whoever asks).
    pub fn serves(&self, path: &str, method: &Method) -> bool {
        self.allowed(path)
            .is_some_and(|methods| methods.contains(method))
    }

    /// The methods of the routes matching `path`. A literal route wins over a template that
    /// also matches: `/commitments/groups` is GET only, although `/commitments/{id}` would take
    /// it too, because no key can be `groups` (ids are numbers, codes three capitals, and
    /// `groups` is the one slug a local member may not take: `vocab::RESERVED_SLUG`).
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let matched: Vec<&(ResourceDef, Vec<Method>)> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .collect();
        if matched.is_empty() {
            return None;
        }
        let literal = |def: &ResourceDef| def.pattern().is_some_and(|p| !p.contains('{'));
        let chosen: Vec<_> = match matched.iter().any(|(def, _)| literal(def)) {
            true => matched
                .into_iter()
                .filter(|(def, _)| literal(def))
                .collect(),
            false => matched,
        };
        let mut methods: Vec<Method> = Vec::new();
        for (_, route_methods) in chosen {
            for method in route_methods {
                if !methods.contains(method) {
                    methods.push(method.clone());
                }
            }
        }
        Some(methods)
    }
}

/// The method the client sent (a HEAD is routed as a GET).
fn request_line_method(req: &HttpRequest) -> Method {
    req.extensions()
        .get::<RequestLineMethod>()
        .map_or_else(|| req.method().clone(), |m| m.0.clone())
}

/// Unknown route → 404, known route with another method → 405 with `Allow`.
pub async fn no_route(
    req: HttpRequest,
    table: web::Data<Arc<RouteTable>>,
) -> Result<HttpResponse, ApiError> {
    Err(match table.allowed(req.path()) {
        Some(methods) => method_not_allowed(&req, &methods),
        None => ApiError::not_found(format!("no route matches `{}`", req.path())),
    })
}

/// The 405 of a known route asked with a method it does not take, with `Allow`.
pub fn method_not_allowed(req: &HttpRequest, methods: &[Method]) -> ApiError {
    {
        {
            let allow = methods
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::new(
                actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!(
                    "{} is not allowed here; allowed: {allow}",
                    request_line_method(req)
                ),
            )
            .with_header(
                ALLOW,
                HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET")),
            )
        }
    }
}

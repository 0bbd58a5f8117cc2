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
pub struct RouteTable(Vec<Route>);

/// One route: its pattern, its segments for the quick test, its methods.
struct Route {
    def: ResourceDef,
    shape: Option<Vec<Segment>>,
    methods: Vec<Method>,
}

/// A segment of a route's pattern, as the quick test reads it.
#[derive(Debug, PartialEq, Eq)]
enum Segment {
    /// Text that must be the path's segment exactly.
    Literal(String),
    /// `{name}`: one segment, whatever it holds.
    Any,
}

/// The segments of `pattern` when each is a literal or a whole plain `{name}`; `None` for
/// anything else (a custom regex, a tail, a parameter inside text), which only the regex tests.
fn shape(pattern: &str) -> Option<Vec<Segment>> {
    pattern
        .split('/')
        .map(|segment| match (segment.find('{'), segment.find('}')) {
            (None, None) => Some(Segment::Literal(segment.to_string())),
            (Some(0), Some(end)) if end == segment.len() - 1 && !segment.contains([':', '*']) => {
                Some(Segment::Any)
            }
            _ => None,
        })
        .collect()
}

impl Route {
    fn new(pattern: &str, methods: Vec<Method>) -> Self {
        Self {
            def: ResourceDef::new(pattern),
            shape: shape(pattern),
            methods,
        }
    }

    /// Whether the route matches `path`. Every request looks itself up here (for its 404 or
    /// 405 before any 401), and the route's regex is the dear part: the segments are compared
    /// first, which rules out nearly every route without it. The segment test is only a
    /// necessary condition (a `{name}` takes any segment here, a non-empty one in the regex),
    /// so the regex still decides.
    fn matches(&self, path: &str, segments: &[&str]) -> bool {
        let plausible = self.shape.as_ref().is_none_or(|shape| {
            shape.len() == segments.len()
                && shape
                    .iter()
                    .zip(segments)
                    .all(|(part, segment)| match part {
                        Segment::Literal(text) => text == segment,
                        Segment::Any => true,
                    })
        });
        plausible && self.def.is_match(path)
    }
}

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
            routes.push(Route::new(path, methods));
        }
        let read_only = || vec![Method::GET, Method::HEAD];
        for fixed in ["/", "/healthz", "/readyz", "/openapi.json"] {
            routes.push(Route::new(fixed, read_only()));
        }
        if with_metrics {
            routes.push(Route::new("/metrics", read_only()));
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
        let segments: Vec<&str> = path.split('/').collect();
        let matched: Vec<&Route> = self
            .0
            .iter()
            .filter(|route| route.matches(path, &segments))
            .collect();
        if matched.is_empty() {
            return None;
        }
        let literal = |route: &Route| route.def.pattern().is_some_and(|p| !p.contains('{'));
        let chosen: Vec<_> = match matched.iter().any(|route| literal(route)) {
            true => matched.into_iter().filter(|route| literal(route)).collect(),
            false => matched,
        };
        let mut methods: Vec<Method> = Vec::new();
        for route in chosen {
            for method in &route.methods {
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

#[cfg(test)]
mod tests {
    use super::*;

    const PATTERNS: [&str; 7] = [
        "/",
        "/api/v1/countries",
        "/api/v1/countries/{code}",
        "/api/v1/countries/{code}/action-plans",
        "/api/v1/commitments/groups",
        "/api/v1/commitments/{id}",
        "/files/{tail:.*}",
    ];

    #[test]
    fn patterns_become_segments_or_are_left_to_the_regex() {
        assert_eq!(
            shape("/api/v1/countries/{code}"),
            Some(vec![
                Segment::Literal(String::new()),
                Segment::Literal("api".into()),
                Segment::Literal("v1".into()),
                Segment::Literal("countries".into()),
                Segment::Any,
            ])
        );
        assert_eq!(shape("/files/{tail:.*}"), None);
        assert_eq!(shape("/x/{id}.json"), None);
    }

    #[test]
    fn the_segment_test_never_rules_out_what_the_regex_matches() {
        let paths = [
            "/",
            "",
            "/api/v1/countries",
            "/api/v1/countries/",
            "/api/v1/countries/MEX",
            "/api/v1/countries/MEX/",
            "/api/v1/countries//action-plans",
            "/api/v1/countries/MEX/action-plans",
            "/api/v1/commitments/groups",
            "/api/v1/commitments/12",
            "/api/v1/commitments/12/x",
            "/files/a/b/c",
            "/files/",
            "/API/v1/countries/MEX",
        ];
        for pattern in PATTERNS {
            let route = Route::new(pattern, vec![Method::GET]);
            for path in paths {
                let segments: Vec<&str> = path.split('/').collect();
                assert_eq!(
                    route.matches(path, &segments),
                    route.def.is_match(path),
                    "{pattern} against {path}"
                );
            }
        }
    }

    #[test]
    fn a_literal_route_wins_over_a_template() {
        let table = RouteTable(vec![
            Route::new("/api/v1/commitments/groups", vec![Method::GET]),
            Route::new("/api/v1/commitments/{id}", vec![Method::GET, Method::PATCH]),
        ]);
        assert_eq!(
            table.allowed("/api/v1/commitments/groups"),
            Some(vec![Method::GET])
        );
        assert_eq!(
            table.allowed("/api/v1/commitments/7"),
            Some(vec![Method::GET, Method::PATCH])
        );
        assert_eq!(table.allowed("/api/v1/commitments/7/x"), None);
    }
}

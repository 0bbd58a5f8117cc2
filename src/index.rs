//! `GET /`: where everything is, like GitHub's API root: the docs, the spec, every collection
//! and view, the change feed and the operational endpoints. Made from the spec at start-up,
//! so it lists exactly the routes the server has.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{get, web, HttpResponse};
use serde_json::{json, Map, Value};

/// The body of `/`, made once per app.
pub struct ApiIndex(Value);

impl ApiIndex {
    /// The index of `spec`: each GET path under `/api/v1` without a parameter is a
    /// collection (or view) named by its last segments.
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let mut collections = Map::new();
        for (path, item) in &spec.paths.paths {
            if item.get.is_none() || path.contains('{') {
                continue;
            }
            if let Some(name) = path.strip_prefix("/api/v1/") {
                collections.insert(name.replace('/', "_"), Value::from(path.as_str()));
            }
        }
        Self(json!({
            "name": spec.info.title,
            "version": spec.info.version,
            "documentation_url": "/docs/",
            "openapi_url": "/openapi.json",
            "collections": collections,
            "health_url": "/healthz",
            "readiness_url": "/readyz",
        }))
    }
}

/// The API's root: links to its documentation, spec and collections.
#[get("/")]
pub async fn index(index: web::Data<ApiIndex>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .json(&index.0)
}

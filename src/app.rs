//! The App: routes (and with them the spec), middleware, extractor error handlers, the docs UI
//! and the problem+json default service. The server, the tests and the spec test all build it
//! from here.

use crate::body::{BodyLimit, BodyTimeout};
use crate::db::DbPool;
use crate::error::ApiError;
use crate::health;
use crate::listing::budget::ExportBudget;
use crate::listing::include::{Source, Sources};
use crate::middleware::request_context;
use crate::openapi::ApiDoc;
use crate::rate_limit::RateLimits;
use crate::resources;
use crate::route_table::{no_route, RouteTable};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::{Config, SwaggerUi};

pub use crate::policy::Policy;

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// Where reads go: a replica (`DATABASE_READ_URL`), else the primary.
    pub read_pool: Option<DbPool>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Largest import body (`POST /imports`), compressed and again decompressed, in bytes.
    pub import_body_limit: usize,
    /// How long reading a whole request body may take (else 408).
    pub body_timeout: std::time::Duration,
    /// The process-wide export budget: made once, shared by every worker through the `Arc`.
    pub exports: Arc<ExportBudget>,
    pub policy: Policy,
    /// The rate-limit budgets of this process: made once and shared by every worker, so each
    /// client has one budget whichever worker serves it.
    pub limits: Arc<RateLimits>,
    /// Watches `read_pool`'s replica (one per process): reads use it only while it is up and
    /// current. `None` with a `read_pool`: every read goes there (no lag tracking).
    pub replica_monitor: Option<Arc<crate::db::replica::ReplicaMonitor>>,
    /// The read cache (one per process, shared): `None` when it is off (`OGP_READ_CACHE_BYTES`
    /// 0, or a read replica is configured).
    pub read_cache: Option<Arc<crate::read_cache::ReadCache>>,
}

impl AppState {
    /// Where this state's reads go (the pools and the replica monitor, shared).
    pub fn read_routing(&self) -> crate::db::read::ReadRouting {
        crate::db::read::ReadRouting::new(
            self.pool.clone(),
            self.read_pool.clone(),
            self.replica_monitor.clone(),
        )
    }

    /// The defaults of a fresh install over `pool`.
    pub fn new(pool: DbPool) -> Self {
        Self::with_policy(pool, Policy::default())
    }

    /// A fresh install over `pool` with `policy` (and the rate limits it asks for).
    pub fn with_policy(pool: DbPool, policy: Policy) -> Self {
        Self {
            exports: Arc::new(ExportBudget::for_pool(&pool)),
            pool,
            read_pool: None,
            body_limit: crate::body::DEFAULT_BODY_LIMIT,
            import_body_limit: crate::bundle::DEFAULT_IMPORT_BODY_LIMIT,
            body_timeout: crate::body::DEFAULT_BODY_TIMEOUT,
            limits: Arc::new(RateLimits::from_policy(&policy)),
            read_cache: None,
            policy,
            replica_monitor: None,
        }
    }
}

/// Every API route, registered once: this call both routes requests and writes the spec.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            .configure(resources::countries::configure)
            .configure(resources::local_members::configure)
            .configure(resources::action_plans::configure)
            .configure(resources::commitments::configure)
            .configure(resources::milestones::configure)
            .configure(resources::irm_findings::configure)
            .configure(crate::views::configure)
            .configure(crate::changes::configure)
            .configure(crate::bundle::configure),
    );
}

/// The OpenAPI document of this build, as served at `/openapi.json`.
pub fn openapi_spec() -> utoipa::openapi::OpenApi {
    let (_, collected) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    crate::spec_document::finished(collected).spec.clone()
}

/// The collections `include` embeds as parents (`listing::include`), registered here where
/// every resource may be named (a child's list names its parents by collection only).
pub static INCLUDE_SOURCES: [Source; 4] = [
    resources::countries::list::SOURCE,
    resources::local_members::list::SOURCE,
    resources::action_plans::list::SOURCE,
    resources::commitments::list::SOURCE,
];

/// CORS for browser apps on the configured origins (none by default). Preflights are answered
/// before authentication; the headers clients need to read are exposed. Public for the
/// per-middleware benchmark (`examples/http_floor.rs`), which stacks the same layers.
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "content-encoding",
            "x-request-id",
            // W3C trace context, which browser tracing libraries add to every request.
            "traceparent",
            "tracestate",
        ])
        .expose_headers([
            "etag",
            "link",
            "location",
            "x-request-id",
            "retry-after",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "idempotent-replayed",
            "content-disposition",
        ])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

/// `/docs` → `/docs/`, where the Swagger UI lives.
async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// Builds the application around a pool.
pub fn build(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, collected) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    // Finished once per process, shared by every worker.
    let document = crate::spec_document::finished(collected);
    let with_metrics = !state.policy.metrics_elsewhere;
    let table = Arc::new(RouteTable::from_spec(&document.spec, with_metrics));
    let index = web::Data::new(crate::index::ApiIndex::from_spec(&document.spec));

    // The process's one set of budgets, shared (not copied) into this worker's app.
    let limiter = web::Data::from(state.limits.clone());
    let cors = cors(&state.policy.cors_origins);
    let reads = state.read_routing();
    let app = match &state.read_cache {
        Some(cache) => app.app_data(web::Data::from(cache.clone())),
        None => app,
    };
    app.app_data(web::Data::new(state.pool.clone()))
        .app_data(web::Data::new(reads))
        .app_data(web::Data::new(state.policy.clone()))
        .app_data(limiter)
        .app_data(web::Data::new(table))
        .app_data(BodyLimit(state.body_limit))
        .app_data(crate::bundle::ImportBodyLimit(state.import_body_limit))
        .app_data(BodyTimeout(state.body_timeout))
        .app_data(web::Data::from(state.exports.clone()))
        .app_data(web::Data::new(Sources(&INCLUDE_SOURCES)))
        .app_data(web::QueryConfig::default().error_handler(|error, _req| {
            ApiError::invalid_query(format!("invalid query: {error}")).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_error, req| {
            ApiError::not_found(format!("no resource at `{}`", req.path())).into()
        }))
        .app_data(index)
        .service(crate::index::index)
        .configure(health::configure)
        .configure(|cfg| {
            if with_metrics {
                cfg.service(health::metrics);
            }
        })
        .route("/docs", web::get().to(redirect_to_docs))
        .app_data(web::Data::from(document))
        .service(crate::spec_document::openapi_json)
        .service(SwaggerUi::new("/docs/{_:.*}").config(Config::new(["/openapi.json"])))
        .default_service(web::to(no_route))
        .wrap(from_fn(crate::localize::localize))
        // Just outside the labels: it keeps and answers what the handlers and the labels made.
        .wrap(from_fn(crate::read_cache::middleware::serve))
        .wrap(from_fn(crate::db::read::remember_writes))
        .wrap(from_fn(crate::idempotency::idempotent))
        .wrap(from_fn(crate::request_target::check))
        .wrap(from_fn(crate::rate_limit::limit))
        .wrap(from_fn(crate::auth::middleware::authorize))
        .wrap(cors)
        .wrap(from_fn(crate::head_method::route_head_as_get))
        .wrap(from_fn(request_context))
        .wrap(from_fn(crate::compression::compress))
}

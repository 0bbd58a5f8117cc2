//! The HTTP floor of the benchmark (issue 16, bench/README.md): a static actix-web handler
//! answering fixed bytes (bench/run.py gives it the body of `GET /api/v1/countries/{code}`)
//! with no database, optionally wrapped in the API's own middleware layers.
//!
//! `--layers N` stacks the N outermost of the layers `app::build` stacks, in its order
//! (compression, request context, HEAD-as-GET, CORS, authorization, rate limit, request target,
//! idempotency, read routing, localization): 0 is the bare floor, 10 all of them. run.py runs
//! 0 to 10 and reports what each layer adds per request. The handler sits on the API's own
//! route template, with the API's route table and policy, so each layer takes the path it takes
//! for a real `GET` of one country (authorization sees a routed, keyless read; localization
//! sees the `countries` collection).
//!
//! `cargo build --release --example http_floor`, then
//! `http_floor --body FILE --bind 127.0.0.1:18490 --layers 0`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use clap::Parser;
use ogp_api::app::{openapi_spec, Policy};
use ogp_api::rate_limit::RateLimits;
use ogp_api::route_table::RouteTable;
use std::sync::Arc;

/// Command line of the floor server.
#[derive(Parser, Debug, Clone)]
struct Args {
    /// The file whose bytes every request is answered with (as `application/json`).
    #[arg(long)]
    body: std::path::PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:18490")]
    bind: String,
    /// How many of the API's middleware layers, outermost first, wrap the handler (0 to 10).
    #[arg(long, default_value_t = 0)]
    layers: usize,
    /// HTTP workers (default: actix's, one per core, as the API's default).
    #[arg(long)]
    workers: Option<usize>,
    /// The read budget per client and minute, 0 for none (run.py runs the API with none).
    #[arg(long, default_value_t = 0)]
    reads_per_minute: u32,
}

/// What every worker shares: the body, and the API's route table, policy and budgets.
#[derive(Clone)]
struct Floor {
    body: web::Bytes,
    table: Arc<RouteTable>,
    policy: Policy,
    limits: Arc<RateLimits>,
}

/// The static answer.
async fn answer(floor: web::Data<Floor>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(floor.body.clone())
}

/// The app without middleware: the static handler on the API's route template, and the app
/// data the layers read (the route table, the policy, the rate-limit budgets).
fn floor_app(
    floor: &Floor,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(floor.clone()))
        .app_data(web::Data::new(floor.table.clone()))
        .app_data(web::Data::new(floor.policy.clone()))
        .app_data(web::Data::from(floor.limits.clone()))
        .route("/api/v1/countries/{code}", web::get().to(answer))
}

/// Runs the floor wrapped in the given layers (innermost first, as `.wrap` calls go).
macro_rules! serve {
    ($floor:expr, $args:expr; $($layer:expr),*) => {{
        let floor = $floor.clone();
        let mut server = HttpServer::new(move || floor_app(&floor) $(.wrap($layer))*);
        if let Some(workers) = $args.workers {
            server = server.workers(workers);
        }
        server.bind(&$args.bind)?.run().await
    }};
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    use ogp_api::auth::middleware::authorize;
    use ogp_api::compression::compress;
    use ogp_api::db::read::remember_writes;
    use ogp_api::head_method::route_head_as_get;
    use ogp_api::idempotency::idempotent;
    use ogp_api::localize::localize;
    use ogp_api::middleware::request_context;
    use ogp_api::rate_limit::limit;
    use ogp_api::request_target::check;

    let args = Args::parse();
    let policy = Policy::default();
    let floor = Floor {
        body: std::fs::read(&args.body)?.into(),
        table: Arc::new(RouteTable::from_spec(&openapi_spec(), true)),
        limits: Arc::new(RateLimits::new(args.reads_per_minute, 0)),
        policy,
    };
    let cors = || ogp_api::app::cors(&[]);
    match args.layers {
        0 => serve!(floor, args;),
        1 => serve!(floor, args; from_fn(compress)),
        2 => serve!(floor, args; from_fn(request_context), from_fn(compress)),
        3 => serve!(floor, args; from_fn(route_head_as_get), from_fn(request_context),
            from_fn(compress)),
        4 => serve!(floor, args; cors(), from_fn(route_head_as_get), from_fn(request_context),
            from_fn(compress)),
        5 => serve!(floor, args; from_fn(authorize), cors(), from_fn(route_head_as_get),
            from_fn(request_context), from_fn(compress)),
        6 => serve!(floor, args; from_fn(limit), from_fn(authorize), cors(),
            from_fn(route_head_as_get), from_fn(request_context), from_fn(compress)),
        7 => serve!(floor, args; from_fn(check), from_fn(limit), from_fn(authorize), cors(),
            from_fn(route_head_as_get), from_fn(request_context), from_fn(compress)),
        8 => serve!(floor, args; from_fn(idempotent), from_fn(check), from_fn(limit),
            from_fn(authorize), cors(), from_fn(route_head_as_get), from_fn(request_context),
            from_fn(compress)),
        9 => serve!(floor, args; from_fn(remember_writes), from_fn(idempotent), from_fn(check),
            from_fn(limit), from_fn(authorize), cors(), from_fn(route_head_as_get),
            from_fn(request_context), from_fn(compress)),
        10 => serve!(floor, args; from_fn(localize), from_fn(remember_writes),
            from_fn(idempotent), from_fn(check), from_fn(limit), from_fn(authorize), cors(),
            from_fn(route_head_as_get), from_fn(request_context), from_fn(compress)),
        n => Err(std::io::Error::other(format!(
            "--layers {n}: the API stacks 10 layers"
        ))),
    }
}

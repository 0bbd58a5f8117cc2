//! `/countries`: OGP member countries, keyed by ISO 3166-1 alpha-3 code.

pub mod handlers;
mod item;
pub mod list;
pub mod model;
pub mod query;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "countries";

pub fn configure(cfg: &mut ServiceConfig) {
    // `/countries/groups` before `/countries/{key}`, which would take `groups` as a key.
    cfg.service(handlers::country_groups)
        .service(handlers::list_countries)
        .service(handlers::get_country)
        .service(handlers::create_country)
        .service(handlers::put_country)
        .service(handlers::update_country)
        .service(handlers::delete_country);
}

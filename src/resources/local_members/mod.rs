//! `/local-members`: OGP Local members (cities, states, provinces, regions; since 2016), keyed by
//! their slug, each belonging to an OGP member country.

pub mod handlers;
mod item;
pub mod list;
pub mod model;
pub mod query;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "local-members";

/// Registers the local-member routes (the plans' alias under a member is the plans' own).
pub fn configure(cfg: &mut ServiceConfig) {
    // `/local-members/groups` before `/local-members/{key}`, which would take `groups` as a key.
    cfg.service(handlers::local_member_groups)
        .service(handlers::list_local_members)
        .service(handlers::list_country_local_members)
        .service(handlers::get_local_member)
        .service(handlers::create_local_member)
        .service(handlers::put_local_member)
        .service(handlers::update_local_member)
        .service(handlers::delete_local_member);
}

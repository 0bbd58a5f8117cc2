//! `/commitments`: the commitments of action plans.

pub mod handlers;
mod item;
pub mod list;
pub mod model;
pub mod query;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "commitments";

pub fn configure(cfg: &mut ServiceConfig) {
    // `/commitments/groups` before `/commitments/{key}`, which would take `groups` as a key.
    cfg.service(handlers::commitment_groups)
        .service(handlers::list_commitments)
        .service(handlers::list_action_plan_commitments)
        .service(handlers::get_commitment)
        .service(handlers::create_commitment)
        .service(handlers::update_commitment)
        .service(handlers::delete_commitment);
}

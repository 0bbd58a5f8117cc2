//! `/milestones`: the milestones of commitments.

pub mod handlers;
mod item;
pub mod list;
pub mod model;
pub mod query;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "milestones";

pub fn configure(cfg: &mut ServiceConfig) {
    // `/milestones/groups` before `/milestones/{key}`, which would take `groups` as a key.
    cfg.service(handlers::milestone_groups)
        .service(handlers::list_milestones)
        .service(handlers::list_commitment_milestones)
        .service(handlers::get_milestone)
        .service(handlers::create_milestone)
        .service(handlers::update_milestone)
        .service(handlers::delete_milestone);
}

//! `/action-plans`: the two-year action plans of countries and of their OGP Local members.

pub mod handlers;
mod item;
pub mod list;
pub mod model;
pub mod query;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "action-plans";

pub fn configure(cfg: &mut ServiceConfig) {
    // `/action-plans/groups` before `/action-plans/{key}`, which would take `groups` as a key.
    cfg.service(handlers::action_plan_groups)
        .service(handlers::list_action_plans)
        .service(handlers::list_country_action_plans)
        .service(handlers::list_local_member_action_plans)
        .service(handlers::get_action_plan)
        .service(handlers::create_action_plan)
        .service(handlers::update_action_plan)
        .service(handlers::delete_action_plan);
}

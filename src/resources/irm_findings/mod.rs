//! `/irm-findings`: what the IRM's reports state about action plans and their commitments.

pub mod eras;
pub mod handlers;
mod item;
pub mod list;
pub mod model;
pub mod query;
pub mod row;
pub mod rules;
pub mod verdicts;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "irm-findings";

pub fn configure(cfg: &mut ServiceConfig) {
    // `/irm-findings/groups` before `/irm-findings/{key}`, which would take `groups` as a key.
    cfg.service(handlers::irm_finding_groups)
        .service(handlers::list_irm_findings)
        .service(handlers::list_action_plan_irm_findings)
        .service(handlers::list_commitment_irm_findings)
        .service(handlers::get_irm_finding)
        .service(handlers::create_irm_finding)
        .service(handlers::update_irm_finding)
        .service(handlers::delete_irm_finding);
}

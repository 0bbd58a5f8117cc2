//! The change feed: every create, update and delete, in commit order, for incremental sync
//! (`/changes`) and per item (`/<resource>/{key}/history`). Rows are written by a trigger in
//! the same transaction as the change (see the migration `api_keys_changes_idempotency`).

pub mod handlers;
pub mod model;
pub mod query;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "changes";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_changes)
        .service(handlers::country_history)
        .service(handlers::local_member_history)
        .service(handlers::action_plan_history)
        .service(handlers::commitment_history)
        .service(handlers::milestone_history)
        .service(handlers::irm_finding_history);
}

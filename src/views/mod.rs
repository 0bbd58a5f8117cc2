//! Read-only views for dashboards, composed from several resources: the IRM report page of a
//! plan, commitment statistics, and the vocabularies with their labels in three languages.

pub mod irm_summary;
pub mod stats;
pub mod vocabularies;

use utoipa_actix_web::service_config::ServiceConfig;

/// OpenAPI tag of these endpoints.
pub const TAG: &str = "views";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(irm_summary::get_irm_summary)
        .service(stats::commitment_stats)
        .service(vocabularies::list_vocabularies)
        .service(vocabularies::get_vocabulary);
}

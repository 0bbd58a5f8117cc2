//! The six resources of API.md, one folder each: `model.rs` (types), `query.rs` (SQL),
//! `handlers.rs` (HTTP), `mod.rs` (tag and routes).

pub mod action_plans;
pub mod commitments;
pub mod countries;
pub mod irm_findings;
pub mod local_members;
pub mod milestones;

//! The one integration-test binary: black-box tests of the whole app against a real
//! PostgreSQL (see `helpers`).

mod action_plans;
mod architecture;
mod auth;
mod bad_input;
mod change_feed;
mod commitment_facts;
mod commitments;
mod concurrency;
mod countries;
mod crud;
mod demo_data;
mod errors;
mod exports;
mod exposure;
mod fixtures;
mod helpers;
mod hostile_input;
mod idempotency;
mod irm_eras;
mod irm_findings;
mod limits;
mod lists;
mod migrations;
mod milestones;
mod openapi_spec;
mod operations;
mod operations_outage;
mod pagination;
mod properties;
mod query_plans;
mod raw_http;
mod replica;
mod stalls;
mod supervision;
mod views;

//! ogp-api: the open data service of the Open Government Partnership and its Independent
//! Reporting Mechanism. `app::build` is what the server, the tests and the spec test share.

pub mod actor;
pub mod app;
pub mod auth;
pub mod body;
pub mod bundle;
pub mod cache_policy;
pub mod calendar;
pub mod changes;
pub mod client_addr;
pub mod compression;
pub mod config;
pub mod db;
pub mod error;
pub mod flow;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod json_keys;
pub mod listing;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod policy;
pub mod rate_limit;
pub mod request_target;
pub mod resources;
pub mod route_table;
pub mod schema;
pub mod security_headers;
pub mod seed;
pub mod server;
pub mod text;
pub mod views;
pub mod vocab;

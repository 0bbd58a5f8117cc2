//! ogp-api: the open data service of the Open Government Partnership and its Independent
//! Reporting Mechanism. `app::build` is what the server, the tests and the spec test share.

pub mod app;
pub mod body;
pub mod config;
pub mod db;
pub mod error;
pub mod health;
pub mod http;
pub mod listing;
pub mod middleware;
pub mod openapi;
pub mod resources;
pub mod schema;
pub mod seed;
pub mod views;
pub mod vocab;

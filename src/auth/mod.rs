//! Who may do what: API keys (made with the CLI, stored as hashes), roles, and the middleware
//! that checks them before any handler runs.
//!
//! Reads are public unless `OGP_READ_REQUIRES_KEY=true`; POST and PATCH need an `editor` (or
//! `admin`) key, DELETE an `admin` key. No key or an unknown/revoked key is a 401, a key whose
//! role is too weak a 403.

pub mod keys;
pub mod middleware;

pub use crate::actor::{Actor, Role};

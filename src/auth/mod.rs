//! Who may do what: API keys (made with the CLI, stored as hashes), roles, and the middleware
//! that checks them before any handler runs.
//!
//! Reads are public unless `OGP_READ_REQUIRES_KEY=true`; POST and PATCH need an `editor` (or
//! `admin`) key, DELETE an `admin` key. No key or an unknown/revoked key is a 401, a key whose
//! role is too weak a 403.

pub mod keys;
pub mod middleware;

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::{ready, Ready};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// May create and update.
    Editor,
    /// May also delete.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The authenticated caller, put in the request's extensions by the middleware. Write handlers
/// take it as an argument, so a write can never run unauthenticated.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The key's name: recorded as the actor of every change it makes.
    pub name: String,
    pub role: Role,
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Actor>()
                .cloned()
                .ok_or_else(middleware::unauthorized),
        )
    }
}

//! Who is calling: the caller of a request authenticated by an API key (`crate::auth` checks
//! the key and puts the [`Actor`] in the request's extensions) and what its role lets it do.
//! Below the database layer, so read routing and rate limits can tell callers apart.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header::{HeaderValue, WWW_AUTHENTICATE};
use actix_web::http::StatusCode;
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
                .ok_or_else(unauthorized),
        )
    }
}

/// 401: no key, or not a valid one.
pub fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Unauthorized",
        "this request needs a valid API key: `Authorization: Bearer <key>`",
    )
    .with_header(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
}

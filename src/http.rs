//! Response helpers shared by every resource: ETags, conditional requests, created/no-content.

use crate::error::ApiError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

/// Whether a request with `method` writes: anything but GET, HEAD and OPTIONS. Rate limits,
/// read routing and key requirements all tell reads from writes by this one rule.
pub fn is_write(method: &actix_web::http::Method) -> bool {
    use actix_web::http::Method;
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The strong ETag of a resource at `version`: `"<version>"`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Whether an `If-Match` / `If-None-Match` header value lists `tag` (or is `*`).
fn header_lists(value: &str, tag: &str, weak_ok: bool) -> bool {
    value.split(',').map(str::trim).any(|candidate| {
        candidate == "*"
            || candidate == tag
            || (weak_ok && candidate.strip_prefix("W/") == Some(tag))
    })
}

/// How long shared caches and clients may reuse a read without asking again. Short, because
/// editors expect to see their change; ETags make the revalidation after it cheap.
pub const CACHE_MAX_AGE_SECONDS: u32 = 30;

/// `Cache-Control` of every successful read: public data, briefly cacheable.
pub fn cache_control() -> (header::HeaderName, HeaderValue) {
    (
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={CACHE_MAX_AGE_SECONDS}"))
            .expect("ASCII header value"),
    )
}

/// Whether the request's `If-None-Match` names `tag` (weak comparison, RFC 9110).
pub fn if_none_match_lists(req: &HttpRequest, tag: &str) -> bool {
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| header_lists(v, tag, true))
}

/// 200 with the resource and its ETag, or 304 when `If-None-Match` already names it.
pub fn ok_with_etag<T: Serialize>(req: &HttpRequest, body: &T, version: i32) -> HttpResponse {
    let tag = etag(version);
    if if_none_match_lists(req, &tag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header(cache_control())
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .insert_header(cache_control())
        .json(body)
}

/// A weak ETag of a response body: for a body that embeds other records (an item GET with
/// `include`), which changes when any of them does, unlike the item's own version.
pub fn body_etag(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("W/\"{:016x}{:08x}\"", hasher.finish(), body.len())
}

/// 201 with the created resource, its `Location` and its ETag.
pub fn created<T: Serialize>(location: &str, body: &T, version: i32) -> HttpResponse {
    HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// The `If-Match` precondition of a PATCH or DELETE, checked against the stored version.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<String>);

impl IfMatch {
    /// Reads `If-Match`; when the policy requires it and it is missing, a 428.
    pub fn from_request(req: &HttpRequest) -> Result<Self, ApiError> {
        let required = req
            .app_data::<actix_web::web::Data<crate::policy::Policy>>()
            .is_some_and(|p| p.require_if_match);
        match req.headers().get(header::IF_MATCH) {
            None if required => Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "Precondition required",
                "this server requires `If-Match` with the resource's current ETag on PATCH and \
                 DELETE, so that no change silently overwrites another",
            )),
            None => Ok(Self(None)),
            Some(value) => value
                .to_str()
                .map(|v| Self(Some(v.to_string())))
                .map_err(|_| ApiError::bad_request("`If-Match` must be ASCII entity tags")),
        }
    }

    /// 412 unless the header is absent or names `version` (strong comparison, RFC 9110).
    pub fn check(&self, version: i32) -> Result<(), ApiError> {
        match &self.0 {
            Some(value) if !header_lists(value, &etag(version), false) => Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                format!(
                    "the resource is at version {version} (ETag {}), not the one in `If-Match`; \
                     fetch it again and reapply your change",
                    etag(version)
                ),
            )
            .with_header(
                header::ETAG,
                HeaderValue::from_str(&etag(version)).expect("digits and quotes are valid"),
            )),
            _ => Ok(()),
        }
    }
}

/// 200 with the replaced resource and its ETag. Unlike [`ok_with_etag`] never a 304: a write's
/// `If-None-Match` is a precondition ([`PutPreconditions`]), not a cache validator.
pub fn replaced<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// The preconditions of a PUT (RFC 9110 §13.1): `If-None-Match: *` creates only, `If-Match`
/// replaces only (a version that is no longer current, or a resource that does not exist, is a
/// 412).
#[derive(Debug, Clone, Default)]
pub struct PutPreconditions {
    if_match: IfMatch,
    if_none_match: Option<String>,
}

impl PutPreconditions {
    /// Reads `If-Match` and `If-None-Match`. When the policy requires `If-Match` and neither is
    /// given, a 428: a PUT must then say whether it replaces a known version or creates.
    pub fn from_request(req: &HttpRequest) -> Result<Self, ApiError> {
        let required = req
            .app_data::<actix_web::web::Data<crate::policy::Policy>>()
            .is_some_and(|p| p.require_if_match);
        let ascii = |name: header::HeaderName| {
            req.headers()
                .get(&name)
                .map(|value| {
                    value.to_str().map(str::to_string).map_err(|_| {
                        ApiError::bad_request(format!("`{name}` must be ASCII entity tags"))
                    })
                })
                .transpose()
        };
        let if_match = ascii(header::IF_MATCH)?;
        let if_none_match = ascii(header::IF_NONE_MATCH)?;
        if required && if_match.is_none() && if_none_match.is_none() {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "Precondition required",
                "this server requires a precondition on PUT, so that no change silently \
                 overwrites another: `If-Match` with the current ETag to replace, \
                 `If-None-Match: *` to create",
            ));
        }
        Ok(Self {
            if_match: IfMatch(if_match),
            if_none_match,
        })
    }

    /// Before creating (nothing has the key): a 412 when `If-Match` is given, since no current
    /// version can match it.
    pub fn check_create(&self, noun: &str) -> Result<(), ApiError> {
        match &self.if_match.0 {
            Some(_) => Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                format!(
                    "no {noun} has this key yet, so `If-Match` cannot match; drop it (or send \
                     `If-None-Match: *`) to create"
                ),
            )),
            None => Ok(()),
        }
    }

    /// Before replacing the resource at `version`: `If-Match` must name it, and
    /// `If-None-Match` must not (`*` names every version: create only).
    pub fn check_replace(&self, noun: &str, version: i32) -> Result<(), ApiError> {
        self.if_match.check(version)?;
        match &self.if_none_match {
            Some(value) if header_lists(value, &etag(version), true) => Err(ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                format!(
                    "this {noun} already exists (ETag {}) and `If-None-Match` asks not to \
                     replace it",
                    etag(version)
                ),
            )
            .with_header(
                header::ETAG,
                HeaderValue::from_str(&etag(version)).expect("digits and quotes are valid"),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_uses_strong_comparison() {
        let check = |header: &str, version| IfMatch(Some(header.to_string())).check(version);
        assert!(check("\"3\"", 3).is_ok());
        assert!(check("\"2\", \"3\"", 3).is_ok());
        assert!(check("*", 3).is_ok());
        assert_eq!(
            check("\"2\"", 3).unwrap_err().status,
            StatusCode::PRECONDITION_FAILED
        );
        assert!(check("W/\"3\"", 3).is_err());
        assert!(IfMatch(None).check(3).is_ok());
    }

    #[test]
    fn put_preconditions_tell_create_from_replace() {
        let put = |if_match: Option<&str>, if_none_match: Option<&str>| PutPreconditions {
            if_match: IfMatch(if_match.map(str::to_string)),
            if_none_match: if_none_match.map(str::to_string),
        };
        let failed =
            |r: Result<(), ApiError>| r.unwrap_err().status == StatusCode::PRECONDITION_FAILED;
        assert!(put(None, None).check_create("country").is_ok());
        assert!(put(None, None).check_replace("country", 2).is_ok());
        assert!(put(None, Some("*")).check_create("country").is_ok());
        assert!(failed(put(None, Some("*")).check_replace("country", 2)));
        assert!(failed(
            put(None, Some("W/\"2\"")).check_replace("country", 2)
        ));
        assert!(put(None, Some("\"1\"")).check_replace("country", 2).is_ok());
        assert!(failed(put(Some("\"2\""), None).check_create("country")));
        assert!(failed(put(Some("*"), None).check_create("country")));
        assert!(put(Some("\"2\""), None).check_replace("country", 2).is_ok());
        assert!(failed(put(Some("\"1\""), None).check_replace("country", 2)));
    }
}

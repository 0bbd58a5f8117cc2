//! Checks of the request target (path and query string) that hold for every endpoint, made
//! once, before routing: a length cap, and query parameters that are valid UTF-8 without NUL.
//!
//! Why here and not in each handler: the query string is decoded by several parsers
//! (`serde_urlencoded` in the lists and views, `web::Query` in the change feed), and those
//! decode *lossily* — an invalid UTF-8 sequence such as `%FF` silently becomes U+FFFD and the
//! request runs with a value the client never sent. Checking the raw bytes in one place means
//! no endpoint can forget, and any endpoint added later is covered.

use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::Error;

/// The longest request target (path plus query string) served, in bytes. actix-http's own
/// limit is on the whole request head (128 KiB) and answers with a bare 431; below it, this cap
/// gives a client an explained 414. No URL of this API needs more than a few hundred bytes;
/// 16 KiB leaves room for long any-of lists.
pub const MAX_TARGET_BYTES: usize = 16 * 1024;

/// Percent-decodes one `application/x-www-form-urlencoded` component to bytes, the way
/// `form_urlencoded` does (`+` is a space, a `%` not followed by two hex digits stays literal),
/// but without the lossy UTF-8 conversion.
fn percent_decode(component: &str) -> Vec<u8> {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// Decodes a query component, or says why it cannot be taken.
fn decoded(component: &str) -> Result<String, &'static str> {
    let text = String::from_utf8(percent_decode(component))
        .map_err(|_| "is not valid UTF-8 once percent-decoded")?;
    if text.contains('\0') {
        return Err("contains a NUL character, which no text value may hold");
    }
    Ok(text)
}

/// Checks every name and value of a raw query string: a 400 naming the first bad parameter.
pub fn check_query(query: &str) -> Result<(), ApiError> {
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decoded(name).map_err(|why| {
            ApiError::invalid_query(format!(
                "a query parameter name `{}` {why}",
                String::from_utf8_lossy(&percent_decode(name)).replace('\0', "\\0")
            ))
        })?;
        decoded(value)
            .map_err(|why| ApiError::invalid_query(format!("the value of `{name}` {why}")))?;
    }
    Ok(())
}

/// The 414 for a request target over [`MAX_TARGET_BYTES`].
fn too_long(length: usize) -> ApiError {
    ApiError::new(
        StatusCode::URI_TOO_LONG,
        "uri-too-long",
        "URI too long",
        format!(
            "the path and query string are {length} bytes; at most {MAX_TARGET_BYTES} are served"
        ),
    )
}

/// Middleware: refuses an over-long target (414) or a bad query string (400) before routing.
/// A refusal is an error *response* (not an `Err`), so the request-context middleware around
/// it renders it as a problem like any other.
pub async fn check(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let length = req
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    let refusal = if length > MAX_TARGET_BYTES {
        Err(too_long(length))
    } else {
        check_query(req.query_string())
    };
    if let Err(error) = refusal {
        return Ok(req.error_response(error));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_matches_form_urlencoded_on_valid_input() {
        for raw in ["a+b", "%41%42", "caf%C3%A9", "100%", "%zz", "%4", "x%2"] {
            let ours = String::from_utf8(percent_decode(raw)).unwrap();
            let theirs: Vec<(String, String)> =
                serde_urlencoded::from_str(&format!("k={raw}")).unwrap();
            assert_eq!(ours, theirs[0].1, "{raw}");
        }
    }

    #[test]
    fn invalid_utf8_and_nul_are_refused_with_the_name() {
        for (query, name) in [
            ("q=%FF", "`q`"),
            ("theme=%C3%28", "`theme`"),
            ("a=1&sort=x%00", "`sort`"),
            ("%FF=1", "name"),
        ] {
            let error = check_query(query).unwrap_err();
            assert_eq!(error.status.as_u16(), 400);
            assert!(error.detail.contains(name), "{query}: {}", error.detail);
        }
        assert!(check_query("q=caf%C3%A9&theme=a+b&x").is_ok());
    }
}

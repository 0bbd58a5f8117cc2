//! Who may cache a response: the last word on `Cache-Control` and `Vary`, applied to every
//! response by the request-context middleware.
//!
//! Handlers mark successful reads `public, max-age=…` (`crate::http::cache_control`). That is
//! only right for anonymous reads of public data: a shared cache must never keep a response
//! that was given to a key holder (with `public` it may, even for a request with
//! `Authorization`, RFC 9111 §3.5), and writes and errors must not be reused at all.

use actix_web::http::header::{HeaderMap, HeaderValue, CACHE_CONTROL, VARY};
use actix_web::http::{Method, StatusCode};

/// Rewrites the caching headers of a response to `method`.
///
/// `keyed`: the request carried `Authorization`, or reads require a key (then every successful
/// read was given to a key holder).
pub fn apply(method: &Method, status: StatusCode, keyed: bool, headers: &mut HeaderMap) {
    let read = matches!(*method, Method::GET | Method::HEAD);
    let write = matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if write || status.is_client_error() || status.is_server_error() {
        // Writes change state and errors describe one moment: nothing may reuse them.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return;
    }
    if !read {
        // OPTIONS (CORS preflights) has its own cache lifetime, `Access-Control-Max-Age`.
        return;
    }
    // The answer to a read depends on the key (401/403, the change feed's actors), so caches
    // must keep anonymous and keyed answers apart.
    add_vary(headers, "Authorization");
    if keyed {
        let private = match headers.get(CACHE_CONTROL).and_then(|v| v.to_str().ok()) {
            Some(value) => make_private(value),
            None => "private".to_string(),
        };
        if let Ok(value) = HeaderValue::from_str(&private) {
            headers.insert(CACHE_CONTROL, value);
        }
    }
}

/// The documentation's static files: the Swagger UI's scripts, styles and images change only
/// with a new release, so caches may keep them a week; its page, its configuration script and
/// the spec say which spec to show and are kept five minutes.
pub fn static_files(path: &str, status: StatusCode, headers: &mut HeaderMap) {
    if status != StatusCode::OK || headers.contains_key(CACHE_CONTROL) {
        return;
    }
    let lifetime = if path == "/openapi.json"
        || path == "/docs/"
        || path.ends_with("/index.html")
        || path.ends_with("/swagger-initializer.js")
    {
        "public, max-age=300"
    } else if path.starts_with("/docs/")
        && [".js", ".css", ".png", ".map"]
            .iter()
            .any(|ext| path.ends_with(ext))
    {
        "public, max-age=604800"
    } else {
        return;
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(lifetime));
}

/// `public, max-age=30` → `private, max-age=30`; `private` is added when neither is there.
fn make_private(value: &str) -> String {
    let mut directives: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("public"))
        .collect();
    if !directives
        .iter()
        .any(|d| d.eq_ignore_ascii_case("private") || d.eq_ignore_ascii_case("no-store"))
    {
        directives.insert(0, "private");
    }
    directives.join(", ")
}

/// Adds `field` to `Vary` unless it (or `*`) is already listed.
fn add_vary(headers: &mut HeaderMap, field: &str) {
    let existing: Vec<String> = headers
        .get_all(VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    if existing
        .iter()
        .any(|f| f == "*" || f.eq_ignore_ascii_case(field))
    {
        return;
    }
    let mut all = existing;
    all.push(field.to_string());
    if let Ok(value) = HeaderValue::from_str(&all.join(", ")) {
        headers.insert(VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(method: Method, status: u16, keyed: bool, pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(name.parse().unwrap(), HeaderValue::from_str(value).unwrap());
        }
        apply(
            &method,
            StatusCode::from_u16(status).unwrap(),
            keyed,
            &mut headers,
        );
        headers
    }

    fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn keyed_reads_are_private_and_vary_on_authorization() {
        let h = run(
            Method::GET,
            200,
            true,
            &[("cache-control", "public, max-age=30"), ("vary", "Origin")],
        );
        assert_eq!(get(&h, "cache-control"), Some("private, max-age=30"));
        assert_eq!(get(&h, "vary"), Some("Origin, Authorization"));
        let h = run(
            Method::GET,
            304,
            true,
            &[("cache-control", "public, max-age=30")],
        );
        assert_eq!(get(&h, "cache-control"), Some("private, max-age=30"));
        let h = run(Method::GET, 200, true, &[]);
        assert_eq!(get(&h, "cache-control"), Some("private"));
    }

    #[test]
    fn anonymous_public_reads_stay_public() {
        let h = run(
            Method::GET,
            200,
            false,
            &[("cache-control", "public, max-age=30")],
        );
        assert_eq!(get(&h, "cache-control"), Some("public, max-age=30"));
        assert_eq!(get(&h, "vary"), Some("Authorization"));
        let h = run(Method::GET, 200, false, &[("vary", "authorization")]);
        assert_eq!(get(&h, "vary"), Some("authorization"), "not twice");
    }

    #[test]
    fn the_docs_assets_are_kept_a_week_and_their_page_and_the_spec_five_minutes() {
        for (path, expected) in [
            ("/docs/swagger-ui-bundle.js", Some("public, max-age=604800")),
            ("/docs/swagger-ui.css", Some("public, max-age=604800")),
            ("/docs/favicon-32x32.png", Some("public, max-age=604800")),
            ("/docs/", Some("public, max-age=300")),
            ("/docs/index.html", Some("public, max-age=300")),
            ("/docs/swagger-initializer.js", Some("public, max-age=300")),
            ("/openapi.json", Some("public, max-age=300")),
            ("/api/v1/countries", None),
        ] {
            let mut headers = HeaderMap::new();
            static_files(path, StatusCode::OK, &mut headers);
            assert_eq!(get(&headers, "cache-control"), expected, "{path}");
        }
        let mut missing = HeaderMap::new();
        static_files("/docs/nope.js", StatusCode::NOT_FOUND, &mut missing);
        assert!(missing.is_empty());
    }

    #[test]
    fn writes_and_errors_are_not_stored() {
        for method in [Method::POST, Method::PATCH, Method::DELETE, Method::PUT] {
            let h = run(
                method,
                201,
                false,
                &[("cache-control", "public, max-age=30")],
            );
            assert_eq!(get(&h, "cache-control"), Some("no-store"));
        }
        for status in [401, 404, 429, 500, 503] {
            let h = run(Method::GET, status, false, &[]);
            assert_eq!(get(&h, "cache-control"), Some("no-store"));
        }
    }
}

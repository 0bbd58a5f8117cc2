//! Browser-facing security headers, added to every response by the request-context middleware.
//!
//! Every response: `X-Content-Type-Options: nosniff` and `X-Frame-Options: DENY` (nothing this
//! server returns is meant to be framed). The Swagger UI under `/docs/` also gets a
//! `Content-Security-Policy` and `Referrer-Policy: no-referrer`: it is the one HTML page here,
//! and the one place a script could run in our origin.

use actix_web::http::header::{
    HeaderMap, HeaderValue, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};

/// The CSP of the Swagger UI. The vendored UI loads its scripts and styles from files of its own
/// (`index.html` has no inline script; `swagger-initializer.js` is a file), so scripts are
/// `'self'` only. Styles need `'unsafe-inline'`: `swagger-ui-bundle.js` applies inline styles
/// (headless Chromium reports and blocks them under `style-src 'self'`; with this policy the UI
/// renders with no violation). Its icons are `data:` images.
/// `connect-src 'self'` lets it fetch `/openapi.json` and send "Try it out" requests to this
/// server and nowhere else (nor to the public validator, whose badge is blocked by `img-src`).
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' \
    'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Adds the security headers for a response to a request for `path`.
pub fn apply(path: &str, headers: &mut HeaderMap) {
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if path == "/docs" || path.starts_with("/docs/") {
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(DOCS_CSP));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_get_a_csp_everything_else_only_the_basics() {
        let mut docs = HeaderMap::new();
        apply("/docs/index.html", &mut docs);
        for name in [X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS, REFERRER_POLICY] {
            assert!(docs.contains_key(&name), "{name}");
        }
        assert!(docs
            .get(CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        let mut api = HeaderMap::new();
        apply("/api/v1/countries", &mut api);
        assert_eq!(api.get(X_FRAME_OPTIONS).unwrap(), "DENY");
        assert!(!api.contains_key(CONTENT_SECURITY_POLICY));
        let mut lookalike = HeaderMap::new();
        apply("/docsx", &mut lookalike);
        assert!(!lookalike.contains_key(CONTENT_SECURITY_POLICY));
    }
}

//! The JSON answer of a list: body, `Link: rel="next"`, a weak ETag (from the data version
//! when the handler read it, `crate::data_version`; else over the body) and the cache policy of
//! public data.

use super::{Page, PageOf};
use crate::data_version::etag_for;
use crate::http::{cache_control, if_none_match_lists};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

/// The request's own path and query, with `cursor` replaced.
fn next_url(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(name, _)| name != "cursor");
    pairs.push(("cursor".to_string(), cursor.to_string()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{}", req.path(), query)
}

/// 200 with `body` and its weak ETag (or 304 when `If-None-Match` names the ETag).
pub fn json_with_body_etag<T: Serialize>(req: &HttpRequest, body: &T) -> HttpResponse {
    let body = serde_json::to_vec(body).unwrap_or_default();
    let etag = etag_for(req, &body);
    if if_none_match_lists(req, &etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header(cache_control())
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header(cache_control())
        .content_type("application/json")
        .body(body)
}

/// 200 with the page (or 304 when `If-None-Match` names its ETag).
pub fn page_json<T: Serialize>(req: &HttpRequest, page: PageOf<T>) -> HttpResponse {
    let next_cursor = page.next_cursor.clone();
    let body = serde_json::to_vec(&Page {
        items: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
    })
    .unwrap_or_default();
    page_bytes(req, next_cursor.as_deref(), body)
}

/// [`page_json`] of a page already encoded (`body`, whose next cursor is `next_cursor`).
pub fn page_bytes(req: &HttpRequest, next_cursor: Option<&str>, body: Vec<u8>) -> HttpResponse {
    let link = next_cursor.and_then(|cursor| {
        HeaderValue::from_str(&format!("<{}>; rel=\"next\"", next_url(req, cursor))).ok()
    });
    let etag = etag_for(req, &body);
    let not_modified = if_none_match_lists(req, &etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header(cache_control())
        // The same URL answers JSON, CSV or NDJSON by `Accept`.
        .insert_header((header::VARY, "Accept"));
    if let Some(link) = link {
        response.insert_header((header::LINK, link));
    }
    if not_modified {
        return response.finish();
    }
    response.content_type("application/json").body(body)
}

#[cfg(test)]
mod tests {
    use crate::http::body_etag;

    #[test]
    fn etags_differ_with_the_body() {
        assert_ne!(body_etag(b"[1]"), body_etag(b"[2]"));
        assert_eq!(body_etag(b"[1]"), body_etag(b"[1]"));
        assert!(body_etag(b"x").starts_with("W/\""));
    }
}

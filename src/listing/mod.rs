//! The list machinery every collection shares: `limit`, opaque keyset cursors, the page body
//! and its `Link` header.
//!
//! Pages are keyset pages (`WHERE key > last ORDER BY key LIMIT n + 1`), never OFFSET: a deep
//! page costs what the first does, and rows inserted meanwhile never shift a page.

pub mod params;

use crate::error::ApiError;
use actix_web::http::header::{HeaderValue, LINK};
use actix_web::{HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest `limit` accepted.
pub const MAX_LIMIT: i64 = 200;

/// One page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The rows of this page, in the list's order.
    pub items: Vec<T>,
    /// Opaque cursor of the next page (pass it as `cursor`), or `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `limit` and `cursor`, validated.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub limit: i64,
    /// The key of the last row of the previous page.
    pub after: Option<K>,
}

impl<K: DeserializeOwned> PageRequest<K> {
    pub fn parse(limit: Option<&str>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(ApiError::invalid_query(format!(
                        "`limit` must be a whole number from 1 to {MAX_LIMIT} (got `{text}`)"
                    )))
                }
            },
        };
        let after = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, after })
    }

    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }
}

/// The cursor wire form: base64url of a small JSON document. Opaque to clients; the shape may
/// change between versions, which is why clients must not build cursors themselves.
#[derive(Serialize, serde::Deserialize)]
struct CursorBody<K> {
    after: K,
}

pub fn encode_cursor<K: Serialize>(after: &K) -> String {
    let json = serde_json::to_vec(&CursorBody { after }).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub fn decode_cursor<K: DeserializeOwned>(text: &str) -> Result<K, ApiError> {
    let invalid = || {
        ApiError::invalid_query(
            "`cursor` is not a cursor this list returned; pass `next_cursor` from the previous page unchanged",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
    let body: CursorBody<K> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    Ok(body.after)
}

/// Turns `fetch()` rows into a page response: trims the extra row, sets `next_cursor` and the
/// `Link: rel="next"` header.
pub fn page_response<T, K, F>(
    req: &HttpRequest,
    page: &PageRequest<K>,
    mut rows: Vec<T>,
    key_of: F,
) -> HttpResponse
where
    T: Serialize,
    K: Serialize,
    F: Fn(&T) -> K,
{
    let more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let next_cursor = if more {
        rows.last().map(|last| encode_cursor(&key_of(last)))
    } else {
        None
    };
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        if let Ok(value) =
            HeaderValue::from_str(&format!("<{}>; rel=\"next\"", next_url(req, cursor)))
        {
            response.insert_header((LINK, value));
        }
    }
    response.json(Page {
        items: rows,
        next_cursor,
    })
}

/// The request's own path and query, with `cursor` replaced.
fn next_url(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(name, _)| name != "cursor");
    pairs.push(("cursor".to_string(), cursor.to_string()));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{}", req.path(), query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let cursor = encode_cursor(&42_i64);
        assert_eq!(decode_cursor::<i64>(&cursor).unwrap(), 42);
        let cursor = encode_cursor(&"MEX");
        assert_eq!(decode_cursor::<String>(&cursor).unwrap(), "MEX");
    }

    #[test]
    fn garbage_cursor_is_a_400() {
        for bad in ["", "!!!", "eyJ4IjoxfQ", &encode_cursor(&"text")] {
            let error = decode_cursor::<i64>(bad).unwrap_err();
            assert_eq!(error.status.as_u16(), 400, "cursor {bad:?}");
        }
    }

    #[test]
    fn limit_bounds() {
        assert_eq!(PageRequest::<i64>::parse(None, None).unwrap().limit, 50);
        assert_eq!(
            PageRequest::<i64>::parse(Some("200"), None).unwrap().limit,
            200
        );
        for bad in ["0", "201", "-1", "abc", "1.5"] {
            assert!(PageRequest::<i64>::parse(Some(bad), None).is_err(), "{bad}");
        }
    }
}

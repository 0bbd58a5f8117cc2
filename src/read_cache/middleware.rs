//! The read cache in the request path: just outside the labels (`crate::localize`), so what it
//! keeps is the answer as sent, labels included; compression, CORS, rate limits, keys and the
//! request's own headers are applied around it on every request, hit or not (compression from
//! the entry's compressed forms, `encoded.rs`).
//!
//! A read is cached by its path, query, `Accept` and `Accept-Language` (everything a data GET's
//! handler and the labels read of a request besides `If-None-Match`, which is answered here from
//! the entry's `ETag` as the handlers answer it). Only data GETs are cached, never the change
//! feed and histories (their body depends on who asks) nor exports and anything streamed; only
//! plain JSON 200s are kept. After every write request the version is read again before its
//! response leaves: the client that wrote reads its write.

use super::flight::Flight;
use super::{Entry, Lookup, ReadCache, Stored};
use crate::compression::{negotiate, MIN_COMPRESSED_BYTES};
use crate::db::DbPool;
use crate::http::{if_none_match_lists, is_write};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, CONTENT_ENCODING, CONTENT_TYPE, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use std::time::Instant;

/// The collections whose GETs are cached (first segment under `/api/v1/`).
const CACHED: [&str; 8] = [
    "countries",
    "action-plans",
    "commitments",
    "milestones",
    "irm-findings",
    "local-members",
    "stats",
    "vocabularies",
];

/// The key of a cacheable read, or `None`.
fn key_of(req: &ServiceRequest) -> Option<String> {
    let path = req.path();
    let rest = path.strip_prefix("/api/v1/")?;
    let collection = rest.split('/').next()?;
    // A history is a change feed: what it shows depends on who asks.
    if !CACHED.contains(&collection) || rest.ends_with("/history") {
        return None;
    }
    let mut key = String::with_capacity(path.len() + req.query_string().len() + 24);
    key.push_str(path);
    key.push('?');
    key.push_str(req.query_string());
    for name in [ACCEPT, ACCEPT_LANGUAGE] {
        key.push('\n');
        for value in req.headers().get_all(name) {
            key.push_str(value.to_str().ok()?);
            key.push(',');
        }
    }
    Some(key)
}

/// Middleware: answers a cached read from memory, keeps a handler's fresh answer, and moves the
/// cache's version after this process's writes.
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(cache) = req.app_data::<web::Data<ReadCache>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if is_write(req.method()) {
        let pool = req.app_data::<web::Data<DbPool>>().cloned();
        // The version is read whatever the outcome, an error included: a write may have
        // committed before something after it failed.
        let response = next.call(req).await;
        after_write(&cache, pool.as_ref().map(|pool| pool.get_ref())).await;
        return Ok(response?.map_into_boxed_body());
    }
    // Only GETs (a HEAD is one by now, `crate::head_method`): an OPTIONS of a cached path is
    // answered by its route.
    let key = (req.method() == Method::GET)
        .then(|| key_of(&req))
        .flatten();
    let Some(key) = key else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // A miss waits for another request computing the same answer (`super::flight`), then looks
    // again; whatever it finds then, it does not wait a second time.
    let mut waited = false;
    let (generation, _leading) = loop {
        match cache.lookup(&key, Instant::now()) {
            Lookup::Hit(entry) => {
                crate::metrics::read_cache_lookup(if waited { "waited" } else { "hit" });
                let response = answer(&req, &entry);
                return Ok(req.into_response(response));
            }
            Lookup::Off => {
                crate::metrics::read_cache_lookup("off");
                return Ok(next.call(req).await?.map_into_boxed_body());
            }
            Lookup::Miss(generation) if waited => {
                crate::metrics::read_cache_lookup("miss");
                break (generation, None);
            }
            Lookup::Miss(generation) => match cache.join(&key, generation) {
                Flight::Leader(leading) => {
                    crate::metrics::read_cache_lookup("miss");
                    break (generation, Some(leading));
                }
                Flight::Waiter(waiting) => {
                    waiting.done().await;
                    waited = true;
                }
            },
        }
    };
    let response = next.call(req).await?;
    if !keepable(response.response()) {
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let body = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => {
            return Ok(ServiceResponse::new(
                req,
                response.set_body(body).map_into_boxed_body(),
            ))
        }
    };
    let headers: Vec<_> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let stored = cache.store(
        &key,
        generation,
        Entry {
            headers,
            etag,
            body: body.clone(),
            encoded: Default::default(),
        },
    );
    crate::metrics::read_cache_store(match stored {
        Stored::Yes => "stored",
        Stored::Outdated => "outdated",
        Stored::Full => "full",
    });
    Ok(ServiceResponse::new(
        req,
        response.set_body(BoxBody::new(body)),
    ))
}

/// Whether a handler's answer may be kept: a 200 of JSON with an `ETag`.
fn keepable(response: &HttpResponse<impl MessageBody>) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::OK
        && headers.contains_key(header::ETAG)
        && headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes() == b"application/json")
}

/// The entry as the handler would answer `req`: a 304 when `If-None-Match` names its ETag
/// (with the headers a 200 would have, but no body), else the 200.
fn answer(req: &ServiceRequest, entry: &Entry) -> HttpResponse {
    let not_modified = if_none_match_lists(req.request(), &entry.etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    for (name, value) in &entry.headers {
        if (not_modified && name == CONTENT_TYPE) || name == VARY {
            continue;
        }
        response.append_header((name.clone(), value.clone()));
    }
    let mut vary: Vec<&str> = entry
        .headers
        .iter()
        .filter(|(name, _)| name == VARY)
        .filter_map(|(_, value)| value.to_str().ok())
        .collect();
    // The compression middleware's rule: bodies from its threshold up, in the coding it would
    // choose; it passes a body that has `Content-Encoding` through.
    let encoded = match entry.body.len() as u64 >= MIN_COMPRESSED_BYTES && !not_modified {
        true => {
            let coding = negotiate(req);
            entry
                .encoded
                .get(coding, &entry.body)
                .map(|bytes| (coding, bytes))
        }
        false => None,
    };
    if encoded.is_some() {
        vary.push("accept-encoding");
    }
    // One `Vary` value: the CORS middleware around this one merges its own into the first.
    if let Ok(value) = HeaderValue::from_str(&vary.join(", ")) {
        if !vary.is_empty() {
            response.insert_header((VARY, value));
        }
    }
    if not_modified {
        return response.finish();
    }
    match encoded {
        Some((coding, bytes)) => response
            .insert_header((CONTENT_ENCODING, coding))
            .body(bytes),
        None => response.body(entry.body.clone()),
    }
}

/// After a write request (whatever its outcome: a failed one may still have committed before
/// failing), reads the version on the primary, so this process's next reads are at least as
/// new as the write. If that read fails the cache serves nothing until the listener confirms a
/// version again.
async fn after_write(cache: &ReadCache, pool: Option<&DbPool>) {
    let read = async {
        let pool = pool.ok_or("no pool")?;
        let mut conn = crate::db::conn(pool).await.map_err(|_| "no connection")?;
        crate::data_version::current(&mut conn)
            .await
            .map_err(|_| "the version read failed")
    };
    match read.await {
        Ok((version, epoch)) => cache.wrote(&epoch, version),
        Err(why) => {
            log::warn!(
                "read cache: {why} after a write; off until the listener confirms a version"
            );
            cache.disconnected();
        }
    }
}

//! `Idempotency-Key` on POST: a retried request with the same key and body gets the first
//! response again (status, `Location`, `ETag`, body) and creates nothing twice; the same key
//! with another request is a 422. Keys are per API key and expire after 24 hours.
//!
//! The key is reserved (a row without a response) before the request runs, so two concurrent
//! tries cannot both create: the second gets a 409 while the first is in flight. Only a
//! success is remembered: after a 4xx or 5xx (which changed nothing) the key is free again, so
//! the client can correct the request and retry with it.

use crate::actor::Actor;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::schema::idempotency_keys;
use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{web, Error, HttpMessage, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

const HEADER: &str = "idempotency-key";
/// Headers of the first response that a replay repeats.
const REPLAYED_HEADERS: &[&str] = &["content-type", "location", "etag"];
const LIFETIME_HOURS: i64 = 24;

#[derive(Queryable, Selectable)]
#[diesel(table_name = idempotency_keys, check_for_backend(diesel::pg::Pg))]
struct Stored {
    request_hash: Vec<u8>,
    status: Option<i32>,
    headers: Option<serde_json::Value>,
    body: Option<Vec<u8>>,
    created_at: DateTime<Utc>,
}

fn key_of(req: &ServiceRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_string()))
        }
        _ => Err(ApiError::bad_request(
            "`Idempotency-Key` must be 1 to 255 visible ASCII characters",
        )),
    }
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, ApiError> {
    // A bundle import has its own, larger limit (and is read as the import handler reads it).
    let limit = if req.path() == crate::body::IMPORT_PATH {
        req.app_data::<crate::body::ImportBodyLimit>()
            .map_or(crate::body::DEFAULT_IMPORT_BODY_LIMIT, |l| l.0)
    } else {
        req.app_data::<crate::body::BodyLimit>()
            .map_or(crate::body::DEFAULT_BODY_LIMIT, |l| l.0)
    };
    let timeout = req
        .app_data::<crate::body::BodyTimeout>()
        .map_or(crate::body::DEFAULT_BODY_TIMEOUT, |t| t.0);
    let mut payload = req.take_payload();
    let body = crate::body::read_whole(&mut payload, limit, timeout).await?;
    Ok(body.freeze())
}

fn put_back(req: &mut ServiceRequest, body: Bytes) {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    req.set_payload(payload.into());
}

fn fingerprint(req: &ServiceRequest, body: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update(b"?");
    hasher.update(req.query_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hasher.finalize().to_vec()
}

fn replay(stored: Stored) -> HttpResponse {
    let status = u16::try_from(stored.status.unwrap_or(500))
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    if let Some(serde_json::Value::Object(headers)) = stored.headers {
        for (name, value) in headers {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::try_from(name.as_str()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                response.insert_header((name, value));
            }
        }
    }
    response.insert_header(("idempotent-replayed", "true"));
    response.body(stored.body.unwrap_or_default())
}

/// Reserves `key` for this request; `Err` answers the request instead.
async fn reserve(
    conn: &mut AsyncPgConnection,
    actor: &str,
    key: &str,
    hash: &[u8],
) -> Result<Option<HttpResponse>, ApiError> {
    let found: Option<Stored> = idempotency_keys::table
        .find((actor, key))
        .select(Stored::as_select())
        .first(conn)
        .await
        .optional()?;
    if let Some(stored) = found {
        let expired = Utc::now() - stored.created_at > chrono::TimeDelta::hours(LIFETIME_HOURS);
        if !expired {
            if stored.request_hash != hash {
                return Err(ApiError::invalid_field(
                    "Idempotency-Key",
                    "was used for a different request; use a new key for a new request",
                ));
            }
            return match stored.status {
                Some(_) => Ok(Some(replay(stored))),
                None => Err(ApiError::conflict(
                    "a request with this `Idempotency-Key` is still in progress; retry later",
                )),
            };
        }
    }
    // Forget expired keys (this one, and any other, so the table stays small).
    let horizon = Utc::now() - chrono::TimeDelta::hours(LIFETIME_HOURS);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(horizon)))
        .execute(conn)
        .await?;
    let reserved = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::actor.eq(actor),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(hash),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if reserved == 0 {
        return Err(ApiError::conflict(
            "a request with this `Idempotency-Key` is still in progress; retry later",
        ));
    }
    Ok(None)
}

/// Middleware: replays or records POST responses by `Idempotency-Key`.
pub async fn idempotent(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let actor = req.extensions().get::<Actor>().map(|a| a.name.clone());
    let key = match key_of(&req) {
        Ok(key) => key,
        Err(error) => return Ok(req.error_response(error)),
    };
    let (Some(actor), Some(key), true) = (actor, key, req.method() == Method::POST) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(pool) = req.app_data::<web::Data<DbPool>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let body = match read_body(&mut req).await {
        Ok(body) => body,
        Err(error) => return Ok(req.error_response(error)),
    };
    let hash = fingerprint(&req, &body);
    let reserved = async {
        let mut conn = db::conn(&pool).await?;
        reserve(&mut conn, &actor, &key, &hash).await
    }
    .await;
    match reserved {
        Ok(Some(replayed)) => return Ok(req.into_response(replayed)),
        Ok(None) => {}
        Err(error) => return Ok(req.error_response(error)),
    }
    put_back(&mut req, body);

    let response = next.call(req).await?;
    let (request, response) = response.into_parts();
    let status = response.status();
    let (head, body) = response.into_parts();
    let bytes = body::to_bytes(body).await.unwrap_or_default();
    let mut conn = db::conn(&pool).await?;
    let row = idempotency_keys::table.find((&actor, &key));
    if !status.is_success() {
        diesel::delete(row)
            .execute(&mut conn)
            .await
            .map_err(ApiError::from)?;
    } else {
        let headers: serde_json::Map<String, serde_json::Value> = REPLAYED_HEADERS
            .iter()
            .filter_map(|name| {
                let value = head.headers().get(*name)?.to_str().ok()?;
                Some((name.to_string(), serde_json::Value::from(value)))
            })
            .collect();
        diesel::update(row)
            .set((
                idempotency_keys::status.eq(Some(i32::from(status.as_u16()))),
                idempotency_keys::headers.eq(Some(serde_json::Value::Object(headers))),
                idempotency_keys::body.eq(Some(bytes.to_vec())),
            ))
            .execute(&mut conn)
            .await
            .map_err(ApiError::from)?;
    }
    let response = head.set_body(bytes).map_into_boxed_body();
    Ok(ServiceResponse::new(request, response))
}

//! The flow every item endpoint shares, one function per verb: `get`, `create`, `update`
//! (JSON Merge Patch, body first, then `If-Match`), `put` (create or replace by a natural key in
//! the path, for a [`NaturalKey`] item) and `delete` (`If-Match`; children make it a 409 through
//! their foreign keys). The list side is `crate::listing::handler::list`.
//!
//! A resource says what differs through [`Item`] (its `item.rs`); its handlers keep their
//! `#[utoipa::path]` annotations, which are the API's documentation, and call one flow each.

use crate::actor::Actor;
use crate::body::{to_object, FromFields, JsonObject};
use crate::db::keyed::Keyed;
use crate::db::{self, DbPool, ReadPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, replaced, IfMatch, PutPreconditions};
use crate::listing::fields::{self, Projection};
use crate::listing::response::json_with_body_etag;
use crate::listing::spec::ListSpec;
use actix_web::{HttpRequest, HttpResponse};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;
use serde_json::Value;
use std::future::Future;

/// What the shared flows need to know of a resource beyond its keyed queries.
pub trait Item: Keyed + Serialize {
    /// What the API calls one, for messages: `"action plan"`.
    const NOUN: &'static str;
    /// Its collection's path segment under `/api/v1`: `"action-plans"`.
    const COLLECTION: &'static str;
    /// Its list's declaration, whose columns are the fields `fields=` offers on the item GET
    /// as on the list.
    const LIST: &'static ListSpec;
    /// Its create body. A PATCH applies onto the stored item's create-body form (the `From`)
    /// and is validated the same way.
    type Input: FromFields + for<'a> From<&'a Self> + Send + Sync + 'static;

    /// Turns a valid body into what is written, with the checks that need the database
    /// (inside the write's transaction, before `If-Match`: an invalid body is a 422 whatever
    /// the ETag).
    fn prepare(
        conn: &mut AsyncPgConnection,
        input: Self::Input,
    ) -> impl Future<Output = Result<Self::Write, ApiError>> + Send;

    /// The key of the path, if it can name an item at all (else its 404, without a query).
    fn parse_key(key: Self::Key) -> Result<Self::Key, ApiError> {
        Ok(key)
    }

    /// The 404 for a key no item has.
    fn not_found(key: &Self::Key) -> ApiError {
        ApiError::not_found(format!("no {} has the id {key}", Self::NOUN))
    }

    /// Where this item lives (the `Location` of a create).
    fn location(&self) -> String {
        format!("/api/v1/{}/{}", Self::COLLECTION, self.key())
    }

    /// Writes an update that passed every check; a resource whose update has consequences
    /// (re-derived verdicts) or extra rules (a key that cannot change) says so here.
    fn store_update(
        conn: &mut AsyncPgConnection,
        current: &Self,
        write: &Self::Write,
    ) -> impl Future<Output = Result<Self, ApiError>> + Send {
        async move { Ok(Self::update(conn, current.key(), write).await?) }
    }
}

/// `GET /{collection}/{key}`: the item, with its ETag (304 when `If-None-Match` matches).
/// With `fields=`, only those fields (the key always), read by a query that selects only them,
/// under a weak ETag of that body: the strong `"<version>"`, which `If-Match` on a write needs,
/// belongs to the whole item.
pub async fn get<T: Item>(
    req: &HttpRequest,
    pool: &ReadPool,
    key: T::Key,
) -> Result<HttpResponse, ApiError> {
    let projection = Projection::from_item_query(T::LIST, req.query_string())?;
    let key = T::parse_key(key)?;
    let mut conn = pool.conn().await?;
    if let Some(projection) = projection {
        let item = fields::find(&mut conn, T::LIST, &projection, &key.to_string())
            .await?
            .ok_or_else(|| T::not_found(&key))?;
        return Ok(json_with_body_etag(req, &item));
    }
    let item = T::find(&mut conn, &key)
        .await?
        .ok_or_else(|| T::not_found(&key))?;
    Ok(ok_with_etag(req, &item, item.version()))
}

/// `GET /{collection}/{key}` where `include` may embed other records: without it (`None`), as
/// [`get`]; with it, `body` turns the item into the answer (its children and parents embedded)
/// under a weak ETag over that body, which changes when an embedded record changes too.
pub async fn get_with<T: Item, B>(
    req: &HttpRequest,
    pool: &ReadPool,
    key: T::Key,
    body: Option<B>,
) -> Result<HttpResponse, ApiError>
where
    B: AsyncFnOnce(&mut AsyncPgConnection, T) -> Result<Value, ApiError>,
{
    let Some(body) = body else {
        return get::<T>(req, pool, key).await;
    };
    let projection = Projection::from_item_query(T::LIST, req.query_string())?;
    let key = T::parse_key(key)?;
    let mut conn = pool.conn().await?;
    let item = T::find(&mut conn, &key)
        .await?
        .ok_or_else(|| T::not_found(&key))?;
    let answer = body(&mut conn, item).await?;
    let answer = match projection {
        None => answer,
        // `fields` cuts the item's own fields; what `include` embedded stays.
        Some(projection) => {
            let columns = fields::names(T::LIST);
            let embedded: Vec<String> = answer
                .as_object()
                .map(|object| {
                    object
                        .keys()
                        .filter(|name| !columns.contains(&name.as_str()))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let embedded: Vec<&str> = embedded.iter().map(String::as_str).collect();
            projection.keep(&answer, &embedded)?
        }
    };
    Ok(json_with_body_etag(req, &answer))
}

/// `POST /{collection}`: validates the body, then inserts it as `actor`; 201 with `Location`.
pub async fn create<T: Item>(
    actor: Actor,
    pool: &DbPool,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let input = T::Input::from_create(body.0)?;
    let mut conn = db::conn(pool).await?;
    let item = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            store_new::<T>(conn, input).await
        })
        .await?;
    Ok(created(&item.location(), &item, item.version()))
}

/// The create flow's write, inside the caller's transaction: `input` prepared (the checks that
/// need the database) and inserted. The demo data loads through it too.
pub async fn store_new<T: Item>(
    conn: &mut AsyncPgConnection,
    input: T::Input,
) -> Result<T, ApiError> {
    let write = T::prepare(conn, input).await?;
    Ok(T::insert(conn, &write).await?)
}

/// `PATCH /{collection}/{key}`: JSON Merge Patch (RFC 7396) onto the locked item, validated as
/// a whole body, then `If-Match`, then the write.
pub async fn update<T: Item>(
    actor: Actor,
    req: &HttpRequest,
    pool: &DbPool,
    key: T::Key,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(req)?;
    let key = T::parse_key(key)?;
    let mut conn = db::conn(pool).await?;
    let item = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            let current = T::find_for_update(conn, &key)
                .await?
                .ok_or_else(|| T::not_found(&key))?;
            let input = T::Input::from_patch(&T::Input::from(&current), body.0)?;
            let write = T::prepare(conn, input).await?;
            // The body is checked first: an invalid change is a 422 whatever the ETag.
            if_match.check(current.version())?;
            T::store_update(conn, &current, &write).await
        })
        .await?;
    Ok(ok_with_etag(req, &item, item.version()))
}

/// An item whose key is natural (chosen by the client, not by the database) and in its path, so
/// a client can name it before it exists: `PUT` creates or replaces it ([`put`]).
pub trait NaturalKey: Item {
    /// The body field that holds the key: `"code"`.
    const KEY_FIELD: &'static str;

    /// The key as the JSON value of [`Self::KEY_FIELD`] in a body.
    fn key_value(key: &Self::Key) -> Value;
}

/// What a PUT did.
enum Put<T> {
    Created(T),
    Replaced(T),
}

/// `PUT /{collection}/{key}`: creates the item if no item has the key (201 with `Location`),
/// else replaces it whole (200): the body is a create body, and fields it leaves out take their
/// defaults, not their stored values. `If-None-Match: *` creates only, `If-Match` replaces
/// only (412 otherwise). The body's key field must be the path's key (a 422 naming it); a body
/// without it takes the path's. A replace by the body the item already has writes nothing and
/// answers the current version (no version bump, no change-feed entry).
///
/// One transaction. Two PUTs creating the same key at once: the second one's insert waits for
/// the first, fails on the primary key, is rolled back to its savepoint, and continues as a
/// replace of the row the first created (or a 412 under `If-None-Match: *`), never a 500.
pub async fn put<T: NaturalKey>(
    actor: Actor,
    req: &HttpRequest,
    pool: &DbPool,
    key: T::Key,
    body: JsonObject,
) -> Result<HttpResponse, ApiError> {
    let preconditions = PutPreconditions::from_request(req)?;
    let key = T::parse_key(key)?;
    let body = body_with_key::<T>(&key, body.0)?;
    // Kept to read again if a concurrent create makes this one a replace.
    let input = T::Input::from_create(body.clone())?;
    let mut conn = db::conn(pool).await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, &actor.name).await?;
            if let Some(current) = T::find_for_update(conn, &key).await? {
                return replace::<T>(conn, &preconditions, current, input).await;
            }
            // The checks that need the database come before the preconditions, as in
            // `update`: an invalid body is a 422 whatever the headers.
            let write = T::prepare(conn, input).await?;
            preconditions.check_create(T::NOUN)?;
            // In a savepoint, so that losing a race for the key leaves the transaction usable.
            let inserted = conn
                .transaction::<_, DieselError, _>(async |conn| T::insert(conn, &write).await)
                .await;
            match inserted {
                Ok(item) => Ok(Put::Created(item)),
                Err(error @ DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                    // Another request created the key since our look-up: replace what it
                    // stored. If nothing has the key, another unique field clashed: a 409.
                    let Some(current) = T::find_for_update(conn, &key).await? else {
                        return Err(error.into());
                    };
                    let input = T::Input::from_create(body)?;
                    replace::<T>(conn, &preconditions, current, input).await
                }
                Err(error) => Err(error.into()),
            }
        })
        .await?;
    Ok(match outcome {
        Put::Created(item) => created(&item.location(), &item, item.version()),
        Put::Replaced(item) => replaced(&item, item.version()),
    })
}

/// The replace half of [`put`], on the locked `current` item.
async fn replace<T: NaturalKey>(
    conn: &mut AsyncPgConnection,
    preconditions: &PutPreconditions,
    current: T,
    input: T::Input,
) -> Result<Put<T>, ApiError> {
    // Compared as create bodies: the stored item's body form is what a create with this
    // body would have stored.
    let unchanged = to_object(&input) == to_object(&T::Input::from(&current));
    let write = T::prepare(conn, input).await?;
    preconditions.check_replace(T::NOUN, current.version())?;
    if unchanged {
        // Nothing to write: no version bump and no change-feed entry for a no-op.
        return Ok(Put::Replaced(current));
    }
    Ok(Put::Replaced(
        T::store_update(conn, &current, &write).await?,
    ))
}

/// The body with the path's key in its key field: added when absent, a 422 when different.
fn body_with_key<T: NaturalKey>(
    key: &T::Key,
    mut body: serde_json::Map<String, Value>,
) -> Result<serde_json::Map<String, Value>, ApiError> {
    let expected = T::key_value(key);
    match body.get(T::KEY_FIELD) {
        None => {
            body.insert(T::KEY_FIELD.to_string(), expected);
        }
        // `null` and values of the wrong type are left to the body's own validation.
        Some(given) if given.is_null() || given == &expected => {}
        Some(given) if std::mem::discriminant(given) != std::mem::discriminant(&expected) => {}
        Some(given) => {
            return Err(ApiError::invalid_field(
                T::KEY_FIELD,
                format!("must be the key in the path ({expected}), not {given}"),
            ))
        }
    }
    Ok(body)
}

/// `DELETE /{collection}/{key}`: after `If-Match`, as `actor`; 204. Children still pointing
/// at the item make it a 409 (their foreign keys, mapped in `crate::error`).
pub async fn delete<T: Item>(
    actor: Actor,
    req: &HttpRequest,
    pool: &DbPool,
    key: T::Key,
) -> Result<HttpResponse, ApiError> {
    let if_match = IfMatch::from_request(req)?;
    let key = T::parse_key(key)?;
    let mut conn = db::conn(pool).await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        db::set_actor(conn, &actor.name).await?;
        let current = T::find_for_update(conn, &key)
            .await?
            .ok_or_else(|| T::not_found(&key))?;
        if_match.check(current.version())?;
        T::delete(conn, &key).await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

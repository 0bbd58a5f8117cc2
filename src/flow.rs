//! The flow every item endpoint shares, one function per verb: `get`, `create`, `update`
//! (JSON Merge Patch, body first, then `If-Match`) and `delete` (`If-Match`; children make it a
//! 409 through their foreign keys). The list side is `crate::listing::handler::list`.
//!
//! A resource says what differs through [`Item`] (its `item.rs`); its handlers keep their
//! `#[utoipa::path]` annotations, which are the API's documentation, and call one flow each.

use crate::actor::Actor;
use crate::body::{FromFields, JsonObject};
use crate::db::keyed::Keyed;
use crate::db::{self, DbPool, ReadPool};
use crate::error::ApiError;
use crate::http::{created, ok_with_etag, IfMatch};
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;
use std::future::Future;

/// What the shared flows need to know of a resource beyond its keyed queries.
pub trait Item: Keyed + Serialize {
    /// What the API calls one, for messages: `"action plan"`.
    const NOUN: &'static str;
    /// Its collection's path segment under `/api/v1`: `"action-plans"`.
    const COLLECTION: &'static str;
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
pub async fn get<T: Item>(
    req: &HttpRequest,
    pool: &ReadPool,
    key: T::Key,
) -> Result<HttpResponse, ApiError> {
    let key = T::parse_key(key)?;
    let mut conn = pool.conn().await?;
    let item = T::find(&mut conn, &key)
        .await?
        .ok_or_else(|| T::not_found(&key))?;
    Ok(ok_with_etag(req, &item, item.version()))
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

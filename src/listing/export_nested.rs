//! Exports with `include`: NDJSON with each row's children and parents nested, as on a page;
//! CSV with its parents flattened into columns (`csv_parents.rs`).
//!
//! A streamed query cannot share its connection with the children's queries, so these exports
//! walk the list in keyset batches of [`BATCH`] rows on one connection instead: a batch, then
//! one query per included collection for that batch (the list's own `embed`, as for a page),
//! then its lines handed to the client through the export channel of `export.rs` (the same
//! budget, send timeout and cut rules). Memory holds one batch; the rows come in the list's
//! order, and a write between two batches is seen by the later batch only, as when paging.

use super::budget::ExportBudget;
use super::csv_parents::ParentRows;
use super::export::{columns, hand_on, start_export, streamed_response, Piece, Stop, CHUNK_BYTES};
use super::handler::cut_to_fields;
use super::include::{with_parents, Sources};
use super::request::{CursorState, Format, ListRequest};
use super::spec::ListSpec;
use super::{decode_cursor, fetch_page};
use crate::db::ReadPool;
use crate::error::ApiError;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use std::time::Duration;
use tokio::sync::mpsc;
use utoipa::ToSchema;

/// Rows per batch: large enough that the children's queries are few, small enough that a
/// batch with its children stays a few MB.
pub const BATCH: i64 = 1000;

/// Walks every batch of `request`, handing on its NDJSON lines; `Done` only at the end.
async fn produce<T, E, M>(
    conn: &mut AsyncPgConnection,
    spec: &'static ListSpec,
    mut request: ListRequest,
    embed: M,
    sources: Sources,
    sender: &mpsc::Sender<Piece>,
    timeout: Duration,
) -> Result<(), Stop>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
    E: Serialize,
    M: AsyncFn(&mut AsyncPgConnection, Vec<T>, &[&'static str]) -> Result<Vec<E>, ApiError>,
{
    request.include_total = false;
    let mut remaining = request.export_limit;
    let mut buffer = Vec::with_capacity(CHUNK_BYTES * 2);
    // A CSV export has parents only (the request refuses children): flattened into columns.
    let mut csv = None;
    if request.format == Format::Csv {
        // With `fields`, the row's own columns are the asked ones (the rows are cut alike).
        let own = match &request.fields {
            Some(projection) => projection.names().iter().map(|n| n.to_string()).collect(),
            None => columns::<T>(),
        };
        let started = ParentRows::new(sources, spec, &request.includes, own)
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|mut rows| rows.header(&mut buffer).map(|()| rows));
        match started {
            Ok(rows) => csv = Some(rows),
            Err(error) => return hand_on(sender, Piece::Failed(error), timeout).await,
        }
    }
    loop {
        request.limit = remaining.map_or(BATCH, |left| left.min(BATCH));
        let batch = async {
            let page = fetch_page::<T>(conn, spec, &request).await?;
            let items = embed(conn, page.items, &request.includes).await?;
            let items = with_parents(conn, sources, spec, items, &request.includes).await?;
            let items = cut_to_fields(&request, items)?;
            Ok::<_, ApiError>((items, page.next_cursor))
        }
        .await;
        let (items, next) = match batch {
            Ok(batch) => batch,
            Err(error) => {
                log::error!("nested export failed: {error}");
                let failed = std::io::Error::other("export query failed");
                return hand_on(sender, Piece::Failed(failed), timeout).await;
            }
        };
        remaining = remaining.map(|left| left - items.len() as i64);
        let items: Vec<serde_json::Value> = items;
        for item in items {
            let written = match csv.as_mut() {
                Some(rows) => rows.row(item, &mut buffer),
                None => serde_json::to_writer(&mut buffer, &item)
                    .map(|()| buffer.push(b'\n'))
                    .map_err(std::io::Error::other),
            };
            if let Err(error) = written {
                return hand_on(sender, Piece::Failed(error), timeout).await;
            }
            if buffer.len() >= CHUNK_BYTES {
                let chunk = Bytes::from(std::mem::take(&mut buffer));
                hand_on(sender, Piece::Bytes(chunk), timeout).await?;
            }
        }
        let next = next.filter(|_| remaining.is_none_or(|left| left > 0));
        let Some(cursor) = next else {
            break;
        };
        match decode_cursor::<CursorState>(&cursor) {
            Ok(state) => request.after = Some(state.values),
            Err(error) => {
                log::error!("nested export lost its place: {error}");
                let failed = std::io::Error::other("export failed");
                return hand_on(sender, Piece::Failed(failed), timeout).await;
            }
        }
    }
    if let Some(Err(error)) = csv.as_mut().map(|rows| rows.finish(&mut buffer)) {
        return hand_on(sender, Piece::Failed(error), timeout).await;
    }
    // At least one chunk, even for no rows: the handler waits for a first one.
    hand_on(sender, Piece::Bytes(Bytes::from(buffer)), timeout).await?;
    hand_on(sender, Piece::Done, timeout).await
}

/// Streams every row of `request` (NDJSON) with the children it includes nested.
pub async fn export_nested<T, E, M>(
    pool: &ReadPool,
    budget: &ExportBudget,
    spec: &'static ListSpec,
    request: ListRequest,
    name: &str,
    embed: M,
    sources: Sources,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
    E: Serialize + 'static,
    M: AsyncFn(&mut AsyncPgConnection, Vec<T>, &[&'static str]) -> Result<Vec<E>, ApiError>
        + 'static,
{
    let format = request.format;
    let receiver = start_export(pool, budget, async move |conn, sender, timeout| {
        produce(conn, spec, request, embed, sources, sender, timeout).await
    })
    .await?;
    streamed_response(format, name, receiver).await
}

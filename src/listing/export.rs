//! Streaming exports: every matching row as CSV (RFC 4180, header row, arrays joined with `;`)
//! or NDJSON, unpaginated, in constant memory.
//!
//! A task owns a pooled connection (and a permit of the export budget, `budget.rs`) and
//! streams rows from PostgreSQL as they arrive, encoding them into chunks sent over a bounded
//! channel: when the client reads slowly the channel fills, the task waits, and TCP
//! backpressure reaches the database. Memory does not grow with the row count.
//!
//! The task waits at most the send timeout (`OGP_EXPORT_SEND_TIMEOUT_MS`) for room in the
//! channel: a client that stops reading holds the connection at most that long after the
//! channel and the socket buffers have filled; then the task stops and releases both.
//! The body ends properly only when the task says every row was sent; a failure or a cut
//! after the first byte aborts the response (the chunked body never terminates properly), so
//! a client can never mistake a cut export for a whole one.

use super::budget::ExportBudget;
use super::csv_row::RowCells;
use super::request::{Format, ListRequest};
use super::spec::ListSpec;
use super::sql::Sql;
use super::{query, Listed};
use crate::db::{DbConn, ReadPool};
use crate::error::ApiError;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel_async::RunQueryDsl;
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::SendTimeoutError;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// Bytes gathered before a chunk is sent.
pub const CHUNK_BYTES: usize = 32 * 1024;
/// Chunks in flight between the database task and the client.
pub const CHUNKS_IN_FLIGHT: usize = 8;

/// The field names of `T`, in the order of its schema (and of its JSON form).
pub fn columns<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Encodes rows into bytes that are handed out in chunks. One CSV writer serves a whole chunk
/// (one per row, with its 8 KiB buffer, was costly), and the cells are reused from row to row.
struct Encoder {
    format: Format,
    cells: RowCells,
    csv: csv::Writer<Vec<u8>>,
    ndjson: Vec<u8>,
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(CHUNK_BYTES * 2))
}

impl Encoder {
    fn new(format: Format, columns: Vec<String>) -> Self {
        Self {
            format,
            cells: RowCells::new(columns),
            csv: csv_writer(),
            ndjson: Vec::new(),
        }
    }

    /// Writes the CSV header row (nothing for NDJSON).
    fn header(&mut self) -> Result<(), std::io::Error> {
        if self.format == Format::Csv {
            self.csv
                .write_record(self.cells.columns())
                .map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    fn row<T: Serialize>(&mut self, row: &T) -> Result<(), std::io::Error> {
        if self.format != Format::Csv {
            serde_json::to_writer(&mut self.ndjson, row).map_err(std::io::Error::other)?;
            self.ndjson.push(b'\n');
            return Ok(());
        }
        let cells = self.cells.fill(row).map_err(std::io::Error::other)?;
        self.csv.write_record(cells).map_err(std::io::Error::other)
    }

    /// How many encoded bytes wait to be taken.
    fn pending(&mut self) -> Result<usize, std::io::Error> {
        if self.format != Format::Csv {
            return Ok(self.ndjson.len());
        }
        self.csv.flush()?;
        Ok(self.csv.get_ref().len())
    }

    /// Takes the bytes encoded so far.
    fn take(&mut self) -> Result<Bytes, std::io::Error> {
        if self.format != Format::Csv {
            return Ok(Bytes::from(std::mem::replace(
                &mut self.ndjson,
                Vec::with_capacity(CHUNK_BYTES * 2),
            )));
        }
        let full = std::mem::replace(&mut self.csv, csv_writer());
        full.into_inner()
            .map(Bytes::from)
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// What the database task hands on to the response body (the bundle export, `crate::bundle`,
/// streams through the same channel and body).
pub enum Piece {
    /// Encoded rows.
    Bytes(Bytes),
    /// The export failed: the body ends with this error (the response is aborted).
    Failed(std::io::Error),
    /// Every row was handed on: the body ends properly.
    Done,
}

/// Why the database task stopped before handing on everything.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// The response body is gone (the client disconnected).
    Gone,
    /// The client took nothing within the send timeout.
    Stalled,
}

/// Hands `piece` on, waiting at most `timeout` for room in the channel.
pub async fn hand_on(
    sender: &mpsc::Sender<Piece>,
    piece: Piece,
    timeout: Duration,
) -> Result<(), Stop> {
    sender
        .send_timeout(piece, timeout)
        .await
        .map_err(|error| match error {
            SendTimeoutError::Closed(_) => Stop::Gone,
            SendTimeoutError::Timeout(_) => Stop::Stalled,
        })
}

/// Rows and bytes handed on to the response body so far.
#[derive(Debug, Default)]
struct Progress {
    rows: u64,
    bytes: u64,
}

/// Streams the rows of `sql` over `conn` into `sender`, each read as a `T` and written by
/// `encoder` as what `convert` makes of it, ending with `Done` only when every row was handed
/// on. Each hand-on waits at most `timeout`.
async fn produce<T, R>(
    sql: Sql,
    conn: &mut DbConn,
    mut encoder: Encoder,
    convert: impl Fn(T) -> Result<R, std::io::Error>,
    sender: &mpsc::Sender<Piece>,
    timeout: Duration,
    progress: &mut Progress,
) -> Result<(), Stop>
where
    T: QueryableByName<Pg> + Send + 'static,
    R: Serialize,
{
    let rows = sql.into_query().load_stream::<Listed<T>>(conn).await;
    let mut rows = match rows {
        Ok(rows) => rows,
        Err(error) => {
            log::error!("export query failed: {error}");
            crate::metrics::database_error();
            let failed = std::io::Error::other("export query failed");
            return hand_on(sender, Piece::Failed(failed), timeout).await;
        }
    };
    // The first chunk (possibly just the header) tells the handler the query started.
    let mut encoded_rows = 0;
    let mut pending = encoder.header().map(|()| CHUNK_BYTES);
    loop {
        match pending {
            Err(error) => return hand_on(sender, Piece::Failed(error), timeout).await,
            Ok(bytes) if bytes >= CHUNK_BYTES => {
                let chunk = match encoder.take() {
                    Ok(chunk) => chunk,
                    Err(error) => return hand_on(sender, Piece::Failed(error), timeout).await,
                };
                let length = chunk.len() as u64;
                hand_on(sender, Piece::Bytes(chunk), timeout).await?;
                progress.rows = encoded_rows;
                progress.bytes += length;
            }
            Ok(_) => {}
        }
        let Some(row) = rows.next().await else {
            break;
        };
        pending = row
            .map_err(|e| {
                log::error!("export stream failed: {e}");
                std::io::Error::other("export stream failed")
            })
            .and_then(|row| convert(row.row))
            .and_then(|row| encoder.row(&row))
            .and_then(|()| encoder.pending());
        encoded_rows += 1;
    }
    match encoder.take() {
        Ok(rest) if !rest.is_empty() => {
            let length = rest.len() as u64;
            hand_on(sender, Piece::Bytes(rest), timeout).await?;
            progress.bytes += length;
        }
        Ok(_) => {}
        Err(error) => return hand_on(sender, Piece::Failed(error), timeout).await,
    }
    progress.rows = encoded_rows;
    hand_on(sender, Piece::Done, timeout).await
}

/// The response body: the pieces the task hands on. It ends properly only on `Done`; a
/// failure, or a task that stopped without `Done` (its client stalled), ends it with an error,
/// so actix aborts the chunked body instead of terminating it.
pub fn body(
    first: Bytes,
    receiver: mpsc::Receiver<Piece>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let rest = futures_util::stream::unfold(Some(receiver), |receiver| async move {
        let mut receiver = receiver?;
        match receiver.recv().await {
            Some(Piece::Bytes(bytes)) => Some((Ok(bytes), Some(receiver))),
            Some(Piece::Done) => None,
            Some(Piece::Failed(error)) => Some((Err(error), None)),
            None => Some((
                Err(std::io::Error::other("the export was cut before its end")),
                None,
            )),
        }
    });
    futures_util::stream::once(futures_util::future::ready(Ok(first))).chain(rest)
}

/// Streams every row of `request` in its format. `name` names the download (`<name>.csv`).
///
/// The export first takes a permit of `budget` (else a 503), then a connection; both belong to
/// the streaming task and are released when it ends. The task waits at most the budget's send
/// timeout for the client to take each chunk: a client that stops reading holds the
/// connection at most that long once the channel and the socket buffers are full, and its
/// response is then aborted.
pub async fn export<T>(
    pool: &ReadPool,
    budget: &ExportBudget,
    spec: &'static ListSpec,
    request: ListRequest,
    name: &str,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
{
    let sql = query::rows_sql(spec, &request, request.export_limit)?;
    export_rows(
        pool,
        budget,
        sql,
        request.format,
        columns::<T>(),
        Ok::<T, _>,
        name,
    )
    .await
}

/// Streams the rows of `sql`, each read as a `T` and written as what `convert` makes of it,
/// with `columns` as the CSV header: [`export`]'s work, shared with `fields::export`.
pub async fn export_rows<T, R>(
    pool: &ReadPool,
    budget: &ExportBudget,
    sql: Sql,
    format: Format,
    columns: Vec<String>,
    convert: impl Fn(T) -> Result<R, std::io::Error> + 'static,
    name: &str,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Send + 'static,
    R: Serialize,
{
    let receiver = start_export(pool, budget, async move |conn, sender, timeout| {
        let mut progress = Progress::default();
        let outcome = produce::<T, R>(
            sql,
            conn,
            Encoder::new(format, columns),
            convert,
            sender,
            timeout,
            &mut progress,
        )
        .await;
        if outcome == Err(Stop::Stalled) {
            log::warn!(
                "export cut: its client took nothing for {} s; {} rows ({} bytes) were handed \
                 on; releasing its database connection",
                timeout.as_secs_f64(),
                progress.rows,
                progress.bytes
            );
        }
        outcome
    })
    .await?;

    streamed_response(format, name, receiver).await
}

/// Starts an export's task: takes a permit of `budget` (else a 503) and a connection, and runs
/// `produce` over them in a task of its own, which hands its pieces to the returned receiver
/// (waiting at most the budget's send timeout for each). The connection goes back to the pool
/// only when `produce` handed everything on; cut or failed mid-result, the rest of a result may
/// still be on its way and the next request to get the connection would wait behind it, so it
/// is closed instead. Then the permit frees a slot.
pub async fn start_export<P>(
    pool: &ReadPool,
    budget: &ExportBudget,
    produce: P,
) -> Result<mpsc::Receiver<Piece>, ApiError>
where
    P: AsyncFnOnce(&mut DbConn, &mpsc::Sender<Piece>, Duration) -> Result<(), Stop> + 'static,
{
    let permit = budget.admit().await?;
    let mut conn = pool.conn().await?;
    let timeout = budget.send_timeout();
    let (sender, receiver) = mpsc::channel::<Piece>(CHUNKS_IN_FLIGHT);
    actix_web::rt::spawn(async move {
        let outcome = produce(&mut conn, &sender, timeout).await;
        if outcome.is_ok() {
            drop(conn);
        } else {
            drop(deadpool::managed::Object::take(conn));
        }
        drop(permit);
    });
    Ok(receiver)
}

/// The response of an export whose task hands its pieces to `receiver`: waits for the first
/// chunk (until then a failure can still be a proper error response), then streams.
pub async fn streamed_response(
    format: Format,
    name: &str,
    mut receiver: mpsc::Receiver<Piece>,
) -> Result<HttpResponse, ApiError> {
    let first = match receiver.recv().await {
        Some(Piece::Bytes(first)) => first,
        _ => return Err(ApiError::internal("the export could not start")),
    };
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8; header=present", "csv"),
        _ => ("application/x-ndjson", "ndjson"),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{extension}\""),
        ))
        .insert_header(crate::http::cache_control())
        // The same URL answers JSON, CSV or NDJSON by `Accept`.
        .insert_header((actix_web::http::header::VARY, "Accept"))
        .streaming(body(first, receiver)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_cells_follow_rfc_4180_and_join_arrays() {
        let columns: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let mut encoder = Encoder::new(Format::Csv, columns);
        encoder.header().unwrap();
        let row = json!({"a": "say \"hi\", then\nleave", "b": ["x", "y"], "c": null, "d": 3});
        encoder.row(&row).unwrap();
        encoder.row(&json!({"a": "", "b": [], "d": true})).unwrap();
        assert_eq!(
            String::from_utf8(encoder.take().unwrap().to_vec()).unwrap(),
            "a,b,c,d\r\n\"say \"\"hi\"\", then\nleave\",x;y,,3\r\n,,,true\r\n"
        );
    }

    /// What a response body yields: its bytes, then `Err` if it ends with an error.
    async fn drain(
        body: impl Stream<Item = Result<Bytes, std::io::Error>>,
    ) -> (Vec<u8>, Option<String>) {
        let mut body = std::pin::pin!(body);
        let mut bytes = Vec::new();
        while let Some(piece) = body.next().await {
            match piece {
                Ok(piece) => bytes.extend_from_slice(&piece),
                Err(error) => return (bytes, Some(error.to_string())),
            }
        }
        (bytes, None)
    }

    #[actix_web::test]
    async fn the_body_ends_properly_only_after_done() {
        let (sender, receiver) = mpsc::channel(4);
        sender.send(Piece::Bytes(Bytes::from("b,"))).await.unwrap();
        sender.send(Piece::Done).await.unwrap();
        let whole = drain(body(Bytes::from("a,"), receiver)).await;
        assert_eq!(whole, (b"a,b,".to_vec(), None));

        // A task that stops without `Done` (its client stalled) ends the body with an error.
        let (sender, receiver) = mpsc::channel(4);
        sender.send(Piece::Bytes(Bytes::from("b,"))).await.unwrap();
        drop(sender);
        let cut = drain(body(Bytes::from("a,"), receiver)).await;
        assert_eq!(cut.0, b"a,b,");
        assert_eq!(cut.1.as_deref(), Some("the export was cut before its end"));

        let (sender, receiver) = mpsc::channel(4);
        let failed = std::io::Error::other("export stream failed");
        sender.send(Piece::Failed(failed)).await.unwrap();
        sender.send(Piece::Done).await.unwrap();
        let failed = drain(body(Bytes::from("a,"), receiver)).await;
        assert_eq!(failed.1.as_deref(), Some("export stream failed"));
    }

    #[actix_web::test]
    async fn handing_on_gives_up_after_the_timeout_or_when_the_body_is_gone() {
        let (sender, receiver) = mpsc::channel(1);
        let timeout = Duration::from_millis(20);
        assert_eq!(hand_on(&sender, Piece::Done, timeout).await, Ok(()));
        // The channel is full and nobody reads.
        assert_eq!(
            hand_on(&sender, Piece::Done, timeout).await,
            Err(Stop::Stalled)
        );
        drop(receiver);
        assert_eq!(
            hand_on(&sender, Piece::Done, timeout).await,
            Err(Stop::Gone)
        );
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let mut encoder = Encoder::new(Format::Ndjson, Vec::new());
        encoder.header().unwrap();
        encoder.row(&json!({"a": 1})).unwrap();
        encoder.row(&json!({"a": 2})).unwrap();
        assert_eq!(encoder.pending().unwrap(), 16);
        assert_eq!(&encoder.take().unwrap()[..], b"{\"a\":1}\n{\"a\":2}\n");
    }
}

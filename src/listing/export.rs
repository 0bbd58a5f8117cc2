//! Streaming exports: every matching row as CSV (RFC 4180, header row, arrays joined with `;`)
//! or NDJSON, unpaginated, in constant memory.
//!
//! A task owns a pooled connection and streams rows from PostgreSQL as they arrive, encoding
//! them into chunks sent over a bounded channel: when the client reads slowly the channel
//! fills, the task waits, and TCP backpressure reaches the database. Memory does not grow
//! with the row count. A failure after the first byte aborts the response (the chunked body
//! never terminates properly), so a client can never mistake a cut export for a whole one.

use super::csv_row::RowCells;
use super::request::{Format, ListRequest};
use super::spec::ListSpec;
use super::{query, Listed};
use crate::db::ReadPool;
use crate::error::ApiError;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::mpsc;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 32 * 1024;
/// Chunks in flight between the database task and the client.
const CHUNKS_IN_FLIGHT: usize = 8;

type Chunk = Result<Bytes, std::io::Error>;

/// The field names of `T`, in the order of its schema (and of its JSON form).
fn columns<T: ToSchema>() -> Vec<String> {
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

/// Streams every row of `request` in its format. `name` names the download (`<name>.csv`).
pub async fn export<T>(
    pool: &ReadPool,
    spec: &'static ListSpec,
    request: ListRequest,
    name: &str,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
{
    let format = request.format;
    let sql = query::rows_sql(spec, &request, false)?;
    let mut conn = pool.conn().await?;
    let (sender, mut receiver) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    actix_web::rt::spawn(async move {
        let mut encoder = Encoder::new(format, columns::<T>());
        let rows = sql.into_query().load_stream::<Listed<T>>(&mut conn).await;
        let mut rows = match rows {
            Ok(rows) => rows,
            Err(error) => {
                log::error!("export query failed: {error}");
                let _ = sender
                    .send(Err(std::io::Error::other("export query failed")))
                    .await;
                return;
            }
        };
        // The first chunk (possibly just the header) tells the handler the query started.
        let first = encoder.header().and_then(|()| encoder.take());
        if sender.send(first).await.is_err() {
            return;
        }
        while let Some(row) = rows.next().await {
            let encoded = row
                .map_err(|e| {
                    log::error!("export stream failed: {e}");
                    std::io::Error::other("export stream failed")
                })
                .and_then(|row| encoder.row(&row.row))
                .and_then(|()| encoder.pending());
            match encoded {
                Err(error) => {
                    let _ = sender.send(Err(error)).await;
                    return;
                }
                Ok(pending) if pending >= CHUNK_BYTES => {
                    if sender.send(encoder.take()).await.is_err() {
                        return; // the client went away
                    }
                }
                Ok(_) => {}
            }
        }
        if let Ok(rest) = encoder.take() {
            if !rest.is_empty() {
                let _ = sender.send(Ok(rest)).await;
            }
        }
    });

    // Until the first chunk arrives, a failure can still be a proper error response.
    let first = match receiver.recv().await {
        Some(Ok(first)) => first,
        _ => return Err(ApiError::internal("the export could not start")),
    };
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(
        futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|chunk| (chunk, receiver))
        }),
    );
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
        .streaming(body))
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

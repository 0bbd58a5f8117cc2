//! Streaming exports: every matching row as CSV (RFC 4180, header row, arrays joined with `;`)
//! or NDJSON, unpaginated, in constant memory.
//!
//! A task owns a pooled connection and streams rows from PostgreSQL as they arrive, encoding
//! them into chunks sent over a bounded channel: when the client reads slowly the channel
//! fills, the task waits, and TCP backpressure reaches the database. Memory does not grow
//! with the row count. A failure after the first byte aborts the response (the chunked body
//! never terminates properly), so a client can never mistake a cut export for a whole one.

use super::request::{Format, ListRequest};
use super::spec::ListSpec;
use super::{query, Listed};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use diesel::deserialize::QueryableByName;
use diesel::pg::Pg;
use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::Value;
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

/// One CSV cell: `null` empty, arrays joined with `;`, text as is.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| cell(Some(item)))
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    }
}

/// Appends one record to `buffer`.
fn write_csv_record<I, S>(buffer: &mut Vec<u8>, cells: I) -> Result<(), std::io::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(buffer);
    writer.write_record(cells).map_err(std::io::Error::other)?;
    writer.flush()
}

fn encode<T: Serialize>(
    format: Format,
    columns: &[String],
    row: &T,
    buffer: &mut Vec<u8>,
) -> Result<(), std::io::Error> {
    match format {
        Format::Csv => {
            let json = serde_json::to_value(row).map_err(std::io::Error::other)?;
            write_csv_record(buffer, columns.iter().map(|c| cell(json.get(c))))
        }
        _ => {
            serde_json::to_writer(&mut *buffer, row).map_err(std::io::Error::other)?;
            buffer.push(b'\n');
            Ok(())
        }
    }
}

/// Streams every row of `request` in its format. `name` names the download (`<name>.csv`).
pub async fn export<T>(
    pool: &DbPool,
    spec: &'static ListSpec,
    request: ListRequest,
    name: &str,
) -> Result<HttpResponse, ApiError>
where
    T: QueryableByName<Pg> + Serialize + ToSchema + Send + 'static,
{
    let format = request.format;
    let sql = query::rows_sql(spec, &request, false)?;
    let mut conn = db::conn(pool).await?;
    let (sender, mut receiver) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    actix_web::rt::spawn(async move {
        let columns = columns::<T>();
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
        let mut buffer = Vec::with_capacity(CHUNK_BYTES * 2);
        if format == Format::Csv {
            if let Err(error) = write_csv_record(&mut buffer, &columns) {
                let _ = sender.send(Err(error)).await;
                return;
            }
        }
        // The first chunk (possibly just the header) tells the handler the query started.
        if sender
            .send(Ok(Bytes::from(std::mem::take(&mut buffer))))
            .await
            .is_err()
        {
            return;
        }
        while let Some(row) = rows.next().await {
            let encoded = row
                .map_err(|e| {
                    log::error!("export stream failed: {e}");
                    std::io::Error::other("export stream failed")
                })
                .and_then(|row| encode(format, &columns, &row.row, &mut buffer));
            if let Err(error) = encoded {
                let _ = sender.send(Err(error)).await;
                return;
            }
            if buffer.len() >= CHUNK_BYTES {
                let chunk = Bytes::from(std::mem::replace(
                    &mut buffer,
                    Vec::with_capacity(CHUNK_BYTES * 2),
                ));
                if sender.send(Ok(chunk)).await.is_err() {
                    return; // the client went away
                }
            }
        }
        if !buffer.is_empty() {
            let _ = sender.send(Ok(Bytes::from(buffer))).await;
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
        let mut buffer = Vec::new();
        let row = json!({"a": "say \"hi\", then\nleave", "b": ["x", "y"], "c": null, "d": 3});
        let columns: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        write_csv_record(&mut buffer, columns.iter().map(|c| cell(row.get(c)))).unwrap();
        assert_eq!(
            String::from_utf8(buffer).unwrap(),
            "\"say \"\"hi\"\", then\nleave\",x;y,,3\r\n"
        );
    }
}

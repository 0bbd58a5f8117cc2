//! Reading a request body whole, within a size limit and a deadline.
//!
//! actix-web times out only the request head (`client_request_timeout`); a body that trickles
//! in, or stops halfway, would otherwise keep its request (and whatever it holds) open for as
//! long as the client keeps the connection. Every body reader goes through here.

use crate::error::ApiError;
use actix_web::web::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use std::time::Duration;

/// How long reading a whole body may take, unless `BodyTimeout` app data says otherwise.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// App data: how long reading a whole request body may take (`OGP_BODY_TIMEOUT_MS`).
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// Reads `payload` to its end: more than `limit` bytes is a 413, a read error a 400, and a
/// body that has not arrived whole within `timeout` a 408.
pub async fn read_whole<S, E>(
    payload: &mut S,
    limit: usize,
    timeout: Duration,
) -> Result<BytesMut, ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let read = async {
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::payload_too_large(format!(
                    "the body exceeds {limit} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::request_timeout(format!(
                "the request body did not arrive within {} s",
                timeout.as_secs_f64()
            )))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Chunk = Result<Bytes, std::io::Error>;

    #[actix_web::test]
    async fn a_whole_body_within_the_limit_is_read() {
        let mut payload = futures_util::stream::iter(vec![
            Ok::<_, std::io::Error>(Bytes::from_static(b"{\"a\":")),
            Ok(Bytes::from_static(b"1}")),
        ]);
        let body = read_whole(&mut payload, 16, Duration::from_secs(1)).await;
        assert_eq!(&body.unwrap()[..], b"{\"a\":1}");
    }

    #[actix_web::test]
    async fn a_body_that_stops_arriving_is_a_408_and_one_too_large_a_413() {
        let mut stalled = futures_util::stream::iter(vec![Ok(Bytes::from_static(b"{"))])
            .chain(futures_util::stream::pending::<Chunk>());
        let error = read_whole(&mut stalled, 100, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(error.status.as_u16(), 408);
        assert_eq!(
            error.detail,
            "the request body did not arrive within 0.05 s"
        );
        let mut large = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(
            Bytes::from_static(b"0123456789"),
        )]);
        let error = read_whole(&mut large, 5, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(error.status.as_u16(), 413);
    }
}

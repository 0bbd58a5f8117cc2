//! The front of every connection: reads the first request head itself, answers a head it must
//! refuse with a problem+json response, and hands any other connection to actix-http's HTTP/1
//! dispatcher with the bytes already read put back (`Prefixed`).
//!
//! Why: actix-http answers the heads it refuses (too large, malformed, too slow) with bare,
//! empty-bodied responses built inside its dispatcher, where no middleware or hook reaches
//! (docs/design-notes.md, "Responses the front answers"). Reading the first head before the
//! dispatcher does is the one place such answers can get a body without forking actix.

use super::head::{HeadScan, Refusal, Verdict, MAX_HEAD_BYTES};
use super::prefixed::Prefixed;
use crate::error::PROBLEM_JSON;
use crate::middleware::REQUEST_ID;
use actix_http::error::DispatchError;
use actix_http::ServiceConfig;
use actix_server::GracefulShutdownSignal;
use actix_service::{Service, ServiceFactory};
use actix_web::http::header::{HeaderMap, HeaderValue, CONNECTION, CONTENT_TYPE, DATE};
use actix_web::http::Method;
use actix_web::web::BytesMut;
use futures_util::future::LocalBoxFuture;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads are made into at least this much free buffer space.
const READ_CHUNK: usize = 8 * 1024;

/// After a refusal, at most this much more of what the client is still sending is read and
/// dropped (see `answer`).
const DRAIN_LIMIT: usize = 1024 * 1024;

/// The front's settings, the same for every connection of a listener.
#[derive(Clone)]
pub struct FrontSettings {
    /// The whole first head must arrive within this, counted from the accept (actix's
    /// `client_request_timeout`, which the front enforces instead of the dispatcher).
    pub head_timeout: Duration,
    /// How long a refused connection is drained and closed (actix's `client_disconnect_timeout`).
    pub disconnect_timeout: Duration,
    /// Notified when a graceful shutdown begins: a connection that has sent nothing yet is then
    /// closed rather than waited for.
    pub shutdown: GracefulShutdownSignal,
}

/// The factory of [`FrontService`]s: one per worker, around that worker's HTTP/1 service.
pub struct FrontFactory<F> {
    /// actix-http's `H1Service` over `Prefixed<TcpStream>`.
    pub h1: F,
    /// The front's settings.
    pub settings: FrontSettings,
}

impl<F> ServiceFactory<TcpStream> for FrontFactory<F>
where
    F: ServiceFactory<
        (Prefixed<TcpStream>, Option<SocketAddr>),
        Config = (),
        Response = (),
        Error = DispatchError,
        InitError = (),
    >,
    F::Service: 'static,
    F::Future: 'static,
    <F::Service as Service<(Prefixed<TcpStream>, Option<SocketAddr>)>>::Future: 'static,
{
    type Response = ();
    type Error = DispatchError;
    type Config = ();
    type Service = FrontService<F::Service>;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<Self::Service, ()>>;

    fn new_service(&self, _: ()) -> Self::Future {
        let h1 = self.h1.new_service(());
        let settings = self.settings.clone();
        Box::pin(async move {
            Ok(FrontService {
                h1: Rc::new(h1.await?),
                // For the decoder only (its settings are the defaults the dispatcher's decoder
                // also has); made once per worker, as it starts a date-keeping task.
                decoder_config: ServiceConfig::default(),
                settings: Rc::new(settings),
            })
        })
    }
}

/// The per-worker service: one call per accepted connection.
pub struct FrontService<H> {
    h1: Rc<H>,
    decoder_config: ServiceConfig,
    settings: Rc<FrontSettings>,
}

impl<H> Service<TcpStream> for FrontService<H>
where
    H: Service<(Prefixed<TcpStream>, Option<SocketAddr>), Response = (), Error = DispatchError>
        + 'static,
    H::Future: 'static,
{
    type Response = ();
    type Error = DispatchError;
    type Future = LocalBoxFuture<'static, Result<(), DispatchError>>;

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), DispatchError>> {
        self.h1.poll_ready(cx)
    }

    fn call(&self, mut io: TcpStream) -> Self::Future {
        let h1 = Rc::clone(&self.h1);
        let settings = Rc::clone(&self.settings);
        let decoder_config = self.decoder_config.clone();
        Box::pin(async move {
            let accepted = Instant::now();
            // As actix-http's own `tcp()` service does: a response written in pieces (a
            // compressed or streamed body ends with a small last chunk) must not wait for the
            // client's delayed ACK (Nagle's algorithm: 40 ms per response on Linux).
            let _ = io.set_nodelay(true);
            let peer = io.peer_addr().ok();
            match read_head(&mut io, &decoder_config, &settings).await {
                Outcome::Ready(head) => h1.call((Prefixed::new(io, head.freeze()), peer)).await,
                Outcome::Refuse(refusal) => {
                    answer(io, refusal, peer, accepted, &settings).await;
                    Ok(())
                }
                Outcome::Close => Ok(()),
            }
        })
    }
}

/// How reading the first head ended.
enum Outcome {
    /// A head actix-http accepts, and whatever followed it in the same reads.
    Ready(BytesMut),
    /// A head to refuse.
    Refuse(Refusal),
    /// Nothing to answer: the client left (or the server is stopping) before sending a byte,
    /// or the socket failed.
    Close,
}

async fn read_head(
    io: &mut TcpStream,
    config: &ServiceConfig,
    settings: &FrontSettings,
) -> Outcome {
    let deadline = tokio::time::Instant::now() + settings.head_timeout;
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut scan = HeadScan::default();
    loop {
        if buf.capacity() - buf.len() < READ_CHUNK / 2 {
            buf.reserve(READ_CHUNK);
        }
        let read = tokio::select! {
            read = tokio::time::timeout_at(deadline, io.read_buf(&mut buf)) => read,
            () = settings.shutdown.notified(), if buf.is_empty() => return Outcome::Close,
        };
        match read {
            Err(_elapsed) => {
                return Outcome::Refuse(scan.incomplete(&buf, Some(settings.head_timeout)))
            }
            Ok(Err(_)) => return Outcome::Close,
            Ok(Ok(0)) if buf.is_empty() => return Outcome::Close,
            Ok(Ok(0)) => return Outcome::Refuse(scan.incomplete(&buf, None)),
            Ok(Ok(_)) => match scan.judge(&buf, config) {
                Verdict::More => debug_assert!(buf.len() <= MAX_HEAD_BYTES),
                Verdict::Ready => return Outcome::Ready(buf),
                Verdict::Refuse(refusal) => return Outcome::Refuse(refusal),
            },
        }
    }
}

/// Writes the problem for `refusal` and closes the connection.
///
/// The write side is shut first and what the client is still sending is read and dropped for
/// a while: closing a socket with unread input makes the kernel reset the connection, and a
/// reset can destroy the response before the client has read it (a client sending a 130 KB head
/// is still sending when it is refused).
async fn answer(
    mut io: TcpStream,
    refusal: Refusal,
    peer: Option<SocketAddr>,
    accepted: Instant,
    settings: &FrontSettings,
) {
    let request_id = refusal
        .request_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let response = render(&refusal, &request_id);
    let status = refusal.error.status.as_u16();
    let method = refusal.method.as_deref().unwrap_or("-");
    crate::metrics::observe("-", "-", status, accepted.elapsed().as_secs_f64());
    log::info!(
        target: "access",
        "{request_id} {} - {method} {} {status} {:.1}ms (refused by the front: {})",
        peer.map_or_else(|| "-".to_string(), |p| p.ip().to_string()),
        if refusal.instance.is_empty() { "-" } else { &refusal.instance },
        accepted.elapsed().as_secs_f64() * 1000.0,
        refusal.error.detail
    );
    let write = async {
        io.write_all(&response).await?;
        io.flush().await?;
        io.shutdown().await
    };
    if let Ok(Ok(())) = tokio::time::timeout(settings.disconnect_timeout, write).await {
        let drain = async {
            let mut sink = vec![0u8; READ_CHUNK];
            let mut drained = 0;
            while drained < DRAIN_LIMIT {
                match io.read(&mut sink).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => drained += n,
                }
            }
        };
        let _ = tokio::time::timeout(settings.disconnect_timeout, drain).await;
    }
}

/// The whole HTTP/1.1 response for `refusal`: the problem body and the headers the
/// request-context middleware gives every error (`X-Request-Id`, `Cache-Control: no-store`, the
/// security headers), plus `Connection: close`.
fn render(refusal: &Refusal, request_id: &str) -> Vec<u8> {
    let body = serde_json::to_vec(&refusal.error.to_problem(&refusal.instance, request_id))
        .unwrap_or_default();
    let status = refusal.error.status;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID, id);
    }
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    if let Ok(date) = HeaderValue::from_str(&httpdate_now()) {
        headers.insert(DATE, date);
    }
    crate::cache_policy::apply(&Method::GET, status, false, &mut headers);
    crate::security_headers::apply(&refusal.instance, &mut headers);
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-length: {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    for (name, value) in &headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    out
}

/// The current time as an HTTP date (RFC 9110 §5.6.7).
fn httpdate_now() -> String {
    chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    #[test]
    fn a_refusal_is_a_complete_problem_response() {
        let refusal = Refusal {
            error: ApiError::bad_request("nope"),
            instance: "/api/v1/x".into(),
            method: Some("GET".into()),
            request_id: None,
        };
        let response = String::from_utf8(render(&refusal, "id-1")).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        for line in [
            "content-type: application/problem+json",
            "x-request-id: id-1",
            "connection: close",
            "cache-control: no-store",
            "x-content-type-options: nosniff",
        ] {
            assert!(head.contains(line), "{line} in {head}");
        }
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["instance"], "/api/v1/x");
        assert_eq!(problem["request_id"], "id-1");
    }
}

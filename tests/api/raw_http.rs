//! Raw bytes over real sockets to the real server (`ogp_api::server::build`): request heads that
//! actix-http's parser refuses get problem+json answers from the front (`src/server/front.rs`),
//! and what the front hands over still works (keep-alive, bodies).

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_http_server, HttpTestServer, TestApp};
use ogp_api::app::AppState;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// One response as read off the socket.
struct Raw {
    status_line: String,
    /// Header lines, names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl std::fmt::Debug for Raw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {:?} {}",
            self.status_line,
            self.headers,
            String::from_utf8_lossy(&self.body)
        )
    }
}

impl Raw {
    fn status(&self) -> u16 {
        self.status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// A problem+json answer of `status`, with the request id in header and body.
    #[track_caller]
    fn assert_problem(&self, status: u16) -> Value {
        let text = String::from_utf8_lossy(&self.body);
        assert_eq!(self.status(), status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        let problem = self.json();
        assert_eq!(problem["status"], status, "{text}");
        for member in ["type", "title", "detail", "instance", "request_id"] {
            assert!(problem[member].is_string(), "no `{member}`: {text}");
        }
        let id = self.header("x-request-id").expect("an X-Request-Id");
        assert!(!id.is_empty());
        assert_eq!(problem["request_id"], id, "{text}");
        assert_eq!(self.header("cache-control"), Some("no-store"));
        problem
    }
}

/// Reads one response (its head, then a body framed by Content-Length or chunked, or else up
/// to the end of the connection).
fn read_response(stream: &mut TcpStream) -> Raw {
    let mut data = Vec::new();
    let mut byte = [0u8; 1];
    while !data.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => data.push(byte[0]),
            other => panic!(
                "the connection ended inside a response head ({other:?}): {:?}",
                String::from_utf8_lossy(&data)
            ),
        }
    }
    let head = String::from_utf8(data).expect("a UTF-8 head");
    let mut lines = head.trim_end().split("\r\n");
    let status_line = lines.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(length) = find("content-length") {
        body.resize(length.parse().expect("a Content-Length"), 0);
        stream.read_exact(&mut body).expect("the whole body");
    } else if find("transfer-encoding").is_some_and(|te| te.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = Vec::new();
            while !size_line.ends_with(b"\r\n") {
                stream.read_exact(&mut byte).expect("a chunk size");
                size_line.push(byte[0]);
            }
            let size = usize::from_str_radix(std::str::from_utf8(&size_line).unwrap().trim(), 16)
                .expect("a hex chunk size");
            let mut chunk = vec![0u8; size + 2];
            stream.read_exact(&mut chunk).expect("a chunk");
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        stream.read_to_end(&mut body).expect("the body");
    }
    Raw {
        status_line,
        headers,
        body,
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Sends `bytes` on a new connection and reads the answer. A failed write is ignored: the
/// server may refuse (and stop reading) before the client is done sending.
fn exchange(addr: SocketAddr, bytes: Vec<u8>) -> Raw {
    let mut stream = connect(addr);
    let _ = stream.write_all(&bytes);
    read_response(&mut stream)
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

async fn server() -> (TestApp, HttpTestServer) {
    let app = spawn_app().await;
    let server = spawn_http_server(AppState::new(app.pool.clone()));
    (app, server)
}

#[actix_web::test]
async fn a_70_kb_request_target_is_a_414_problem() {
    let (_app, server) = server().await;
    let mut request = b"GET /api/v1/countries?q=".to_vec();
    request.resize(70_000, b'a');
    request.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = blocking(move || exchange(server.addr, request)).await;
    let problem = response.assert_problem(414);
    assert_eq!(problem["type"], "/problems/uri-too-long");
    assert_eq!(response.header("connection"), Some("close"));
}

#[actix_web::test]
async fn a_head_with_100_headers_is_a_431_problem() {
    let (_app, server) = server().await;
    let mut request = b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..100 {
        request.extend_from_slice(format!("X-Filler-{i}: {i}\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let response = blocking(move || exchange(server.addr, request)).await;
    let problem = response.assert_problem(431);
    assert!(
        problem["detail"].as_str().unwrap().contains("96"),
        "{problem}"
    );
    assert_eq!(problem["instance"], "/api/v1/countries");
}

#[actix_web::test]
async fn a_130_kb_head_is_a_431_problem() {
    let (_app, server) = server().await;
    let mut request = b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    request.resize(130 * 1024, b'b');
    request.extend_from_slice(b"\r\n\r\n");
    let response = blocking(move || exchange(server.addr, request)).await;
    response.assert_problem(431);
}

#[actix_web::test]
async fn a_garbage_request_line_is_a_400_problem() {
    let (_app, server) = server().await;
    let response = blocking(move || exchange(server.addr, b"GARBAGE\r\n\r\n".to_vec())).await;
    let problem = response.assert_problem(400);
    assert_eq!(problem["type"], "/problems/malformed-request");
}

#[actix_web::test]
async fn a_head_actix_refuses_after_parsing_keeps_the_clients_request_id() {
    let (_app, server) = server().await;
    // Parses, but HTTP/1.1 needs a Host header (actix-http refuses it; so does the front).
    let request = b"GET /api/v1/countries HTTP/1.1\r\nX-Request-Id: probe-42\r\n\r\n".to_vec();
    let response = blocking(move || exchange(server.addr, request)).await;
    let problem = response.assert_problem(400);
    assert_eq!(response.header("x-request-id"), Some("probe-42"));
    assert!(
        problem["detail"].as_str().unwrap().contains("Host"),
        "{problem}"
    );
}

#[actix_web::test]
async fn a_head_that_stalls_is_a_408_problem_after_the_head_deadline() {
    let (_app, server) = server().await;
    let addr = server.addr;
    let (response, waited) = blocking(move || {
        let started = Instant::now();
        let mut stream = connect(addr);
        stream.write_all(b"GET /api/v1/coun").unwrap();
        let response = read_response(&mut stream);
        (response, started.elapsed())
    })
    .await;
    let problem = response.assert_problem(408);
    assert!(
        problem["detail"].as_str().unwrap().contains("5000 ms"),
        "{problem}"
    );
    // The documented deadline is 5 s from the connection: not before it, and not much after.
    assert!(waited >= Duration::from_millis(4500), "{waited:?}");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
}

#[actix_web::test]
async fn keep_alive_requests_and_bodies_still_work_behind_the_front() {
    let (app, server) = server().await;
    let addr = server.addr;
    let key = app.key.clone();
    let responses = blocking(move || {
        let mut stream = connect(addr);
        let mut responses = Vec::new();
        // Three requests on one connection: the first through the front, the rest straight to
        // actix-http.
        for path in ["/healthz", "/api/v1/countries", "/healthz"] {
            write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            responses.push(read_response(&mut stream));
        }
        // A POST on the same connection whose body comes in a later write.
        let body = country("KAL").to_string();
        write!(
            stream,
            "POST /api/v1/countries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        stream.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        stream.write_all(body.as_bytes()).unwrap();
        responses.push(read_response(&mut stream));
        responses
    })
    .await;
    let statuses: Vec<u16> = responses.iter().map(Raw::status).collect();
    assert_eq!(statuses, [200, 200, 200, 201], "{responses:?}");
    assert_eq!(responses[0].json()["status"], "ok");
    assert_eq!(responses[3].json()["code"], "KAL");
    for response in &responses {
        assert!(response.header("x-request-id").is_some(), "{response:?}");
    }
}

#[actix_web::test]
async fn a_first_request_with_its_body_in_the_same_packet_works() {
    let (app, server) = server().await;
    let addr = server.addr;
    let body = country("PKT").to_string();
    // Head and body in one write: the front reads both, and actix-http gets both replayed.
    let request = format!(
        "POST /api/v1/countries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        app.key,
        body.len()
    );
    let response = blocking(move || exchange(addr, request.into_bytes())).await;
    assert_eq!(response.status(), 201, "{response:?}");
    assert_eq!(response.json()["code"], "PKT");
    let read = app.get("/api/v1/countries/PKT").await;
    read.assert_status(200);
}

#[actix_web::test]
async fn a_head_request_gets_the_get_head_and_no_body() {
    let (app, server) = server().await;
    app.create("/api/v1/countries", &country("MEX")).await;
    let addr = server.addr;
    let (get, head) = blocking(move || {
        let get = exchange(
            addr,
            b"GET /api/v1/countries HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        );
        let mut stream = connect(addr);
        stream
            .write_all(b"HEAD /api/v1/countries HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        (get, String::from_utf8(all).unwrap())
    })
    .await;
    assert_eq!(get.status(), 200);
    let (head_part, body) = head.split_once("\r\n\r\n").expect("a whole head");
    assert!(head_part.starts_with("HTTP/1.1 200"), "{head_part}");
    assert_eq!(body, "", "a HEAD answer has no body");
    let length = format!("content-length: {}", get.body.len());
    assert!(
        head_part.to_ascii_lowercase().contains(&length),
        "the GET body's length ({length}) in: {head_part}"
    );
}

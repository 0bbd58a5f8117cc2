//! Slow and stalled clients, over real sockets: an export client that stops reading cannot keep
//! a database connection (nor, with others, the whole pool), and a request body that stops
//! arriving is a 408.

use crate::fixtures::{a_commitment, country};
use crate::helpers::{spawn_app, spawn_http_server, TestApp};
use diesel_async::RunQueryDsl;
use ogp_api::app::AppState;
use ogp_api::db::{self, DbPool, PoolSettings};
use ogp_api::listing::budget::ExportBudget;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Milestones seeded for the stall test, each with a 1000-character description: the CSV
/// export is over 20 MB, far more than the socket buffers and the export channel hold.
const MANY_MILESTONES: i32 = 20_000;

/// Inserts `count` milestones with long descriptions under one commitment.
async fn seed_milestones(app: &TestApp, count: i32) {
    let (_, commitment) = a_commitment(app).await;
    let mut conn = db::conn(&app.pool).await.unwrap();
    // The test's own pool (not the server's): the insert may take longer than the default
    // statement timeout on a busy machine.
    diesel::sql_query("SET statement_timeout = 0")
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO milestones (commitment_id, position, title, description)
         SELECT {commitment}, i, 'Milestone ' || i, repeat('x', 1000)
         FROM generate_series(1, {count}) i"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
}

/// A pool of `size` connections that waits `wait` for one, like `OGP_DB_WAIT_TIMEOUT_MS`.
fn small_pool(app: &TestApp, size: usize, wait: Duration) -> DbPool {
    db::pool_with(
        &app.url,
        PoolSettings {
            max_size: size,
            wait_timeout: wait,
            statement_timeout: Duration::from_secs(10),
        },
    )
    .unwrap()
}

/// Connections of `pool` checked out right now.
fn in_use(pool: &DbPool) -> usize {
    let status = pool.status();
    status.size.saturating_sub(status.available)
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

/// One HTTP/1.1 response as read off the socket.
#[derive(Debug)]
struct Raw {
    status: u16,
    /// The head, lower-cased.
    head: String,
    /// The body, de-chunked.
    body: Vec<u8>,
    /// Whether the body ended properly (its length reached, or the final `0` chunk seen).
    complete: bool,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// De-chunks `data`; returns the payload and whether the final chunk was seen.
fn dechunk(mut data: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return (out, false);
        };
        let line = String::from_utf8_lossy(&data[..end]);
        let Ok(size) = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
        else {
            return (out, false);
        };
        data = &data[end + 2..];
        if size == 0 {
            return (out, data.starts_with(b"\r\n"));
        }
        if data.len() < size + 2 {
            out.extend_from_slice(data);
            return (out, false);
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Parses what was read so far; `None` while the head is incomplete.
fn parse(data: &[u8]) -> Option<Raw> {
    let end = data.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let rest = &data[end + 4..];
    let mut raw = Raw {
        status,
        head,
        body: Vec::new(),
        complete: false,
    };
    if raw.header("transfer-encoding") == Some("chunked") {
        (raw.body, raw.complete) = dechunk(rest);
    } else {
        let length: usize = raw
            .header("content-length")
            .map_or(0, |l| l.parse().unwrap());
        raw.body = rest[..rest.len().min(length)].to_vec();
        raw.complete = rest.len() >= length;
    }
    Some(raw)
}

/// Reads until a whole response arrived, the peer closed or reset, or 30 s passed.
fn read_response(stream: &mut TcpStream, mut data: Vec<u8>) -> Raw {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        if let Some(raw) = parse(&data).filter(|raw| raw.complete) {
            return raw;
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
    parse(&data).unwrap_or_else(|| panic!("no response head in {data:?}"))
}

/// Sends `request` (which says `Connection: close`) and reads the response.
fn exchange(addr: SocketAddr, request: String) -> Raw {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    read_response(&mut stream, Vec::new())
}

fn get(addr: SocketAddr, path: &str) -> Raw {
    exchange(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"),
    )
}

fn post(addr: SocketAddr, path: &str, key: &str, body: &Value) -> Raw {
    let body = body.to_string();
    exchange(
        addr,
        format!(
            "POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\
             Authorization: Bearer {key}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// A client that asks for the CSV export and then reads only the response head, byte by
/// byte (so it drains nothing worth mentioning), and never more: the rest stays unread.
struct StalledClient {
    stream: TcpStream,
    /// What was read: the head, and for a 503 its whole problem body too.
    read: Vec<u8>,
    response: Raw,
    /// From sending the request to having the head.
    waited: Duration,
}

fn stalled_export_client(addr: SocketAddr) -> StalledClient {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /api/v1/milestones?format=csv HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut read = Vec::new();
    let mut byte = [0u8; 1];
    while !read.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("a response head");
        read.push(byte[0]);
    }
    let waited = started.elapsed();
    let mut response = parse(&read).unwrap();
    if response.status != 200 {
        response = read_response(&mut stream, read.clone());
    }
    StalledClient {
        stream,
        read,
        response,
        waited,
    }
}

#[actix_web::test]
async fn stalled_exports_cannot_take_the_pool_and_are_cut_after_the_send_timeout() {
    let app = spawn_app().await;
    seed_milestones(&app, MANY_MILESTONES).await;
    let wait = Duration::from_millis(500);
    let send_timeout = Duration::from_secs(3);
    let pool = small_pool(&app, 4, wait);
    let budget = Arc::new(ExportBudget::new(1, wait, send_timeout));
    let server = spawn_http_server(AppState {
        exports: budget.clone(),
        ..AppState::new(pool.clone())
    });
    let addr = server.addr;

    // More stalled export clients than the pool has connections.
    let started = Instant::now();
    let clients: Vec<_> = (0..6)
        .map(|_| std::thread::spawn(move || stalled_export_client(addr)))
        .collect();
    let mut clients: Vec<StalledClient> = blocking(move || {
        clients
            .into_iter()
            .map(|client| client.join().unwrap())
            .collect()
    })
    .await;
    let statuses: Vec<u16> = clients.iter().map(|c| c.response.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "one export within the budget: {statuses:?}"
    );
    for client in clients.iter().filter(|c| c.response.status != 200) {
        assert_eq!(client.response.status, 503, "{statuses:?}");
        assert_eq!(
            client.response.json()["detail"],
            "too many exports in progress; try again shortly"
        );
        assert!(client.response.header("retry-after").is_some());
        assert!(
            client.waited < Duration::from_secs(5),
            "over budget is answered after the wait, not queued: {:?}",
            client.waited
        );
    }

    // The admitted export still streams (into full buffers), and everything else is served
    // from the rest of the pool.
    assert_eq!(budget.in_progress(), 1, "the export is still running");
    let key = app.key.clone();
    let answers = blocking(move || {
        let mut statuses = Vec::new();
        for code in ["STA", "STB", "STC"] {
            statuses.push(get(addr, "/api/v1/countries").status);
            statuses.push(get(addr, "/api/v1/countries/MEX").status);
            statuses.push(get(addr, "/api/v1/milestones?limit=5").status);
            statuses.push(post(addr, "/api/v1/countries", &key, &country(code)).status);
            statuses.push(get(addr, "/readyz").status);
        }
        statuses
    })
    .await;
    assert_eq!(
        answers,
        [200, 200, 200, 201, 200].repeat(3),
        "reads, writes and readiness are served while exports stall"
    );

    // The stalled export is cut within the send timeout (plus generous slack), and with it
    // its connection and permit are released.
    let deadline = started + send_timeout + Duration::from_secs(10);
    while in_use(&pool) > 0 || budget.in_progress() > 0 {
        assert!(
            Instant::now() < deadline,
            "the stalled export still holds a connection after {:?} (in use: {}, exports: {})",
            started.elapsed(),
            in_use(&pool),
            budget.in_progress()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        started.elapsed() >= send_timeout,
        "cut by the send timeout, not before: {:?}",
        started.elapsed()
    );

    // The stalled client that finally reads gets a body that is not properly terminated.
    let index = statuses.iter().position(|s| *s == 200).unwrap();
    let mut stalled = clients.swap_remove(index);
    let cut = blocking(move || read_response(&mut stalled.stream, stalled.read)).await;
    assert_eq!(cut.status, 200);
    assert!(!cut.complete, "a cut export must not end like a whole one");
    assert!(cut.body.starts_with(b"id,commitment_id,position,title"));
    let lines = cut.body.split(|b| *b == b'\n').count();
    assert!(
        lines < MANY_MILESTONES as usize,
        "only part of the rows: {lines}"
    );

    // And the budget is free again: a client that reads gets the whole export.
    let whole = blocking(move || get(addr, "/api/v1/milestones?format=csv")).await;
    assert_eq!(whole.status, 200);
    assert!(whole.complete, "the export ends with its final chunk");
    let mut reader = csv::Reader::from_reader(whole.body.as_slice());
    assert_eq!(reader.records().count(), MANY_MILESTONES as usize);
}

#[actix_web::test]
async fn a_slow_reader_gets_the_whole_export_properly_terminated() {
    let app = spawn_app().await;
    let rows = 10_000;
    seed_milestones(&app, rows).await;
    let wait = Duration::from_millis(500);
    let pool = small_pool(&app, 4, wait);
    // A send timeout shorter than the whole download: a client that keeps reading is not cut.
    // (It must drain what the kernel wants free before it wakes the writer, about a third of
    // the socket's send buffer, within the timeout: 64 KiB every 10 ms does that easily.)
    let send_timeout = Duration::from_secs(1);
    let budget = Arc::new(ExportBudget::new(1, wait, send_timeout));
    let server = spawn_http_server(AppState {
        exports: budget.clone(),
        ..AppState::new(pool.clone())
    });
    let addr = server.addr;
    let started = Instant::now();
    let response = blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(
                b"GET /api/v1/milestones?format=ndjson HTTP/1.1\r\nHost: test\r\n\
                  Connection: close\r\n\r\n",
            )
            .unwrap();
        let mut data = Vec::new();
        let mut buffer = vec![0; 64 * 1024];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => data.extend_from_slice(&buffer[..n]),
                Err(e) => panic!("the export was cut: {e}"),
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        parse(&data).unwrap()
    })
    .await;
    assert_eq!(response.status, 200);
    assert!(response.complete, "the export ends with its final chunk");
    let positions: Vec<i64> = response
        .body
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            serde_json::from_slice::<Value>(line).unwrap()["position"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(positions, (1..=i64::from(rows)).collect::<Vec<_>>());
    assert!(
        started.elapsed() > send_timeout,
        "the download outlasted the send timeout: {:?}",
        started.elapsed()
    );
    assert_eq!(budget.in_progress(), 0);
}

#[actix_web::test]
async fn a_body_that_stops_arriving_is_a_408_problem_within_the_body_timeout() {
    let app = spawn_app().await;
    let pool = small_pool(&app, 4, Duration::from_millis(500));
    let server = spawn_http_server(AppState {
        body_timeout: Duration::from_secs(1),
        ..AppState::new(pool.clone())
    });
    let addr = server.addr;
    // The same deadline holds for the body the idempotency middleware reads first.
    for extra in ["", "Idempotency-Key: slow-1\r\n"] {
        let key = app.key.clone();
        let (response, waited) = blocking(move || {
            let started = Instant::now();
            let mut stream = TcpStream::connect(addr).unwrap();
            write!(
                stream,
                "POST /api/v1/countries HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {key}\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n{extra}\r\n{{\"code\":"
            )
            .unwrap();
            // … and nothing more: the client keeps the connection open and stalls.
            let response = read_response(&mut stream, Vec::new());
            (response, started.elapsed())
        })
        .await;
        assert_eq!(response.status, 408, "{response:?}");
        assert_eq!(
            response.header("content-type"),
            Some("application/problem+json")
        );
        let problem = response.json();
        assert_eq!(problem["status"], 408);
        assert_eq!(
            problem["detail"],
            "the request body did not arrive within 1 s"
        );
        assert!(
            waited >= Duration::from_secs(1) && waited < Duration::from_secs(11),
            "answered after the body timeout: {waited:?}"
        );
    }
    // Nothing was written, and no connection is left held.
    let countries = blocking(move || get(addr, "/api/v1/countries?format=ndjson")).await;
    assert_eq!(countries.body, b"", "no country was created");
    assert_eq!(in_use(&pool), 0);
}

//! Operations under stress: metrics, a database outage and recovery, graceful shutdown.

use crate::fixtures::country;
use crate::helpers::spawn_app;
use actix_web::test::TestRequest;
use futures_util::future::join_all;
use ogp_api::app::{self, AppState};
use ogp_api::db::{self, embedded::EmbeddedPostgres, PoolSettings};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

#[actix_web::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = spawn_app().await;
    app.get("/api/v1/countries").await.assert_status(200);
    app.get("/api/v1/countries/ZZZ").await.assert_problem(404);
    for n in 0..3 {
        app.get(&format!("/no-such-route-{n}"))
            .await
            .assert_problem(404);
    }
    app.send(
        TestRequest::default()
            .method(actix_web::http::Method::from_bytes(b"BREW").unwrap())
            .uri("/api/v1/countries"),
    )
    .await;
    let metrics = app.get("/metrics").await;
    metrics.assert_status(200);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = &metrics.text;
    assert!(
        text.contains(
            r#"ogp_api_http_requests_total{method="GET",route="/api/v1/countries",status="200"}"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/countries/{code}",status="404""#),
        "route templates, not paths: {text}"
    );
    assert!(text.contains("ogp_api_http_request_duration_seconds_bucket"));
    // Unmatched paths and invented methods share one label each: clients cannot add series.
    assert!(!text.contains("no-such-route"), "{text}");
    assert!(
        text.contains(r#"route="<unmatched>",status="404""#),
        "{text}"
    );
    assert!(!text.contains("BREW"), "{text}");
    assert!(text.contains(r#"ogp_api_db_pool_connections{pool="primary",state="in_use"}"#));
    assert!(text.contains(r#"ogp_api_db_pool_connections{pool="primary",state="waiting"}"#));
    assert!(text.contains("ogp_api_db_errors_total"));
}

/// The `ogp_api_db_pool_wait_seconds` count of `pool` in a /metrics text (0 when absent).
fn pool_waits(text: &str, pool: &str) -> u64 {
    let prefix = format!("ogp_api_db_pool_wait_seconds_count{{pool=\"{pool}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .map_or(0, |count| count.trim().parse().unwrap())
}

#[actix_web::test]
async fn each_pool_checkout_is_timed_in_the_pool_wait_histogram() {
    let app = spawn_app().await;
    // The metrics are the process's: other tests' checkouts count too, so only a rise is
    // asserted, over requests that each take a connection.
    let before = pool_waits(&app.get("/metrics").await.text, "primary");
    for _ in 0..3 {
        app.get("/api/v1/countries").await.assert_status(200);
    }
    let text = app.get("/metrics").await.text;
    let after = pool_waits(&text, "primary");
    assert!(after >= before + 3, "{before} -> {after}: {text}");
    assert!(
        text.contains(r#"ogp_api_db_pool_wait_seconds_bucket{pool="primary",le="0.00001"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"ogp_api_db_pool_wait_seconds_sum{pool="primary"}"#),
        "{text}"
    );
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ogp-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(work).join().unwrap()
}

#[actix_web::test]
async fn a_database_outage_is_a_fast_503_and_the_service_recovers_without_losing_writes() {
    let dir = temp_dir("outage");
    let (mut cluster, url) = blocking(move || {
        let mut cluster = EmbeddedPostgres::open(&dir.join("data")).unwrap();
        cluster.start().unwrap();
        let url = cluster.url("postgres");
        (cluster, url)
    });
    db::run_migrations(&url).await.unwrap();
    let pool = db::pool_with(
        &url,
        PoolSettings {
            max_size: 4,
            wait_timeout: Duration::from_millis(500),
            statement_timeout: Duration::from_secs(5),
        },
    )
    .unwrap();
    let key = {
        let mut conn = db::conn(&pool).await.unwrap();
        ogp_api::auth::keys::create(&mut conn, "outage", ogp_api::auth::Role::Admin)
            .await
            .unwrap()
            .1
    };
    let service = actix_web::test::init_service(app::build(AppState::new(pool))).await;
    let call = |request: TestRequest| actix_web::test::call_service(&service, request.to_request());
    let post = |code: String| {
        TestRequest::post()
            .uri("/api/v1/countries")
            .insert_header(("Authorization", format!("Bearer {key}")))
            .set_json(country(&code))
    };
    let code = |i: usize| {
        format!(
            "A{}{}",
            (b'A' + (i / 26) as u8) as char,
            (b'A' + (i % 26) as u8) as char
        )
    };

    // Load before, during and after the outage; remember every acknowledged write.
    let mut acknowledged = Vec::new();
    let mut next = 0;
    for _ in 0..5 {
        if call(post(code(next))).await.status().as_u16() == 201 {
            acknowledged.push(code(next));
        }
        next += 1;
    }
    let mut cluster = blocking(move || {
        cluster.stop().unwrap();
        cluster
    });
    for _ in 0..3 {
        let started = Instant::now();
        let statuses: Vec<u16> = join_all((0..6).map(|i| {
            let request = if i % 2 == 0 {
                TestRequest::get().uri("/api/v1/countries")
            } else {
                post(code(100 + i))
            };
            call(request)
        }))
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
        assert!(statuses.iter().all(|s| *s == 503), "{statuses:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "503s took {:?}",
            started.elapsed()
        );
    }
    let ready = call(TestRequest::get().uri("/readyz")).await;
    assert_eq!(ready.status().as_u16(), 503, "readyz reports not ready");
    let live = call(TestRequest::get().uri("/healthz")).await;
    assert_eq!(live.status().as_u16(), 200, "the process itself is fine");

    let cluster = blocking(move || {
        cluster.start().unwrap();
        cluster
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if call(TestRequest::get().uri("/readyz"))
            .await
            .status()
            .as_u16()
            == 200
        {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..5 {
        if call(post(code(next))).await.status().as_u16() == 201 {
            acknowledged.push(code(next));
        }
        next += 1;
    }
    assert_eq!(
        acknowledged.len(),
        10,
        "writes succeed again after recovery"
    );
    for code in &acknowledged {
        let response = call(TestRequest::get().uri(&format!("/api/v1/countries/{code}"))).await;
        assert_eq!(
            response.status().as_u16(),
            200,
            "acknowledged write {code} was lost"
        );
    }
    drop(service);
    blocking(move || {
        let mut cluster = cluster;
        cluster.stop().unwrap();
    });
}

/// A raw HTTP/1.1 exchange on `stream`; returns the status code.
fn read_status(stream: &mut std::net::TcpStream) -> u16 {
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"))
}

#[test]
fn sigterm_lets_in_flight_requests_finish_then_stops_the_cluster_and_exits_0() {
    let bin = env!("CARGO_BIN_EXE_ogp-api");
    let dir = temp_dir("shutdown");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let envs = [
        ("OGP_DATA_DIR", dir.join("data").display().to_string()),
        ("OGP_BIND", format!("127.0.0.1:{port}")),
        ("OGP_SHUTDOWN_GRACE_SECS", "20".to_string()),
        ("OGP_SEED_DEMO", "false".to_string()),
        ("RUST_LOG", "warn".to_string()),
    ];
    let key = std::process::Command::new(bin)
        .args(["keys", "create", "--name", "shutdown", "--role", "editor"])
        .envs(envs.iter().cloned())
        .output()
        .unwrap();
    assert!(
        key.status.success(),
        "{}",
        String::from_utf8_lossy(&key.stderr)
    );
    let key = String::from_utf8(key.stdout).unwrap().trim().to_string();
    let mut server = std::process::Command::new(bin)
        .arg("serve")
        .envs(envs.iter().cloned())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    // Ready, not just bound: the port accepts before the workers run and the server's signal
    // handlers are installed, and a SIGTERM before that (a loaded machine, a debug build) ends
    // the process at once.
    loop {
        if let Ok(mut probe) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let mut response = String::new();
            let ready = probe
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .and_then(|()| probe.read_to_string(&mut response))
                .is_ok()
                && response.starts_with("HTTP/1.1 200");
            if ready {
                break;
            }
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(200));
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Start a POST, send half its body, then SIGTERM the server while it waits for the rest.
    let body = country("KEN").to_string();
    let (first, second) = body.split_at(body.len() / 2);
    write!(
        stream,
        "POST /api/v1/countries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(700));
    stream.write_all(second.as_bytes()).unwrap();
    assert_eq!(
        read_status(&mut stream),
        201,
        "the in-flight request finished"
    );

    let status = server.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    // The embedded cluster was stopped cleanly: its pid file is gone.
    assert!(
        !dir.join("data/pg/postmaster.pid").exists(),
        "PostgreSQL still running"
    );
    // And the write is there on the next start.
    let check = std::process::Command::new(bin)
        .args(["keys", "list"])
        .envs(envs.iter().cloned())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&check.stdout).contains("shutdown"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn reads_go_to_the_read_pool_and_writes_to_the_primary() {
    // Two databases stand in for a primary and its replica: a row only the "replica" has is
    // readable, and a write lands on the primary only.
    let primary = spawn_app().await;
    let replica = spawn_app().await;
    replica.create("/api/v1/countries", &country("REP")).await;
    let app = actix_web::test::init_service(app::build(AppState {
        read_pool: Some(replica.pool.clone()),
        ..AppState::new(primary.pool.clone())
    }))
    .await;
    let get =
        |path: &str| actix_web::test::call_service(&app, TestRequest::get().uri(path).to_request());
    assert_eq!(
        get("/api/v1/countries/REP").await.status().as_u16(),
        200,
        "read from the replica"
    );
    let write = TestRequest::post()
        .uri("/api/v1/countries")
        .insert_header(("Authorization", format!("Bearer {}", primary.key)))
        .set_json(country("PRI"))
        .to_request();
    assert_eq!(
        actix_web::test::call_service(&app, write)
            .await
            .status()
            .as_u16(),
        201
    );
    primary
        .get("/api/v1/countries/PRI")
        .await
        .assert_status(200);
    replica
        .get("/api/v1/countries/PRI")
        .await
        .assert_problem(404);
    assert_eq!(
        get("/api/v1/countries/PRI").await.status().as_u16(),
        404,
        "not replicated here"
    );
}

/// A SIGTERM that comes while `serve` is still starting (here: while its embedded cluster is
/// being created) is not lost and does not kill the process outright: the server stops as soon
/// as it runs, the cluster is stopped cleanly and the exit status is 0.
#[test]
fn sigterm_during_startup_still_stops_the_cluster_and_exits_0() {
    let bin = env!("CARGO_BIN_EXE_ogp-api");
    let dir = temp_dir("early-stop");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new(bin)
        .arg("serve")
        .env("OGP_DATA_DIR", dir.join("data"))
        .env("OGP_BIND", format!("127.0.0.1:{port}"))
        .env("OGP_SEED_DEMO", "false")
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    // The data folder appears once the cluster is being created: `serve` has long taken its
    // signals over by then, and the HTTP server does not run yet.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.join("data").exists() {
        assert!(Instant::now() < deadline, "the cluster was never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the server already listens: the signal would not come during startup"
    );
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = server.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    assert!(
        !dir.join("data/pg/postmaster.pid").exists(),
        "PostgreSQL still running"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

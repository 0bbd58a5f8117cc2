//! The embedded cluster comes back by itself: the real binary, its postmaster killed with
//! SIGKILL, and the service restarting it (crash recovery) without anyone running `pg_ctl`.

use crate::fixtures::country;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One HTTP/1.1 exchange with the server on `port`; `None` when it cannot be reached.
fn http(
    port: u16,
    method: &str,
    path: &str,
    key: &str,
    body: Option<&str>,
) -> Option<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .ok()?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    Some((status, body))
}

fn postmaster_pid(data: &std::path::Path) -> Option<i32> {
    std::fs::read_to_string(data.join("pg/postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

#[test]
fn a_killed_embedded_postgres_is_restarted_and_keeps_its_data() {
    let bin = env!("CARGO_BIN_EXE_ogp-api");
    let dir = std::env::temp_dir().join(format!("ogp-supervise-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let data = dir.join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let envs = [
        ("OGP_DATA_DIR", data.display().to_string()),
        ("OGP_BIND", format!("127.0.0.1:{port}")),
        ("OGP_SEED_DEMO", "false".to_string()),
        ("OGP_RATE_LIMIT_READS", "0".to_string()),
        ("OGP_RATE_LIMIT_WRITES", "0".to_string()),
        ("RUST_LOG", "warn".to_string()),
    ];
    let key = Command::new(bin)
        .args(["keys", "create", "--name", "supervised", "--role", "editor"])
        .envs(envs.iter().cloned())
        .output()
        .unwrap();
    assert!(
        key.status.success(),
        "{}",
        String::from_utf8_lossy(&key.stderr)
    );
    let key = String::from_utf8(key.stdout).unwrap().trim().to_string();
    let mut server = Command::new(bin)
        .arg("serve")
        .envs(envs.iter().cloned())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep the server's log to check what it said.
    let log = Arc::new(Mutex::new(String::new()));
    let mut stderr = server.stderr.take().unwrap();
    let sink = Arc::clone(&log);
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    let wait_for = |what: &str, bound: Duration, check: &dyn Fn() -> bool| {
        let deadline = Instant::now() + bound;
        while !check() {
            assert!(
                Instant::now() < deadline,
                "{what} not within {bound:?}; server log:\n{}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let ready = || http(port, "GET", "/readyz", &key, None).is_some_and(|(s, _)| s == 200);
    wait_for("ready", Duration::from_secs(60), &ready);
    let before = country("BEF").to_string();
    assert_eq!(
        http(port, "POST", "/api/v1/countries", &key, Some(&before)).map(|r| r.0),
        Some(201)
    );

    let killed = postmaster_pid(&data).expect("the server runs");
    assert!(Command::new("kill")
        .args(["-KILL", &killed.to_string()])
        .status()
        .unwrap()
        .success());
    // Until a new postmaster runs, readiness fails (503, fast); the service notices and starts
    // the cluster again, and the log says so.
    let outage_seen = std::cell::Cell::new(false);
    wait_for("a new postmaster", Duration::from_secs(30), &|| {
        if http(port, "GET", "/readyz", &key, None).is_none_or(|(s, _)| s == 503) {
            outage_seen.set(true);
        }
        postmaster_pid(&data).is_some_and(|pid| pid != killed)
    });
    assert!(
        outage_seen.get(),
        "/readyz answered 503 while the server was down"
    );
    wait_for("ready again", Duration::from_secs(30), &ready);
    let said = log.lock().unwrap().clone();
    assert!(
        said.contains(&format!(
            "the embedded PostgreSQL server (pid {killed}) is gone"
        )),
        "the supervisor reported the crash: {said}"
    );
    // Reads and writes work again, and the write from before the crash survived.
    wait_for(
        "the pre-crash row is readable",
        Duration::from_secs(30),
        &|| http(port, "GET", "/api/v1/countries/BEF", &key, None).is_some_and(|(s, _)| s == 200),
    );
    let after = country("AFT").to_string();
    wait_for("a write succeeds", Duration::from_secs(30), &|| {
        matches!(
            http(port, "POST", "/api/v1/countries", &key, Some(&after)),
            Some((201 | 409, _))
        )
    });
    let (status, body) = http(port, "GET", "/api/v1/countries/AFT", &key, None).unwrap();
    assert_eq!(status, 200, "{body}");

    // SIGTERM: exit 0, and the (restarted) cluster is stopped too.
    assert!(Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = server.wait().unwrap();
    reader.join().unwrap();
    assert!(
        status.success(),
        "exit status {status}; log:\n{}",
        log.lock().unwrap()
    );
    assert!(
        !data.join("pg/postmaster.pid").exists(),
        "PostgreSQL still running after shutdown"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

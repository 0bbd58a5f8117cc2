//! A real streaming replica (`pg_basebackup -R`) as the read database: reads go to it while it
//! is up and current, fall back to the primary when it is down or lags, a client reads its own
//! writes, and reads return to it once it is back.

use crate::fixtures::country;
use actix_http::Request;
use actix_service::boxed::BoxService;
use actix_service::ServiceExt;
use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::TestRequest;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ogp_api::app::{self, AppState};
use ogp_api::db::replica::ReplicaMonitor;
use ogp_api::db::{self, embedded::EmbeddedPostgres, DbPool, PoolSettings};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

type App = BoxService<Request, ServiceResponse<BoxBody>, actix_web::Error>;

fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(work).join().unwrap()
}

/// Runs a PostgreSQL tool as the cluster's owner; panics with its output when it fails.
fn run(mut command: std::process::Command, what: &str) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn pool(url: &str) -> DbPool {
    db::pool_with(
        url,
        PoolSettings {
            max_size: 4,
            wait_timeout: Duration::from_millis(500),
            statement_timeout: Duration::from_secs(5),
        },
    )
    .unwrap()
}

async fn app(primary: &DbPool, replica: &DbPool, max_lag: Duration) -> App {
    let monitor = ReplicaMonitor::new(primary.clone(), replica.clone(), max_lag);
    monitor.spawn();
    let app = actix_web::test::init_service(app::build(AppState {
        read_pool: Some(replica.clone()),
        replica_monitor: Some(monitor),
        ..AppState::new(primary.clone())
    }))
    .await;
    actix_service::boxed::service(app.map(ServiceResponse::map_into_boxed_body))
}

async fn send(app: &App, request: TestRequest) -> (u16, Value) {
    let response = app.call(request.to_request()).await.unwrap();
    let status = response.status().as_u16();
    let bytes = to_bytes(response.into_body()).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn get(app: &App, path: &str) -> (u16, Value) {
    send(app, TestRequest::get().uri(path)).await
}

async fn sql(url: &str, statement: &str) {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    diesel::sql_query(statement)
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// Polls `$check` (an async expression giving a bool) until it holds, at most `$secs` seconds.
macro_rules! eventually {
    ($secs:expr, $what:expr, $check:expr) => {{
        let deadline = Instant::now() + Duration::from_secs($secs);
        loop {
            if $check {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "not within {} s: {}",
                $secs,
                $what
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }};
}

fn replica_state(readyz: &(u16, Value)) -> &str {
    readyz.1["replica"].as_str().unwrap_or("")
}

#[actix_web::test]
async fn reads_use_a_healthy_current_replica_and_fall_back_to_the_primary() {
    let dir = std::env::temp_dir().join(format!("ogp-replica-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (primary, replica) = blocking({
        let dir = dir.clone();
        move || {
            let mut primary = EmbeddedPostgres::open(&dir.join("p")).unwrap();
            primary.start().unwrap();
            let mut replica = EmbeddedPostgres::open(&dir.join("r")).unwrap();
            let socket: &Path = &dir.join("p").canonicalize().unwrap();
            let mut backup = primary.tool("pg_basebackup");
            backup
                .arg("-D")
                .arg(replica.data_path())
                .args(["-R", "-X", "stream", "-U", "postgres", "-p", "5432", "-h"])
                .arg(socket);
            run(backup, "pg_basebackup");
            replica.start().unwrap();
            (primary, replica)
        }
    });
    let primary_url = primary.url("postgres");
    let replica_url = replica.url("postgres");
    db::run_migrations(&primary_url).await.unwrap();
    let primary_pool = pool(&primary_url);
    let replica_pool = pool(&replica_url);
    let key = {
        let mut conn = db::conn(&primary_pool).await.unwrap();
        ogp_api::auth::keys::create(&mut conn, "writer", ogp_api::auth::Role::Admin)
            .await
            .unwrap()
            .1
    };
    let authed =
        |request: TestRequest| request.insert_header(("Authorization", format!("Bearer {key}")));
    // Two apps over the same pair: `patient` trusts the replica however far behind it is (so a
    // read through it shows what the replica has); `strict` allows 1 s of lag.
    let patient = app(&primary_pool, &replica_pool, Duration::from_secs(3600)).await;
    let strict = app(&primary_pool, &replica_pool, Duration::from_secs(1)).await;
    for app in [&patient, &strict] {
        eventually!(20, "replica up", {
            let ready = get(app, "/readyz").await;
            ready.0 == 200 && replica_state(&ready) == "up"
        });
    }
    let ready = get(&patient, "/readyz").await;
    assert!(ready.1["replica_lag_ms"].is_u64(), "{}", ready.1);

    // A write on the primary reaches the replica, and reads show it.
    let write = |code: &str| {
        authed(
            TestRequest::post()
                .uri("/api/v1/countries")
                .set_json(country(code)),
        )
    };
    assert_eq!(send(&strict, write("AAA")).await.0, 201);
    eventually!(
        20,
        "AAA replicated and read",
        get(&patient, "/api/v1/countries/AAA").await.0 == 200
    );

    // Replay paused: the replica falls behind.
    sql(&replica_url, "SELECT pg_wal_replay_pause()").await;
    assert_eq!(send(&strict, write("BBB")).await.0, 201);
    // Read-your-writes: the writer reads its write at once (from the primary) …
    let own = send(
        &strict,
        authed(TestRequest::get().uri("/api/v1/countries/BBB")),
    )
    .await;
    assert_eq!(own.0, 200, "the writer reads its own write: {}", own.1);
    // … while a read that may use the replica proves the replica does not have it.
    assert_eq!(
        get(&patient, "/api/v1/countries/BBB").await.0,
        404,
        "the replica is behind"
    );
    // Past the lag bound, everyone's reads go to the primary, and readiness says why.
    eventually!(20, "strict app reports lagging", {
        let ready = get(&strict, "/readyz").await;
        ready.0 == 200 && replica_state(&ready) == "lagging"
    });
    assert_eq!(
        get(&strict, "/api/v1/countries/BBB").await.0,
        200,
        "lag fallback"
    );
    assert_eq!(get(&patient, "/api/v1/countries/BBB").await.0, 404);
    sql(&replica_url, "SELECT pg_wal_replay_resume()").await;
    eventually!(
        20,
        "BBB replayed",
        get(&patient, "/api/v1/countries/BBB").await.0 == 200
    );
    eventually!(20, "strict app back on the replica", {
        replica_state(&get(&strict, "/readyz").await) == "up"
    });

    // The replica stops: reads fall back to the primary, readiness stays 200, writes work.
    let mut replica = blocking(move || {
        let mut stop = replica.tool("pg_ctl");
        stop.args(["stop", "-m", "immediate", "-D"])
            .arg(replica.data_path());
        run(stop, "pg_ctl stop");
        replica
    });
    eventually!(10, "reads served by the primary", {
        get(&patient, "/api/v1/countries").await.0 == 200
            && get(&patient, "/api/v1/countries/AAA").await.0 == 200
    });
    let ready = get(&patient, "/readyz").await;
    assert_eq!(ready.0, 200);
    assert_eq!(replica_state(&ready), "down", "{}", ready.1);
    assert_eq!(send(&patient, write("CCC")).await.0, 201);
    assert_eq!(get(&patient, "/api/v1/countries/CCC").await.0, 200);
    let metrics = || async {
        let body = actix_web::test::read_body(
            patient
                .call(TestRequest::get().uri("/metrics").to_request())
                .await
                .unwrap(),
        )
        .await;
        String::from_utf8_lossy(&body).to_string()
    };
    // The gauge is one per process and both apps' monitors write it: the other monitor's poll
    // may have begun before the stop and end after it, so wait for its next one too.
    eventually!(
        10,
        "the metrics say the replica is down",
        metrics()
            .await
            .contains(r#"ogp_api_db_replica_state{state="down"} 1"#)
    );
    let metrics = metrics().await;
    assert!(metrics.contains(r#"ogp_api_db_reads_total{target="replica"}"#));
    assert!(metrics.contains(r#"ogp_api_db_reads_total{target="primary"}"#));

    // Back: reads return to the replica (a row it has not replayed is invisible again).
    replica = blocking(move || {
        replica.start().unwrap();
        replica
    });
    eventually!(
        30,
        "replica up again",
        replica_state(&get(&patient, "/readyz").await) == "up"
    );
    eventually!(
        20,
        "CCC replicated",
        get(&patient, "/api/v1/countries/CCC").await.0 == 200
    );
    sql(&replica_url, "SELECT pg_wal_replay_pause()").await;
    assert_eq!(send(&strict, write("DDD")).await.0, 201);
    assert_eq!(
        get(&patient, "/api/v1/countries/DDD").await.0,
        404,
        "reads go to the replica again"
    );
    sql(&replica_url, "SELECT pg_wal_replay_resume()").await;

    drop((patient, strict, primary_pool, replica_pool));
    blocking(move || {
        let (mut primary, mut replica) = (primary, replica);
        replica.stop().unwrap();
        primary.stop().unwrap();
    });
    let _ = std::fs::remove_dir_all(&dir);
}

//! The test harness: one throw-away PostgreSQL per test run, a migrated template database made
//! once, and a fresh database per test (dropped afterwards), so tests run in parallel and none
//! depends on another.
//!
//! With `TEST_DATABASE_URL` (a superuser URL to any server), that server is used instead of
//! starting one.

use actix_http::Request;
use actix_service::boxed::BoxService;
use actix_service::ServiceExt;
use actix_web::body::{to_bytes, BoxBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ogp_api::app::{self, AppState, Policy};
use ogp_api::db::{self, embedded::EmbeddedPostgres, DbPool};
use ogp_api::read_cache::ReadCache;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The server every test of this run shares.
struct TestServer {
    /// Connection string of database `{db}` on the server.
    url_template: String,
    template: String,
}

impl TestServer {
    fn url(&self, database: &str) -> String {
        self.url_template.replace("{db}", database)
    }
}

static SERVER: OnceLock<TestServer> = OnceLock::new();

/// Runs async setup work on its own runtime: the caller may already be inside one.
fn block_on_fresh_runtime<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("test runtime")
            .block_on(work)
    })
    .join()
    .expect("setup thread panicked")
}

/// Removes the clusters of earlier test runs whose process is gone.
fn remove_stale_clusters(base: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if let Some(pid) = name.strip_prefix("ogp-api-test-") {
            if !PathBuf::from(format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

fn start_server() -> TestServer {
    let url_template = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) => replace_database(&url),
        Err(_) => {
            let base = std::env::temp_dir();
            remove_stale_clusters(&base);
            let dir = base.join(format!("ogp-api-test-{}", std::process::id()));
            let cluster = EmbeddedPostgres::open(&dir).expect("embedded PostgreSQL for tests");
            cluster
                .spawn_ephemeral()
                .expect("start PostgreSQL for tests");
            cluster.url("{db}")
        }
    };
    let template = format!("ogp_template_{}", std::process::id());
    let admin = url_template.replace("{db}", "postgres");
    let template_url = url_template.replace("{db}", &template);
    let name = template.clone();
    block_on_fresh_runtime(async move {
        let mut conn = AsyncPgConnection::establish(&admin)
            .await
            .expect("connect as admin");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .expect("drop old template");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create template");
        db::run_migrations(&template_url)
            .await
            .expect("migrate template");
    });
    TestServer {
        url_template,
        template,
    }
}

/// `postgres://…/name?x` → `postgres://…/{db}?x`, or a key-value string with `dbname={db}`.
fn replace_database(url: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let (base, query) = url
            .split_once('?')
            .map_or((url, None), |(b, q)| (b, Some(q)));
        let authority_end = base.find("://").map_or(0, |i| i + 3);
        let path_start = base[authority_end..].find('/').map(|i| i + authority_end);
        let base = path_start.map_or(base, |i| &base[..i]);
        match query {
            Some(q) => format!("{base}/{{db}}?{q}"),
            None => format!("{base}/{{db}}"),
        }
    } else {
        let kept: Vec<&str> = url
            .split_whitespace()
            .filter(|part| !part.starts_with("dbname="))
            .collect();
        format!("{} dbname={{db}}", kept.join(" "))
    }
}

fn server() -> &'static TestServer {
    SERVER.get_or_init(start_server)
}

/// A fresh database (a copy of the migrated template) and an app over it.
pub struct TestApp {
    service: BoxService<Request, ServiceResponse<BoxBody>, actix_web::Error>,
    pub pool: DbPool,
    /// An `admin` key, sent by the write helpers.
    pub key: String,
    pub database: String,
    pub url: String,
    /// Whether dropping this app drops its database (not for a [`TestApp::sibling`]).
    owns_database: bool,
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `field`s named in a 422's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts the status and that the body is a problem document of that status.
    #[track_caller]
    pub fn assert_problem(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.body["status"], status);
        for member in ["type", "title", "detail", "instance", "request_id"] {
            assert!(
                self.body[member].is_string(),
                "problem lacks `{member}`: {}",
                self.text
            );
        }
        self
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        self
    }

    /// Asserts a 422 problem whose `errors` name exactly `fields`, in that order.
    #[track_caller]
    pub fn assert_invalid(&self, fields: &[&str]) -> &Self {
        self.assert_problem(422);
        assert_eq!(self.error_fields(), fields, "body: {}", self.text);
        self
    }
}

/// Names the case of a table-driven test when an assertion inside it fails: held for the
/// case's duration, it reports the case if it is dropped while the test panics (the shared
/// assertions such as `assert_problem` cannot know which row they check).
pub struct Case(pub String);

impl Drop for Case {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("failing case: {}", self.0);
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(ogp_api::body::DEFAULT_BODY_LIMIT).await
}

pub async fn spawn_app_with(body_limit: usize) -> TestApp {
    spawn_app_with_policy(body_limit, Policy::default()).await
}

pub async fn spawn_app_with_policy(body_limit: usize, policy: Policy) -> TestApp {
    spawn_app_from(body_limit, policy, None).await
}

/// An app with a read cache (`OGP_READ_CACHE_*`) whose listener watches the test database; the
/// cache serves once the listener has confirmed a version ([`ReadCache::serving`]).
pub async fn spawn_app_with_read_cache(
    budget: usize,
    max_staleness: std::time::Duration,
) -> (TestApp, std::sync::Arc<ReadCache>) {
    let cache = ReadCache::new(budget, max_staleness);
    let app = spawn_app_from(
        ogp_api::body::DEFAULT_BODY_LIMIT,
        Policy::default(),
        Some(cache.clone()),
    )
    .await;
    (app, cache)
}

async fn spawn_app_from(
    body_limit: usize,
    policy: Policy,
    read_cache: Option<std::sync::Arc<ReadCache>>,
) -> TestApp {
    let server = server();
    let database = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = AsyncPgConnection::establish(&server.url("postgres"))
        .await
        .expect("connect as admin");
    diesel::sql_query(format!(
        "CREATE DATABASE {database} TEMPLATE {}",
        server.template
    ))
    .execute(&mut admin)
    .await
    .expect("create test database");
    let url = server.url(&database);
    let pool = db::pool(&url, 8).expect("pool");
    let key = {
        let mut conn = db::conn(&pool).await.expect("connection");
        ogp_api::auth::keys::create(&mut conn, "test-admin", ogp_api::auth::Role::Admin)
            .await
            .expect("admin key")
            .1
    };
    if let Some(cache) = &read_cache {
        ogp_api::read_cache::listener::spawn(cache, url.clone());
    }
    let app = actix_web::test::init_service(app::build(AppState {
        body_limit,
        limits: std::sync::Arc::new(ogp_api::rate_limit::RateLimits::from_policy(&policy)),
        policy,
        read_cache,
        ..AppState::new(pool.clone())
    }))
    .await;
    let service = actix_service::boxed::service(app.map(ServiceResponse::map_into_boxed_body));
    TestApp {
        service,
        pool,
        key,
        database,
        url,
        owns_database: true,
    }
}

impl TestApp {
    /// A second process over this app's database (its own pool and, if given, its own read
    /// cache and listener), as another replica of the service behind a load balancer. The
    /// database stays this app's: dropping the sibling leaves it.
    pub async fn sibling(&self, read_cache: Option<std::sync::Arc<ReadCache>>) -> TestApp {
        let pool = db::pool(&self.url, 8).expect("pool");
        if let Some(cache) = &read_cache {
            ogp_api::read_cache::listener::spawn(cache, self.url.clone());
        }
        let app = actix_web::test::init_service(app::build(AppState {
            read_cache,
            ..AppState::new(pool.clone())
        }))
        .await;
        TestApp {
            service: actix_service::boxed::service(app.map(ServiceResponse::map_into_boxed_body)),
            pool,
            key: self.key.clone(),
            database: self.database.clone(),
            url: self.url.clone(),
            owns_database: false,
        }
    }
}

/// A real HTTP server on a loopback port, for what only real sockets show (clients that stall
/// or trickle). It stops when dropped.
pub struct HttpTestServer {
    pub addr: std::net::SocketAddr,
    handle: actix_web::dev::ServerHandle,
}

/// Serves `state` (built by the test over its own pool) on `127.0.0.1:<free port>` with two
/// workers, built as `ogp-api serve` builds its server (`ogp_api::server::build`, the front
/// included): one `AppState`, cloned into each worker.
pub fn spawn_http_server(state: AppState) -> HttpTestServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = listener.local_addr().expect("its address");
    let settings = ogp_api::server::Settings {
        workers: Some(2),
        shutdown_timeout_secs: 1,
        handle_signals: false,
        ..ogp_api::server::Settings::default()
    };
    let server = ogp_api::server::build(
        "ogp-api-test",
        ogp_api::server::Listen::Listener(listener),
        &settings,
        move || app::build(state.clone()),
    )
    .expect("listen");
    let handle = server.handle();
    actix_web::rt::spawn(server);
    HttpTestServer { addr, handle }
}

impl Drop for HttpTestServer {
    fn drop(&mut self) {
        // The stop command is sent at once; its completion need not be awaited.
        drop(self.handle.stop(false));
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.owns_database {
            return;
        }
        let admin = server().url("postgres");
        let database = self.database.clone();
        block_on_fresh_runtime(async move {
            if let Ok(mut conn) = AsyncPgConnection::establish(&admin).await {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
            }
        });
    }
}

impl TestApp {
    /// Sends `request` through the whole app; the body unread, to be read as it streams.
    pub async fn send_streaming(&self, request: TestRequest) -> (StatusCode, BoxBody) {
        use actix_web::dev::Service;
        let response = self
            .service
            .call(request.to_request())
            .await
            .expect("the app answered with an Err instead of a response");
        (response.status(), response.into_body())
    }

    /// Sends `request` through the whole app (middleware included); the body as bytes.
    pub async fn send_raw(&self, request: TestRequest) -> (StatusCode, HeaderMap, Vec<u8>) {
        use actix_web::dev::Service;
        let response = self
            .service
            .call(request.to_request())
            .await
            .expect("the app answered with an Err instead of a response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body()).await.expect("body");
        (status, headers, bytes.to_vec())
    }

    /// Sends `request` through the whole app (middleware included).
    pub async fn send(&self, request: TestRequest) -> TestResponse {
        let (status, headers, bytes) = self.send_raw(request).await;
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            text,
        }
    }

    /// `request` with this app's admin key.
    pub fn authed(&self, request: TestRequest) -> TestRequest {
        request.insert_header(("Authorization", format!("Bearer {}", self.key)))
    }

    /// Makes a key with `role`; returns the key.
    pub async fn key_with_role(&self, name: &str, role: ogp_api::auth::Role) -> String {
        let mut conn = db::conn(&self.pool).await.expect("connection");
        ogp_api::auth::keys::create(&mut conn, name, role)
            .await
            .expect("key")
            .1
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(TestRequest::get().uri(path)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.send(self.authed(TestRequest::post().uri(path).set_json(body)))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> TestResponse {
        let request = TestRequest::patch()
            .uri(path)
            .insert_header((CONTENT_TYPE, "application/merge-patch+json"))
            .set_payload(body.to_string());
        self.send(self.authed(request)).await
    }

    /// A PATCH with `If-Match: etag` and `body` sent as `content_type`.
    pub async fn patch_if_match(
        &self,
        path: &str,
        etag: &str,
        content_type: &str,
        body: &Value,
    ) -> TestResponse {
        let request = TestRequest::patch()
            .uri(path)
            .insert_header(("If-Match", etag))
            .insert_header((CONTENT_TYPE, content_type))
            .set_payload(body.to_string());
        self.send(self.authed(request)).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(self.authed(TestRequest::delete().uri(path)))
            .await
    }

    /// A request with any method, raw body and content type (with the admin key).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> TestResponse {
        let request = TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header((CONTENT_TYPE, content_type))
            .set_payload(body.to_string());
        self.send(self.authed(request)).await
    }

    /// POSTs `body` and returns the created resource, asserting 201.
    pub async fn create(&self, path: &str, body: &Value) -> Value {
        let response = self.post(path, body).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "creating at {path}: {}",
            response.text
        );
        response.body
    }

    /// The one text value `sql` selects (as `value`).
    pub async fn sql_text(&self, sql: &str) -> String {
        #[derive(diesel::QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Text)]
            value: String,
        }
        let mut conn = db::conn(&self.pool).await.expect("connection");
        let row: Text = diesel::sql_query(sql)
            .get_result(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.value
    }

    /// Every row of every table, as text: equal snapshots mean an unchanged database.
    pub async fn snapshot(&self) -> String {
        let mut out = String::new();
        for (table, key) in [
            ("countries", "code"),
            ("local_members", "slug"),
            ("action_plans", "id"),
            ("commitments", "id"),
            ("milestones", "id"),
            ("irm_findings", "id"),
            ("commitment_facts", "commitment_id"),
            ("commitment_rollup", "t::text"),
            ("changes", "seq"),
        ] {
            let dump = self
                .sql_text(&format!(
                    "SELECT coalesce(json_agg(t ORDER BY {key})::text, '[]') AS value FROM {table} t"
                ))
                .await;
            out.push_str(table);
            out.push_str(": ");
            out.push_str(&dump);
            out.push('\n');
        }
        out
    }
}

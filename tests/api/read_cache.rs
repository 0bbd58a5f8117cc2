//! The read cache (src/read_cache/): repeated data reads are answered from memory without a
//! statement; a client reads its own write at once; another process's write is seen through
//! `NOTIFY`, and within the staleness bound even when the listener is lost; writes raced against
//! cached reads never leave a read older than a write that had already been answered.

use crate::helpers::{spawn_app_with_read_cache, TestApp, TestResponse};
use actix_web::test::TestRequest;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use ogp_api::read_cache::ReadCache;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_millis(1000);

/// The demo data behind an app with a read cache that serves (its listener confirmed a version).
async fn cached_app(budget: usize) -> (TestApp, Arc<ReadCache>) {
    let (app, cache) = spawn_app_with_read_cache(budget, BOUND).await;
    ogp_api::seed::load_demo(&app.pool)
        .await
        .expect("demo data");
    // Serving, and every notification of the demo data's commits heard (a late one would empty
    // the cache under the test's feet).
    let version: i64 = app
        .sql_text("SELECT version::text AS value FROM data_version")
        .await
        .parse()
        .unwrap();
    let started = Instant::now();
    while !cache.serving() || cache.version() < version {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the listener never confirmed version {version}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (app, cache)
}

/// Statements the app sent to the test database so far.
fn queries(app: &TestApp) -> u64 {
    ogp_api::metrics::queries(&app.database).get()
}

/// `path` read twice: the second answer, and the statements it cost.
async fn read_again(app: &TestApp, path: &str) -> (TestResponse, TestResponse, u64) {
    let first = app.get(path).await;
    first.assert_status(200);
    let before = queries(app);
    let second = app.get(path).await;
    (first, second, queries(app) - before)
}

async fn raw(app: &TestApp) -> AsyncPgConnection {
    AsyncPgConnection::establish(&app.url)
        .await
        .expect("a raw connection")
}

fn version_of(response: &TestResponse) -> i64 {
    response.body["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("no version in {}", response.text))
}

#[actix_web::test]
async fn a_repeated_data_read_is_answered_from_memory_without_a_statement() {
    let (app, _cache) = cached_app(16 << 20).await;
    for path in [
        "/api/v1/countries/MEX",
        "/api/v1/countries?limit=5",
        "/api/v1/commitments?limit=2&include=milestones",
        "/api/v1/commitments?fields=id,title",
        "/api/v1/countries/MEX/action-plans",
        "/api/v1/commitments/groups?group_by=theme",
        "/api/v1/stats/commitments?group_by=country",
        "/api/v1/vocabularies",
    ] {
        let (first, second, statements) = read_again(&app, path).await;
        second.assert_status(200);
        assert_eq!(statements, 0, "{path} was read from the database again");
        assert_eq!(first.text, second.text, "{path}");
        for name in ["etag", "cache-control", "vary", "link", "content-type"] {
            assert_eq!(first.header(name), second.header(name), "{path}: {name}");
        }
        // A conditional read is a 304 from memory too, with the 200's validators.
        let before = queries(&app);
        let etag = first.header("etag").expect("an ETag").to_string();
        let not_modified = app
            .send(
                TestRequest::get()
                    .uri(path)
                    .insert_header(("If-None-Match", etag.as_str())),
            )
            .await;
        not_modified.assert_status(304);
        assert_eq!(not_modified.header("etag"), Some(etag.as_str()), "{path}");
        assert_eq!(not_modified.text, "", "{path}");
        assert_eq!(queries(&app) - before, 0, "{path}");
    }
}

#[actix_web::test]
async fn the_key_tells_queries_formats_and_languages_apart() {
    let (app, _cache) = cached_app(16 << 20).await;
    let two = app.get("/api/v1/commitments?limit=2").await;
    let three = app.get("/api/v1/commitments?limit=3").await;
    assert_eq!(two.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(three.body["items"].as_array().unwrap().len(), 3);
    // A CSV export of the same URL is never answered with the cached JSON (nor kept).
    for _ in 0..2 {
        let csv = app
            .send(
                TestRequest::get()
                    .uri("/api/v1/commitments?limit=2")
                    .insert_header(("Accept", "text/csv")),
            )
            .await;
        csv.assert_status(200);
        assert!(
            csv.header("content-type").unwrap().starts_with("text/csv"),
            "{:?}",
            csv.headers
        );
    }
    // Labels are added around the cache: a Spanish read of a cached item has them, and the
    // plain read after it does not.
    let (_, spanish, statements) = read_again(&app, "/api/v1/countries/MEX?lang=es").await;
    assert_eq!(statements, 0);
    assert_eq!(spanish.header("content-language"), Some("es"));
    assert!(
        spanish.body.get("region_label").is_some(),
        "{}",
        spanish.text
    );
    let plain = app.get("/api/v1/countries/MEX").await;
    assert!(plain.body.get("region_label").is_none(), "{}", plain.text);
}

#[actix_web::test]
async fn change_feeds_histories_and_exports_are_never_cached() {
    let (app, _cache) = cached_app(16 << 20).await;
    for path in [
        "/api/v1/changes?limit=2",
        "/api/v1/countries/MEX/history",
        "/api/v1/exports/bundle",
    ] {
        let (_, second, statements) = read_again(&app, path).await;
        second.assert_status(200);
        assert!(statements > 0, "{path} was answered from memory");
    }
}

#[actix_web::test]
async fn a_client_reads_its_own_write_at_once() {
    let (app, _cache) = cached_app(16 << 20).await;
    for round in 0..10 {
        let item = app.get("/api/v1/countries/MEX").await;
        let list = app.get("/api/v1/countries?code=MEX").await;
        let name = format!("Mexico {round}");
        app.patch("/api/v1/countries/MEX", &json!({ "name": name }))
            .await
            .assert_status(200);
        let item_after = app.get("/api/v1/countries/MEX").await;
        assert_eq!(item_after.body["name"], name.as_str());
        assert_eq!(version_of(&item_after), version_of(&item) + 1);
        let list_after = app.get("/api/v1/countries?code=MEX").await;
        assert_eq!(list_after.body["items"][0]["name"], name.as_str());
        assert_ne!(list.header("etag"), list_after.header("etag"));
    }
}

/// Reads `path` until `check` holds, up to `limit`; how long it took.
async fn until(
    app: &TestApp,
    path: &str,
    limit: Duration,
    check: impl Fn(&Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let response = app.get(path).await;
        if check(&response.body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{path} still answers {} after {limit:?}",
            response.text
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[actix_web::test]
async fn another_process_write_is_heard_through_notify() {
    let (app, _cache) = cached_app(16 << 20).await;
    let path = "/api/v1/countries/MEX";
    let (_, second, statements) = read_again(&app, path).await;
    assert_eq!(statements, 0, "not cached");
    let version = version_of(&second);
    // Another process (here: a connection of its own) changes the country.
    raw(&app)
        .await
        .batch_execute("UPDATE countries SET name = 'Estados Unidos Mexicanos', version = version + 1 WHERE code = 'MEX'")
        .await
        .unwrap();
    // Seen well within the bound (the poll alone could take it): the notification moved it.
    let took = until(&app, path, BOUND / 2, |body| {
        body["version"].as_i64() == Some(version + 1)
    })
    .await;
    eprintln!("another process's write seen after {took:?}");
}

#[actix_web::test]
async fn with_its_listener_lost_the_cache_is_never_staler_than_the_bound() {
    let (app, cache) = cached_app(16 << 20).await;
    let path = "/api/v1/countries/MEX";
    let (_, second, _) = read_again(&app, path).await;
    let version = version_of(&second);
    let mut other = raw(&app).await;
    // The listener's connection is cut, and a write commits while it is gone.
    other
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{}' AND datname = current_database()",
            ogp_api::read_cache::listener::APPLICATION_NAME
        ))
        .await
        .unwrap();
    other
        .batch_execute(
            "UPDATE countries SET name = 'México', version = version + 1 WHERE code = 'MEX'",
        )
        .await
        .unwrap();
    let written = Instant::now();
    // Whatever the listener does meanwhile, a read one bound after the commit is current.
    tokio::time::sleep(BOUND.saturating_sub(written.elapsed())).await;
    let after = app.get(path).await;
    assert_eq!(version_of(&after), version + 1, "{}", after.text);
    // And the listener comes back: the cache serves again.
    let started = Instant::now();
    while !cache.serving() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the listener never came back"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (_, _, statements) = read_again(&app, path).await;
    assert_eq!(statements, 0);
}

#[actix_web::test]
async fn writes_raced_against_cached_reads_never_leave_an_older_answer() {
    let (app, _cache) = cached_app(16 << 20).await;
    let app = &app;
    // The highest version whose write had been answered, and when.
    let answered = std::cell::Cell::new(0i64);
    let writer = async {
        for round in 0..40 {
            let response = app
                .patch(
                    "/api/v1/countries/MEX",
                    &json!({ "name": format!("Mexico {round}") }),
                )
                .await;
            response.assert_status(200);
            answered.set(version_of(&response));
        }
    };
    let reader = |path: &'static str, list: bool| {
        let answered = &answered;
        async move {
            let mut reads = 0;
            for _ in 0..400 {
                // Any write answered before this read started must show in it.
                let floor = answered.get();
                let response = app.get(path).await;
                response.assert_status(200);
                let seen = if list {
                    response.body["items"][0]["version"].as_i64().unwrap()
                } else {
                    version_of(&response)
                };
                assert!(
                    seen >= floor,
                    "{path} answered version {seen} after {floor} was written"
                );
                reads += 1;
                tokio::task::yield_now().await;
            }
            reads
        }
    };
    let (_, items, lists) = tokio::join!(
        writer,
        reader("/api/v1/countries/MEX", false),
        reader("/api/v1/countries?code=MEX", true)
    );
    assert_eq!((items, lists), (400, 400));
    let last = app.get("/api/v1/countries/MEX").await;
    assert_eq!(version_of(&last), answered.get());
}

#[actix_web::test]
async fn answers_beyond_the_budget_are_served_and_not_kept() {
    // Room for an item, not for a page of commitments.
    let (app, _cache) = cached_app(2048).await;
    let (_, _, statements) = read_again(&app, "/api/v1/countries/MEX").await;
    assert_eq!(statements, 0);
    let (first, second, statements) = read_again(&app, "/api/v1/commitments?limit=20").await;
    assert!(first.text.len() > 2048);
    assert!(statements > 0, "a page over the budget was kept");
    assert_eq!(first.text, second.text);
}

/// A write through `app`, which empties its cache (the version moved).
async fn empty_the_cache(app: &TestApp, round: usize) {
    app.patch(
        "/api/v1/countries/MEX",
        &json!({ "name": format!("Mexico {round}") }),
    )
    .await
    .assert_status(200);
}

/// `count` reads of `path` at once: their answers and the statements they cost together.
async fn at_once(app: &TestApp, path: &str, count: usize) -> (Vec<TestResponse>, u64) {
    let before = queries(app);
    let answers = tokio::time::timeout(
        Duration::from_secs(30),
        futures_util::future::join_all((0..count).map(|_| app.get(path))),
    )
    .await
    .expect("every concurrent read was answered");
    (answers, queries(app) - before)
}

#[actix_web::test]
async fn concurrent_misses_of_one_answer_compute_it_once() {
    let (app, _cache) = cached_app(16 << 20).await;
    let path = "/api/v1/commitments?limit=20&include=milestones";
    empty_the_cache(&app, 1).await;
    let (alone, once) = at_once(&app, path, 1).await;
    assert!(once > 0);
    empty_the_cache(&app, 2).await;
    let (answers, statements) = at_once(&app, path, 8).await;
    assert_eq!(
        statements, once,
        "8 concurrent misses cost {statements} statements, one costs {once}"
    );
    assert_all_answer(&answers, &alone[0]);
}

#[actix_web::test]
async fn waiters_for_an_answer_that_is_not_kept_compute_their_own() {
    // Room for an item, not for a page of commitments: the first miss's answer is not kept.
    let (app, _cache) = cached_app(2048).await;
    let path = "/api/v1/commitments?limit=20";
    let (alone, once) = at_once(&app, path, 1).await;
    let (answers, statements) = at_once(&app, path, 4).await;
    // New pool connections' setup statements may come on top.
    assert!(
        statements >= 4 * once,
        "{statements} statements for 4 reads of {once}: each computes its own answer"
    );
    assert_all_answer(&answers, &alone[0]);
}

/// Every one of `answers` is a 200 with `expected`'s body.
fn assert_all_answer(answers: &[TestResponse], expected: &TestResponse) {
    for answer in answers {
        answer.assert_status(200);
        assert_eq!(answer.text, expected.text);
    }
}

#[actix_web::test]
async fn another_instance_sees_each_write_within_the_bound_and_never_goes_back() {
    let (writer_app, _cache) = cached_app(16 << 20).await;
    let reader_cache = ReadCache::new(16 << 20, BOUND);
    let reader_app = writer_app.sibling(Some(reader_cache.clone())).await;
    while !reader_cache.serving() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let path = "/api/v1/countries/MEX";
    // Writes answered by one instance: (version, when its answer arrived).
    let answered = std::cell::RefCell::new(Vec::<(i64, Instant)>::new());
    let done = std::cell::Cell::new(false);
    let writer = async {
        for round in 0..15 {
            let response = writer_app
                .patch(path, &json!({ "name": format!("Mexico {round}") }))
                .await;
            response.assert_status(200);
            answered
                .borrow_mut()
                .push((version_of(&response), Instant::now()));
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        // Long enough for the last write to pass the bound.
        tokio::time::sleep(BOUND + Duration::from_millis(100)).await;
        done.set(true);
    };
    let reader = async {
        let (mut last, mut reads, mut worst) = (0i64, 0u32, Duration::ZERO);
        while !done.get() {
            let started = Instant::now();
            let seen = version_of(&reader_app.get(path).await);
            reads += 1;
            // Never older than what this instance answered before.
            assert!(seen >= last, "went back from version {last} to {seen}");
            last = seen;
            for (version, at) in answered.borrow().iter() {
                if seen < *version {
                    let lag = started.saturating_duration_since(*at);
                    // A write answered a bound before this read started shows in it.
                    assert!(
                        lag < BOUND,
                        "version {version} still unseen {lag:?} after its answer"
                    );
                    worst = worst.max(lag);
                }
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        (last, reads, worst)
    };
    let ((), (last, reads, worst)) = tokio::join!(writer, reader);
    assert_eq!(last, answered.borrow().last().unwrap().0);
    eprintln!("{reads} reads on the other instance; a write was seen there at most {worst:?} after its answer");
}

#[actix_web::test]
async fn compressed_hits_decode_to_the_answer_and_cost_no_statement() {
    use std::io::Read;
    let (app, _cache) = cached_app(16 << 20).await;
    let path = "/api/v1/commitments?limit=20";
    let plain = app.get(path).await;
    assert!(plain.text.len() > 1024, "a body the compression applies to");
    let get = |coding: &'static str| {
        app.send_raw(
            TestRequest::get()
                .uri(path)
                .insert_header(("Accept-Encoding", coding)),
        )
    };
    let before = queries(&app);
    for (coding, expected) in [("zstd", Some("zstd")), ("gzip", Some("gzip")), ("br", None)] {
        for _ in 0..2 {
            let (status, headers, bytes) = get(coding).await;
            assert_eq!(status, 200);
            let encoding = headers.get("content-encoding").map(|v| v.to_str().unwrap());
            assert_eq!(encoding, expected, "{coding}");
            let vary: Vec<_> = headers
                .get_all("vary")
                .flat_map(|v| v.to_str().unwrap().split(','))
                .map(|f| f.trim().to_ascii_lowercase())
                .collect();
            for field in ["accept", "accept-language", "accept-encoding", "origin"] {
                assert!(
                    vary.iter().any(|v| v == field),
                    "{coding}: {field} not in {vary:?}"
                );
            }
            let decoded = match expected {
                Some("zstd") => zstd::decode_all(&bytes[..]).unwrap(),
                Some(_) => {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(&bytes[..])
                        .read_to_end(&mut out)
                        .unwrap();
                    out
                }
                None => bytes,
            };
            assert_eq!(String::from_utf8(decoded).unwrap(), plain.text, "{coding}");
        }
    }
    assert_eq!(queries(&app) - before, 0);
}

#[actix_web::test]
async fn only_gets_and_heads_are_answered_from_memory() {
    let (app, _cache) = cached_app(16 << 20).await;
    let path = "/api/v1/countries/MEX";
    let (get, _, statements) = read_again(&app, path).await;
    assert_eq!(statements, 0);
    let options = app
        .send(
            TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri(path),
        )
        .await;
    // Its route's answer (the methods it allows), not the cached GET.
    assert!(options.header("allow").is_some(), "{:?}", options.headers);
    assert_ne!(options.text, get.text);
    assert_eq!(options.header("etag"), None);
    // A HEAD is routed as a GET and answered from memory (the HTTP dispatcher, not present
    // in this in-process harness, leaves the body out).
    let before = queries(&app);
    let (status, headers, _) = app
        .send_raw(
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri(path),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("etag").unwrap(), get.header("etag").unwrap());
    assert_eq!(queries(&app) - before, 0);
}

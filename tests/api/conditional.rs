//! Data-version ETags (src/data_version.rs, migration `…_data_version`): lists, groups, stats,
//! irm-summary, read aliases and the change feed answer an unchanged `If-None-Match` with a 304
//! after one statement, and never with a stale 304 after a write, concurrent ones included.

use crate::helpers::{spawn_app, TestApp, TestResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::test::TestRequest;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use serde_json::{json, Value};
use std::collections::BTreeSet;

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    ogp_api::seed::load_demo(&app.pool)
        .await
        .expect("demo data");
    app
}

/// Statements the app sent to the test database so far (`ogp_api_db_queries_total`).
fn queries(app: &TestApp) -> u64 {
    ogp_api::metrics::queries(&app.database).get()
}

async fn get_if(app: &TestApp, path: &str, etag: &str) -> TestResponse {
    app.send(
        TestRequest::get()
            .uri(path)
            .insert_header(("If-None-Match", etag)),
    )
    .await
}

fn etag(response: &TestResponse) -> String {
    response.header("etag").expect("an ETag").to_string()
}

async fn version(app: &TestApp) -> i64 {
    app.sql_text("SELECT version::text AS value FROM data_version")
        .await
        .parse()
        .unwrap()
}

/// A connection of its own, for transactions the test holds open.
async fn raw(app: &TestApp) -> AsyncPgConnection {
    AsyncPgConnection::establish(&app.url)
        .await
        .expect("a raw connection")
}

/// Every kind of read whose ETag is the data version's, over the demo data.
async fn reads(app: &TestApp) -> Vec<String> {
    let plan_report = app
        .sql_text(
            "SELECT action_plan_id || ' ' || report AS value FROM irm_findings \
             ORDER BY id LIMIT 1",
        )
        .await;
    let (plan, report) = plan_report.split_once(' ').unwrap();
    vec![
        "/api/v1/countries".to_string(),
        "/api/v1/commitments?limit=5&sort=-id".to_string(),
        "/api/v1/commitments?fields=id,title&limit=5".to_string(),
        "/api/v1/commitments?include=milestones,action_plan&limit=3".to_string(),
        "/api/v1/countries/MEX/action-plans".to_string(),
        "/api/v1/commitments/groups?group_by=theme".to_string(),
        "/api/v1/stats/commitments?group_by=country".to_string(),
        format!("/api/v1/action-plans/{plan}/irm-summary?report={report}"),
        "/api/v1/changes?limit=5".to_string(),
    ]
}

/// The `Vary` fields of a response, lowercased.
fn vary(response: &TestResponse) -> BTreeSet<String> {
    response
        .headers
        .get_all("vary")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|f| f.trim().to_ascii_lowercase())
        .collect()
}

#[actix_web::test]
async fn an_unchanged_etag_is_a_304_after_one_statement_for_every_data_read() {
    let app = demo_app().await;
    for path in reads(&app).await {
        let first = app.get(&path).await;
        first.assert_status(200);
        let tag = etag(&first);
        assert!(tag.starts_with("W/\"d"), "{path}: {tag}");
        // The 200 runs the version read and the read's own queries.
        let before = queries(&app);
        let again = app.get(&path).await;
        let full = queries(&app) - before;
        again.assert_status(200);
        assert_eq!(etag(&again), tag, "{path}");
        assert!(full > 1, "{path}: a 200 costs {full} statements");
        let before = queries(&app);
        let not_modified = get_if(&app, &path, &tag).await;
        assert_eq!(queries(&app) - before, 1, "{path}: a 304 is one statement");
        not_modified.assert_status(304);
        assert!(not_modified.text.is_empty(), "{path}");
        assert_eq!(etag(&not_modified), tag, "{path}");
        assert_eq!(
            not_modified.header("cache-control"),
            first.header("cache-control"),
            "{path}"
        );
        // Compression adds `Accept-Encoding` to a 200 whose body it may compress; the rest of
        // `Vary` is the 200's.
        let mut varies = vary(&first);
        varies.remove("accept-encoding");
        assert_eq!(vary(&not_modified), varies, "{path}");
    }
}

#[actix_web::test]
async fn a_bad_request_with_a_current_etag_is_still_a_400() {
    let app = demo_app().await;
    let tag = etag(&app.get("/api/v1/countries").await);
    get_if(&app, "/api/v1/countries?sort=nonsense", &tag)
        .await
        .assert_problem(400);
    get_if(&app, "/api/v1/stats/commitments", &tag)
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn any_write_to_any_data_table_changes_every_data_etag() {
    let app = demo_app().await;
    let paths = reads(&app).await;
    let mut tags = Vec::new();
    for path in &paths {
        tags.push(etag(&app.get(path).await));
    }
    // A milestone: a table most of these reads do not even show.
    let milestone = app
        .sql_text("SELECT min(id)::text AS value FROM milestones")
        .await;
    app.patch(
        &format!("/api/v1/milestones/{milestone}"),
        &json!({"title": "Renamed milestone"}),
    )
    .await
    .assert_status(200);
    for (path, old) in paths.iter().zip(&mut tags) {
        let after = get_if(&app, path, old).await;
        after.assert_status(200);
        assert_ne!(&etag(&after), old, "{path}");
        *old = etag(&after);
    }
    // The new data comes with the new tag.
    let countries = "/api/v1/countries?code=MEX";
    let old = etag(&app.get(countries).await);
    app.patch(
        "/api/v1/countries/MEX",
        &json!({"name": "Estados Unidos Mexicanos"}),
    )
    .await
    .assert_status(200);
    let after = get_if(&app, countries, &old).await;
    after.assert_status(200);
    assert_eq!(after.body["items"][0]["name"], "Estados Unidos Mexicanos");
    assert_ne!(etag(&after), old);
}

async fn import(app: &TestApp, bundle: &Value) -> TestResponse {
    let request = TestRequest::post()
        .uri("/api/v1/imports")
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(bundle.to_string());
    app.send(app.authed(request)).await
}

#[actix_web::test]
async fn a_bundle_import_changes_the_etags_and_an_unchanged_one_does_not() {
    let app = demo_app().await;
    let paths = reads(&app).await;
    let mut tags = Vec::new();
    for path in &paths {
        tags.push(etag(&app.get(path).await));
    }
    let bundle = json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "CHL", "name": "Chile", "region": "americas", "member_since": 2011}]
    });
    import(&app, &bundle).await.assert_status(200);
    for (path, old) in paths.iter().zip(&mut tags) {
        let after = get_if(&app, path, old).await;
        after.assert_status(200);
        *old = etag(&after);
    }
    // The same bundle again writes nothing: the version and so every tag stay.
    let version_before = version(&app).await;
    let again = import(&app, &bundle).await;
    again.assert_status(200);
    assert_eq!(again.body["countries"]["unchanged"], 1);
    assert_eq!(version(&app).await, version_before);
    for (path, old) in paths.iter().zip(&tags) {
        get_if(&app, path, old).await.assert_status(304);
    }
}

#[actix_web::test]
async fn queries_and_languages_have_their_own_etags() {
    let app = demo_app().await;
    let mut seen = BTreeSet::new();
    for path in [
        "/api/v1/countries",
        "/api/v1/countries?limit=2",
        "/api/v1/countries?fields=code",
        "/api/v1/countries?lang=es",
        "/api/v1/countries?lang=fr",
        "/api/v1/action-plans",
        "/api/v1/countries/MEX/action-plans",
        "/api/v1/action-plans?country_code=MEX",
    ] {
        let response = app.get(path).await;
        response.assert_status(200);
        assert!(seen.insert(etag(&response)), "{path} repeats a tag");
    }
    let spanish = etag(&app.get("/api/v1/countries?lang=es").await);
    assert!(spanish.ends_with(";es\""), "{spanish}");
    get_if(&app, "/api/v1/countries?lang=es", &spanish)
        .await
        .assert_status(304);
    get_if(&app, "/api/v1/countries?lang=fr", &spanish)
        .await
        .assert_status(200);
    // The Spanish tag names the labelled page, not the unlabelled one of the same query.
    get_if(&app, "/api/v1/countries", &spanish)
        .await
        .assert_status(200);
    let accept_spanish = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries")
                .insert_header(("Accept-Language", "es"))
                .insert_header(("If-None-Match", spanish.as_str())),
        )
        .await;
    accept_spanish.assert_status(304);
    // An export carries no data tag, so a JSON page's tag never revalidates it.
    let json_tag = etag(&app.get("/api/v1/countries").await);
    let csv = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries")
                .insert_header(("Accept", "text/csv"))
                .insert_header(("If-None-Match", json_tag.as_str())),
        )
        .await;
    csv.assert_status(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    // Who made a change is for key holders: their feed has another tag.
    let anonymous = etag(&app.get("/api/v1/changes?limit=5").await);
    let holder = app
        .send(app.authed(TestRequest::get().uri("/api/v1/changes?limit=5")))
        .await;
    holder.assert_status(200);
    assert_ne!(etag(&holder), anonymous);
    let replay = app
        .send(
            TestRequest::get()
                .uri("/api/v1/changes?limit=5")
                .insert_header(("If-None-Match", etag(&holder))),
        )
        .await;
    replay.assert_status(200);
}

#[actix_web::test]
async fn a_write_committing_after_the_version_was_read_never_gets_a_stale_304() {
    let app = demo_app().await;
    let path = "/api/v1/countries?code=MEX";
    let mut writer = raw(&app).await;
    writer
        .batch_execute("BEGIN; UPDATE countries SET name = 'Written meanwhile' WHERE code = 'MEX'")
        .await
        .unwrap();
    let during = app.get(path).await;
    during.assert_status(200);
    assert_eq!(during.body["items"][0]["name"], "Mexico");
    let tag = etag(&during);
    writer.batch_execute("COMMIT").await.unwrap();
    let after = get_if(&app, path, &tag).await;
    after.assert_status(200);
    assert_eq!(after.body["items"][0]["name"], "Written meanwhile");
    get_if(&app, path, &etag(&after)).await.assert_status(304);
}

/// Statements of this database waiting for a lock.
async fn lock_waiters(app: &TestApp) -> u64 {
    app.sql_text(
        "SELECT count(*)::text AS value FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    .await
    .parse()
    .unwrap()
}

#[actix_web::test]
async fn two_open_writers_commit_in_version_order_without_a_deadlock() {
    let app = demo_app().await;
    let path = "/api/v1/countries";
    let start = version(&app).await;
    let mut first = raw(&app).await;
    first
        .batch_execute("BEGIN; UPDATE countries SET name = 'First writer' WHERE code = 'MEX'")
        .await
        .unwrap();
    // A second writer cannot even finish its statement while the first is open, so it can
    // never commit before it: with a short lock timeout it gives up.
    let mut second = raw(&app).await;
    let refused = second
        .batch_execute(
            "BEGIN; SET LOCAL lock_timeout = '200ms'; \
             UPDATE countries SET name = 'Second writer' WHERE code <> 'MEX'",
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("lock timeout"), "{refused}");
    second.batch_execute("ROLLBACK").await.unwrap();
    // Now it waits (a generous timeout keeps a deadlock from hanging the test).
    second
        .batch_execute("BEGIN; SET LOCAL lock_timeout = '20s'")
        .await
        .unwrap();
    let waiting = actix_web::rt::spawn(async move {
        let done = second
            .batch_execute("UPDATE countries SET name = 'Second writer' WHERE code <> 'MEX'")
            .await;
        done.map(|()| second)
    });
    let mut polls = 0;
    while lock_waiters(&app).await == 0 {
        polls += 1;
        assert!(polls < 200, "the second writer never waited");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = app.get(path).await;
    let tag = etag(&before);
    assert!(!before.text.contains("writer"), "{}", before.text);
    first.batch_execute("COMMIT").await.unwrap();
    let mut second = waiting.await.unwrap().expect("the second writer proceeds");
    // The first writer's data, not yet the second's: a new tag, never the old one's 304.
    let middle = get_if(&app, path, &tag).await;
    middle.assert_status(200);
    assert!(middle.text.contains("First writer"));
    assert!(!middle.text.contains("Second writer"));
    let middle_tag = etag(&middle);
    assert_eq!(version(&app).await, start + 1);
    second.batch_execute("COMMIT").await.unwrap();
    let last = get_if(&app, path, &middle_tag).await;
    last.assert_status(200);
    assert!(last.text.contains("Second writer"));
    assert_eq!(version(&app).await, start + 2);
}

#[actix_web::test]
async fn every_table_a_get_reads_moves_the_data_version() {
    let app = spawn_app().await;
    // Every table but the keys, the idempotency records and the counter itself is data a GET
    // shows (or derives a view from): a table added later fails here until it has triggers.
    let tables = app
        .sql_text(
            "SELECT string_agg(tablename, ',' ORDER BY tablename) AS value FROM pg_tables \
             WHERE schemaname = 'public' AND tablename NOT IN \
             ('__diesel_schema_migrations', 'api_keys', 'idempotency_keys', 'data_version')",
        )
        .await;
    assert_eq!(
        tables,
        "action_plans,changes,commitment_facts,commitment_rollup,commitments,countries,\
         irm_findings,local_members,milestones"
    );
    // Per table, the events whose statement triggers move the version (tgtype bits: 4
    // INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE; 1 would be a row trigger).
    let covered = app
        .sql_text(
            "SELECT string_agg(relname || ':' || events, ',' ORDER BY relname) AS value FROM ( \
               SELECT c.relname, bit_or(t.tgtype::int & 60) AS events FROM pg_trigger t \
                 JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid \
                WHERE p.proname IN ('ogp_log_changes', 'ogp_data_changed') \
                  AND t.tgtype::int & 1 = 0 GROUP BY c.relname) per_table",
        )
        .await;
    let expected: Vec<String> = tables
        .split(',')
        .map(|table| {
            // The feed's inserts come only from the change log, which moves it first.
            let events = if table == "changes" { 8 + 16 + 32 } else { 60 };
            format!("{table}:{events}")
        })
        .collect();
    assert_eq!(covered, expected.join(","));
    // TRUNCATE moves it too.
    let start = version(&app).await;
    let mut conn = raw(&app).await;
    conn.batch_execute("TRUNCATE milestones").await.unwrap();
    assert_eq!(version(&app).await, start + 1);
}

#[actix_web::test]
async fn the_migration_gives_existing_data_a_version_and_a_random_epoch() {
    let app = demo_app().await;
    let epoch = app
        .sql_text("SELECT epoch::text AS value FROM data_version")
        .await;
    let tag = etag(&app.get("/api/v1/countries").await);
    let countries = app
        .sql_text("SELECT count(*)::text AS value FROM countries")
        .await;
    assert_ne!(countries, "0");
    // Back to just before it (and any later migration), then forward again over the demo data.
    loop {
        let reverted = ogp_api::db::revert_last_migration(&app.url).await.unwrap();
        // The version of `2026-11-30-000032_data_version`.
        if reverted == "20261130000032" {
            break;
        }
    }
    ogp_api::db::run_migrations(&app.url).await.unwrap();
    assert_eq!(
        app.sql_text(
            "SELECT count(*)::text || ' ' || min(version)::text AS value FROM data_version"
        )
        .await,
        "1 1"
    );
    assert_eq!(
        app.sql_text("SELECT count(*)::text AS value FROM countries")
            .await,
        countries
    );
    let new_epoch = app
        .sql_text("SELECT epoch::text AS value FROM data_version")
        .await;
    assert_ne!(
        new_epoch, epoch,
        "a database migrated anew never shares tags"
    );
    // A new epoch: the tag from before is not answered 304.
    get_if(&app, "/api/v1/countries", &tag)
        .await
        .assert_status(200);
}

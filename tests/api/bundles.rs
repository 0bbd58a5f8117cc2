//! Bundles: `GET /api/v1/exports/bundle` and `POST /api/v1/imports` (src/bundle/).

use crate::helpers::{spawn_app, TestApp, TestResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::test::TestRequest;
use serde_json::{json, Value};
use std::io::Write;

const EXPORT: &str = "/api/v1/exports/bundle";
const IMPORT: &str = "/api/v1/imports";

async fn export(app: &TestApp, query: &str) -> String {
    let response = app.get(&format!("{EXPORT}{query}")).await;
    response.assert_status(200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    response.text
}

/// POSTs `body` as a bundle, gzip-compressed when `gzip`.
async fn import_bytes(app: &TestApp, query: &str, body: Vec<u8>, gzip: bool) -> TestResponse {
    let mut request = TestRequest::post()
        .uri(&format!("{IMPORT}{query}"))
        .insert_header((CONTENT_TYPE, "application/json"));
    if gzip {
        request = request.insert_header(("Content-Encoding", "gzip"));
    }
    app.send(app.authed(request.set_payload(body))).await
}

async fn import(app: &TestApp, query: &str, bundle: &Value) -> TestResponse {
    import_bytes(app, query, bundle.to_string().into_bytes(), false).await
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    ogp_api::seed::load_demo(&app.pool)
        .await
        .expect("demo data");
    app
}

fn counts(created: u64, updated: u64, unchanged: u64) -> Value {
    json!({"created": created, "updated": updated, "unchanged": unchanged, "deleted": 0})
}

async fn count(app: &TestApp, table: &str) -> u64 {
    app.sql_text(&format!("SELECT count(*)::text AS value FROM {table}"))
        .await
        .parse()
        .unwrap()
}

/// A small bundle: one country, one plan, two commitments, a milestone and two findings.
fn small_bundle() -> Value {
    json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "CHL", "name": "Chile", "region": "americas", "member_since": 2011}],
        "action_plans": [{"country_code": "CHL", "number": 1, "title": "Plan 1",
                          "start_year": 2016, "end_year": 2018, "status": "implementing"}],
        "commitments": [
            {"country_code": "CHL", "plan_number": 1, "number": 1, "title": "Open contracting"},
            {"country_code": "CHL", "plan_number": 1, "number": 2, "title": "Open budgets"}
        ],
        "milestones": [{"country_code": "CHL", "plan_number": 1, "commitment_number": 1,
                        "position": 1, "title": "Publish the register"}],
        "irm_findings": [
            {"country_code": "CHL", "plan_number": 1, "commitment_number": 1,
             "report": "mid_term_report", "kind": "assessment", "completion": "limited"},
            {"country_code": "CHL", "plan_number": 1, "report": "mid_term_report",
             "kind": "summary", "body": "A plan with two commitments."}
        ]
    })
}

#[actix_web::test]
async fn an_export_imported_into_an_empty_database_exports_byte_identical() {
    let source = demo_app().await;
    let first = export(&source, "").await;
    let bundle: Value = serde_json::from_str(&first).expect("the export is JSON");
    assert_eq!(bundle["format"], "ogp-api.bundle");
    assert_eq!(bundle["version"], 1);
    let records: u64 = [
        "countries",
        "local_members",
        "action_plans",
        "commitments",
        "milestones",
        "irm_findings",
    ]
    .iter()
    .map(|c| bundle[c].as_array().unwrap().len() as u64)
    .sum();
    assert_eq!(records, {
        let mut n = 0;
        for table in [
            "countries",
            "local_members",
            "action_plans",
            "commitments",
            "milestones",
            "irm_findings",
        ] {
            n += count(&source, table).await;
        }
        n
    });
    // Parents by natural key, no ids.
    let commitment = &bundle["commitments"][0];
    assert!(commitment.get("action_plan_id").is_none(), "{commitment}");
    assert!(commitment["country_code"].is_string() && commitment["plan_number"].is_i64());

    let target = spawn_app().await;
    let response = import_bytes(&target, "", first.clone().into_bytes(), false).await;
    response.assert_status(200);
    let n = |c: &str| bundle[c].as_array().unwrap().len() as u64;
    assert_eq!(
        response.body,
        json!({"dry_run": false,
               "countries": counts(n("countries"), 0, 0),
               "local_members": counts(n("local_members"), 0, 0),
               "action_plans": counts(n("action_plans"), 0, 0),
               "commitments": counts(n("commitments"), 0, 0),
               "milestones": counts(n("milestones"), 0, 0),
               "irm_findings": counts(n("irm_findings"), 0, 0)})
    );
    assert_eq!(export(&target, "").await, first);
}

#[actix_web::test]
async fn re_importing_an_unchanged_bundle_writes_nothing() {
    let app = demo_app().await;
    let bundle = export(&app, "").await;
    let before = app.snapshot().await;
    let response = import_bytes(&app, "", bundle.into_bytes(), false).await;
    response.assert_status(200);
    assert_eq!(response.body["commitments"]["created"], 0);
    assert_eq!(response.body["commitments"]["updated"], 0);
    assert!(response.body["irm_findings"]["unchanged"].as_u64().unwrap() > 0);
    for collection in [
        "countries",
        "action_plans",
        "commitments",
        "milestones",
        "irm_findings",
    ] {
        assert_eq!(response.body[collection]["created"], 0, "{collection}");
        assert_eq!(response.body[collection]["updated"], 0, "{collection}");
    }
    // No version bump, no change-feed entry: every row as it was.
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn a_changed_record_is_updated_once_and_a_new_one_created() {
    let app = spawn_app().await;
    import(&app, "", &small_bundle()).await.assert_status(200);
    let changes = count(&app, "changes").await;

    let mut bundle = small_bundle();
    bundle["commitments"][1]["title"] = json!("Open budgets, every month");
    bundle["milestones"].as_array_mut().unwrap().push(
        json!({"country_code": "CHL", "plan_number": 1, "commitment_number": 2,
                     "position": 1, "title": "Monthly data"}),
    );
    let response = import(&app, "", &bundle).await;
    response.assert_status(200);
    assert_eq!(response.body["commitments"], counts(0, 1, 1));
    assert_eq!(response.body["milestones"], counts(1, 0, 1));
    assert_eq!(response.body["countries"], counts(0, 0, 1));
    assert_eq!(response.body["irm_findings"], counts(0, 0, 2));
    // One change entry for the update, one for the new milestone.
    assert_eq!(count(&app, "changes").await, changes + 2);
    let version = app
        .sql_text("SELECT version::text AS value FROM commitments WHERE number = 2")
        .await;
    assert_eq!(version, "2");
    let title = app
        .sql_text("SELECT title AS value FROM commitments WHERE number = 2")
        .await;
    assert_eq!(title, "Open budgets, every month");
}

#[actix_web::test]
async fn a_bad_record_in_the_middle_leaves_the_database_as_it_was_and_every_error_is_listed() {
    let app = demo_app().await;
    let before = app.snapshot().await;
    let mut bundle = small_bundle();
    bundle["commitments"] = json!([
        {"country_code": "CHL", "plan_number": 1, "number": 1, "title": "Fine"},
        {"country_code": "CHL", "plan_number": 1, "number": 2, "title": "",
         "start_date": "2020-02-30"},
        {"country_code": "CHL", "plan_number": 9, "number": 3, "title": "No such plan"},
        {"country_code": "CHL", "plan_number": 1, "number": 1, "title": "Twice"},
        {"action_plan_id": 1, "country_code": "CHL", "plan_number": 1, "number": 4, "title": "Id"},
        {"country_code": "CHL", "plan_number": 1, "number": 5, "title": "Fine too"}
    ]);
    bundle["milestones"][0]["commitment_number"] = json!(7);
    let response = import(&app, "", &bundle).await;
    response.assert_problem(422);
    let pointers: Vec<&str> = response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "/commitments/1/title",
            "/commitments/1/start_date",
            "/commitments/2/plan_number",
            "/commitments/3/number",
            "/commitments/4/action_plan_id",
            "/milestones/0/commitment_number",
        ],
        "{}",
        response.text
    );
    assert!(response.body["errors"][3]["message"]
        .as_str()
        .unwrap()
        .contains("/commitments/0"));
    assert_eq!(app.snapshot().await, before);

    // A record the database refuses on write (a commitment reference another commitment
    // has) fails the whole import too, after the records before it were written.
    let taken: String = app
        .sql_text("SELECT reference AS value FROM commitments WHERE reference IS NOT NULL LIMIT 1")
        .await;
    let mut bundle = small_bundle();
    bundle["commitments"][1]["reference"] = json!(taken);
    let response = import(&app, "", &bundle).await;
    assert!(response.status.is_client_error(), "{}", response.text);
    assert!(
        response.text.contains("/commitments/1"),
        "{}",
        response.text
    );
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn a_dry_run_answers_the_counts_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let response = import(&app, "?dry_run=true", &small_bundle()).await;
    response.assert_status(200);
    assert_eq!(response.body["dry_run"], true);
    assert_eq!(response.body["commitments"], counts(2, 0, 0));
    assert_eq!(response.body["irm_findings"], counts(2, 0, 0));
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn the_format_and_version_are_checked() {
    let app = spawn_app().await;
    let mut bundle = small_bundle();
    bundle["version"] = json!(2);
    let response = import(&app, "", &bundle).await;
    response.assert_problem(422);
    assert_eq!(response.body["errors"][0]["pointer"], "/version");
    assert!(response.body["detail"]
        .as_str()
        .unwrap()
        .contains("version 2"));

    let mut bundle = small_bundle();
    bundle["format"] = json!("something else");
    bundle["plans"] = json!([]);
    let response = import(&app, "", &bundle).await;
    response.assert_problem(422);
    let pointers: Vec<&str> = response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/format", "/plans"]);
    assert_eq!(count(&app, "countries").await, 0);

    import_bytes(&app, "", b"[1, 2".to_vec(), false)
        .await
        .assert_problem(400);
    import(&app, "?prune=yes&dry_run=true", &small_bundle())
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn a_gzip_bundle_is_imported_and_a_gzip_bomb_is_a_413() {
    let app = spawn_app().await;
    let body = gzip(small_bundle().to_string().as_bytes());
    let response = import_bytes(&app, "", body, true).await;
    response.assert_status(200);
    assert_eq!(response.body["milestones"], counts(1, 0, 0));

    // 65 MiB of spaces (valid JSON whitespace) compress to a few dozen KiB: over the 64 MiB limit
    // once decompressed.
    let bomb = gzip(&vec![b' '; 65 * 1024 * 1024]);
    assert!(bomb.len() < 1024 * 1024);
    import_bytes(&app, "", bomb, true).await.assert_problem(413);
    import_bytes(&app, "", b"not gzip".to_vec(), true)
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn an_import_needs_an_editor_key_and_json() {
    let app = spawn_app().await;
    let request = TestRequest::post()
        .uri(IMPORT)
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(small_bundle().to_string());
    app.send(request).await.assert_problem(401);
    // Neither a bundle nor a CSV (`text/csv` with `?resource=`, tests/api/csv_import.rs).
    app.raw(
        actix_web::http::Method::POST,
        IMPORT,
        "text/plain",
        "code,name",
    )
    .await
    .assert_problem(415);
    assert_eq!(count(&app, "countries").await, 0);
}

#[actix_web::test]
async fn an_export_can_be_limited_to_countries_and_plan_years() {
    let app = demo_app().await;
    let ghana: Value = serde_json::from_str(&export(&app, "?country_code=GHA").await).unwrap();
    let codes = |collection: &str, field: &str| -> Vec<String> {
        ghana[collection]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[field].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes("countries", "code"), ["GHA"]);
    assert!(!codes("commitments", "country_code").is_empty());
    assert!(codes("commitments", "country_code")
        .iter()
        .all(|c| c == "GHA"));
    assert!(codes("irm_findings", "country_code")
        .iter()
        .all(|c| c == "GHA"));

    let later: Value =
        serde_json::from_str(&export(&app, "?plan_start_year_gte=2020").await).unwrap();
    let years: Vec<i64> = later["action_plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["start_year"].as_i64().unwrap())
        .collect();
    assert!(
        !years.is_empty() && years.iter().all(|y| *y >= 2020),
        "{years:?}"
    );

    app.get(&format!("{EXPORT}?country_code=mex"))
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn an_import_larger_than_the_body_limit_can_carry_an_idempotency_key() {
    let app = spawn_app().await;
    let mut bundle = small_bundle();
    let long = "x".repeat(20_000);
    let commitments: Vec<Value> = (1..=20)
        .map(|n| {
            json!({"country_code": "CHL", "plan_number": 1, "number": n,
                        "title": format!("C{n}"), "description": long})
        })
        .collect();
    bundle["commitments"] = json!(commitments);
    let body = bundle.to_string();
    assert!(body.len() > ogp_api::body::DEFAULT_BODY_LIMIT);
    let send = || {
        app.authed(
            TestRequest::post()
                .uri(IMPORT)
                .insert_header((CONTENT_TYPE, "application/json"))
                .insert_header(("Idempotency-Key", "bundle-1"))
                .set_payload(body.clone()),
        )
    };
    let first = app.send(send()).await;
    first.assert_status(200);
    assert_eq!(first.body["commitments"], counts(20, 0, 0));
    let again = app.send(send()).await;
    again.assert_status(200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
}

#[actix_web::test]
async fn pruning_deletes_what_the_bundle_no_longer_holds_within_its_scope_and_needs_admin() {
    let app = demo_app().await;
    let mut bigger = small_bundle();
    bigger["action_plans"].as_array_mut().unwrap().push(
        json!({"country_code": "CHL", "number": 2, "title": "Plan 2",
               "start_year": 2018, "end_year": 2020}),
    );
    bigger["commitments"].as_array_mut().unwrap().extend([
        json!({"country_code": "CHL", "plan_number": 1, "number": 3, "title": "Dropped"}),
        json!({"country_code": "CHL", "plan_number": 2, "number": 1, "title": "In plan 2"}),
    ]);
    bigger["milestones"].as_array_mut().unwrap().push(
        json!({"country_code": "CHL", "plan_number": 1, "commitment_number": 2,
               "position": 1, "title": "Dropped too"}),
    );
    bigger["irm_findings"].as_array_mut().unwrap().push(
        json!({"country_code": "CHL", "plan_number": 1, "report": "mid_term_report",
               "kind": "recommendation", "position": 1, "body": "Dropped as well"}),
    );
    import(&app, "", &bigger).await.assert_status(200);
    let before = app.snapshot().await;

    // An editor may not prune.
    let editor = app
        .key_with_role("editor", ogp_api::auth::Role::Editor)
        .await;
    let request = TestRequest::post()
        .uri(&format!("{IMPORT}?prune=true"))
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header(("Authorization", format!("Bearer {editor}")))
        .set_payload(small_bundle().to_string());
    app.send(request).await.assert_problem(403);
    assert_eq!(app.snapshot().await, before);

    let mexico = export(&app, "?country_code=MEX").await;
    let changes = count(&app, "changes").await;
    let response = import(&app, "?prune=true", &small_bundle()).await;
    response.assert_status(200);
    let deleted = |c: &str| response.body[c]["deleted"].as_u64().unwrap();
    assert_eq!(deleted("countries"), 0);
    assert_eq!(deleted("action_plans"), 1, "{}", response.text);
    assert_eq!(deleted("commitments"), 2);
    assert_eq!(deleted("milestones"), 1);
    assert_eq!(deleted("irm_findings"), 1);
    // Each delete is in the change feed; nothing else was written.
    assert_eq!(count(&app, "changes").await, changes + 5);
    // What is left of Chile is the bundle; Mexico (outside the scope) is untouched.
    let chile: Value = serde_json::from_str(&export(&app, "?country_code=CHL").await).unwrap();
    let bundle = small_bundle();
    for collection in ["action_plans", "commitments", "milestones", "irm_findings"] {
        assert_eq!(
            chile[collection].as_array().unwrap().len(),
            bundle[collection].as_array().unwrap().len(),
            "{collection}"
        );
    }
    assert_eq!(export(&app, "?country_code=MEX").await, mexico);
}

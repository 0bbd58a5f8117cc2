//! CSV import per resource (`POST /api/v1/imports?resource=…` with `text/csv`, and
//! `ogp-api import FILE.csv --resource …`; src/bundle/csv_import/): the CSV export of each
//! collection re-imported, edited, extended and broken, against the database itself.

use crate::helpers::{spawn_app, TestApp, TestResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::test::TestRequest;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

const IMPORT: &str = "/api/v1/imports";
const RESOURCES: [(&str, &str); 6] = [
    ("countries", "countries"),
    ("local-members", "local_members"),
    ("action-plans", "action_plans"),
    ("commitments", "commitments"),
    ("milestones", "milestones"),
    ("irm-findings", "irm_findings"),
];

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    ogp_api::seed::load_demo(&app.pool)
        .await
        .expect("demo data");
    app
}

/// The CSV export of collection `resource` (its URL name).
async fn export(app: &TestApp, resource: &str) -> String {
    let response = app.get(&format!("/api/v1/{resource}?format=csv")).await;
    response.assert_status(200);
    response.text
}

/// POSTs `body` as `content_type` to the import, gzip-compressed when `gzip`, with `key`.
async fn post(
    app: &TestApp,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
    gzip: bool,
    key: &str,
) -> TestResponse {
    let mut request = TestRequest::post()
        .uri(&format!("{IMPORT}{query}"))
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header(("Authorization", format!("Bearer {key}")));
    if gzip {
        request = request.insert_header(("Content-Encoding", "gzip"));
    }
    app.send(request.set_payload(body)).await
}

/// Imports `csv` into `resource` with the admin key.
async fn import(app: &TestApp, resource: &str, query: &str, csv: &str) -> TestResponse {
    let query = format!("?resource={resource}{query}");
    post(
        app,
        &query,
        "text/csv",
        csv.as_bytes().to_vec(),
        false,
        &app.key,
    )
    .await
}

async fn count(app: &TestApp, table: &str) -> u64 {
    app.sql_text(&format!("SELECT count(*)::text AS value FROM {table}"))
        .await
        .parse()
        .unwrap()
}

/// The CSV's header and rows.
fn parse(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    let mut records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>());
    let header = records.next().unwrap();
    (header, records.collect())
}

fn write(header: &[String], rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|c| c == name).unwrap()
}

/// The messages of a 422's `errors`.
fn messages(response: &TestResponse) -> Vec<String> {
    response.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

fn counts(outcome: &Value, collection: &str) -> (u64, u64, u64, u64) {
    let c = &outcome[collection];
    let n = |name: &str| c[name].as_u64().unwrap();
    (n("created"), n("updated"), n("unchanged"), n("deleted"))
}

/// A commitments CSV naming its plan by natural key: Mexico's plan 3, commitments
/// `numbers`, each titled after its number; `ogp_values` of the `bad`th row (1-based among
/// the data rows) is not an OGP value.
fn commitments_by_key(numbers: &[i32], bad: Option<usize>) -> String {
    let mut csv = String::from(
        "country_code,plan_number,number,reference,title,description,theme,lead_institution,\
         ogp_values,start_date,end_date,withdrawn\r\n",
    );
    for (i, number) in numbers.iter().enumerate() {
        let values = if bad == Some(i + 1) {
            "openness"
        } else {
            "access_to_information;civic_participation"
        };
        csv.push_str(&format!(
            "MEX,3,{number},,\"Commitment {number}, new\",,,,{values},2017-01-01,2018-06-30,false\r\n"
        ));
    }
    csv
}

#[actix_web::test]
async fn an_unedited_csv_export_of_each_resource_reimports_as_all_unchanged() {
    let app = demo_app().await;
    // A finding rated relevant to no OGP value (`[]`, written `[]`), beside the unrated (`null`,
    // an empty cell): both must come back as they were.
    let emptied = app
        .sql_text(
            "WITH u AS (UPDATE irm_findings SET relevance = '{}' WHERE id = (SELECT min(id) \
             FROM irm_findings WHERE kind = 'assessment' AND report = 'mid_term_report') RETURNING id) \
             SELECT count(*)::text AS value FROM u",
        )
        .await;
    assert_eq!(emptied, "1");
    let unrated = app
        .sql_text("SELECT count(*)::text AS value FROM irm_findings WHERE relevance IS NULL")
        .await;
    assert_ne!(unrated, "0");
    for (resource, collection) in RESOURCES {
        let csv = export(&app, resource).await;
        let rows = parse(&csv).1.len() as u64;
        assert!(rows > 0, "{resource}: the demo data has some");
        let before = app.snapshot().await;
        let response = import(&app, resource, "", &csv).await;
        response.assert_status(200);
        assert_eq!(
            counts(&response.body, collection),
            (0, 0, rows, 0),
            "{resource}: {}",
            response.text
        );
        // Nothing written: no version bumped, no change-feed entry.
        assert_eq!(app.snapshot().await, before, "{resource}");
    }
}

#[actix_web::test]
async fn an_edited_cell_updates_its_record_once_and_a_new_row_is_created() {
    let app = demo_app().await;
    let (header, mut rows) = parse(&export(&app, "commitments").await);
    let id = rows[0][column(&header, "id")].clone();
    rows[0][column(&header, "title")] = "Edited in a spreadsheet".into();
    let changes = count(&app, "changes").await;
    let response = import(&app, "commitments", "", &write(&header, &rows)).await;
    response.assert_status(200);
    let n = rows.len() as u64;
    assert_eq!(counts(&response.body, "commitments"), (0, 1, n - 1, 0));
    let commitment = app.get(&format!("/api/v1/commitments/{id}")).await;
    assert_eq!(commitment.body["title"], "Edited in a spreadsheet");
    assert_eq!(commitment.body["version"], 2);
    assert_eq!(count(&app, "changes").await, changes + 1);

    // A new row, its plan by id like the exported rows: created.
    let mut new = rows[0].clone();
    new[column(&header, "number")] = "99".into();
    new[column(&header, "reference")] = String::new();
    new[column(&header, "id")] = String::new();
    rows.push(new);
    let response = import(&app, "commitments", "", &write(&header, &rows)).await;
    response.assert_status(200);
    assert_eq!(counts(&response.body, "commitments"), (1, 0, n, 0));
    assert_eq!(count(&app, "changes").await, changes + 2);
}

#[actix_web::test]
async fn parents_by_natural_key_or_by_id_both_work_and_an_unknown_one_is_a_row_error() {
    let app = demo_app().await;
    let response = import(
        &app,
        "commitments",
        "",
        &commitments_by_key(&[41, 42], None),
    )
    .await;
    response.assert_status(200);
    assert_eq!(counts(&response.body, "commitments"), (2, 0, 0, 0));
    let plan = app
        .sql_text(
            "SELECT id::text AS value FROM action_plans WHERE country_code = 'MEX' AND number = 3",
        )
        .await;
    let commitment = app
        .sql_text(&format!(
            "SELECT id::text AS value FROM commitments WHERE action_plan_id = {plan} AND number = 41"
        ))
        .await;
    let stored = app.get(&format!("/api/v1/commitments/{commitment}")).await;
    assert_eq!(stored.body["title"], "Commitment 41, new");
    assert_eq!(
        stored.body["ogp_values"],
        serde_json::json!(["access_to_information", "civic_participation"])
    );

    // Milestones of the new commitment: one by natural key, one by the commitment's id.
    let csv = format!(
        "country_code,plan_number,commitment_number,commitment_id,position,title,description,\
         due_date,status,completed_on\r\n\
         MEX,3,41,,1,By key,,,not_started,\r\n\
         ,,,{commitment},2,By id,,2018-01-31,completed,2018-01-15\r\n"
    );
    let response = import(&app, "milestones", "", &csv).await;
    response.assert_status(200);
    assert_eq!(counts(&response.body, "milestones"), (2, 0, 0, 0));

    // Unknown parents, by id and by key, and an id the row's key contradicts: each its row's.
    let before = app.snapshot().await;
    let csv = format!(
        "country_code,plan_number,commitment_number,commitment_id,position,title,description,\
         due_date,status,completed_on\r\n\
         ,,,999999,1,Unknown id,,,not_started,\r\n\
         MEX,3,77,,1,Unknown key,,,not_started,\r\n\
         GHA,4,41,{commitment},3,Contradicted,,,not_started,\r\n"
    );
    let response = import(&app, "milestones", "", &csv).await;
    // By row: the id's row, the key's row, the contradicted row.
    response.assert_invalid(&["commitment_id", "commitment_number", "commitment_id"]);
    let messages = messages(&response);
    assert!(
        messages[0].starts_with("row 2, column commitment_id: no commitment has this id"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with("row 3, column commitment_number: no commitment"),
        "{messages:?}"
    );
    assert!(
        messages[2].starts_with("row 4, column commitment_id: names a parent of another")
            && messages[2].contains("country_code \"MEX\", where the row says \"GHA\""),
        "{messages:?}"
    );
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn a_bad_row_in_the_middle_fails_the_whole_import_naming_its_row_and_column() {
    let app = demo_app().await;
    let before = app.snapshot().await;
    let commitments = count(&app, "commitments").await;
    let changes = count(&app, "changes").await;
    let response = import(
        &app,
        "commitments",
        "",
        &commitments_by_key(&[51, 52, 53, 54, 55], Some(3)),
    )
    .await;
    response.assert_invalid(&["ogp_values"]);
    let message = &messages(&response)[0];
    // The third data row is the spreadsheet's row 4 (the header is row 1).
    assert!(
        message.starts_with("row 4, column ogp_values: "),
        "{message}"
    );
    assert_eq!(count(&app, "commitments").await, commitments);
    assert_eq!(count(&app, "changes").await, changes);
    assert_eq!(app.snapshot().await, before);

    // A duplicate key names the row it repeats.
    let response = import(
        &app,
        "commitments",
        "",
        &commitments_by_key(&[61, 62, 61], None),
    )
    .await;
    response.assert_invalid(&["number"]);
    let message = &messages(&response)[0];
    assert!(message.starts_with("row 4, column number: "), "{message}");
    assert!(message.contains("(first at row 2)"), "{message}");
}

#[actix_web::test]
async fn unknown_duplicate_and_missing_columns_are_422s_naming_them() {
    let app = demo_app().await;
    let before = app.snapshot().await;
    let (header, rows) = parse(&export(&app, "countries").await);
    let mut extra = header.clone();
    extra.push("colour".into());
    let rows_extra: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().cloned().chain([String::from("red")]).collect())
        .collect();
    let response = import(&app, "countries", "", &write(&extra, &rows_extra)).await;
    response.assert_invalid(&["colour"]);
    assert!(messages(&response)[0].starts_with("row 1, column colour: is not a column"));

    let twice = "code,name,name,name_es,name_fr,region,member_since,membership_status\r\nCHL,Chile,Chile,,,americas,,active\r\n";
    import(&app, "countries", "", twice)
        .await
        .assert_invalid(&["name"]);
    let missing =
        "code,name_es,name_fr,region,member_since,membership_status\r\nCHL,,,americas,,active\r\n";
    import(&app, "countries", "", missing)
        .await
        .assert_invalid(&["name"]);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn malformed_csv_is_a_400_naming_its_row() {
    let app = demo_app().await;
    let before = app.snapshot().await;
    let header = "code,name,name_es,name_fr,region,member_since,membership_status\r\n";
    for (body, what) in [
        (
            format!("{header}CHL,Chile,,,americas,,active\r\nPER,Peru,,,americas\r\n"),
            "cells",
        ),
        (
            format!("{header}CHL,Chile,,,americas,,active\r\nPER,\"Peru,,,americas,,active\r\n"),
            "quote",
        ),
    ] {
        let response = import(&app, "countries", "", &body).await;
        response.assert_problem(400);
        let detail = response.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("row 3") && detail.contains(what),
            "{detail}"
        );
    }
    let mut bytes = format!("{header}CHL,Chile,,,americas,,active\r\n").into_bytes();
    bytes.extend(b"PER,P\xffru,,,americas,,active\r\n");
    let query = "?resource=countries";
    let response = post(&app, query, "text/csv", bytes, false, &app.key).await;
    response.assert_problem(400);
    assert!(response.body["detail"].as_str().unwrap().contains("row 3"));
    // A byte-order mark is fine.
    let bom = format!("\u{feff}{header}CHL,Chile,,,americas,2011,active\r\n");
    let response = import(&app, "countries", "&dry_run=true", &bom).await;
    response.assert_status(200);
    assert_eq!(counts(&response.body, "countries"), (1, 0, 0, 0));
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn the_body_must_say_what_it_is() {
    let app = demo_app().await;
    let csv = export(&app, "countries").await.into_bytes();
    let response = post(&app, "", "text/csv", csv.clone(), false, &app.key).await;
    response.assert_problem(400);
    assert!(response.body["detail"]
        .as_str()
        .unwrap()
        .contains("`resource`"));
    let response = post(
        &app,
        "?resource=plans",
        "text/csv",
        csv.clone(),
        false,
        &app.key,
    )
    .await;
    response.assert_problem(400);
    assert!(response.body["detail"]
        .as_str()
        .unwrap()
        .contains("action-plans"));
    let query = "?resource=countries";
    post(&app, query, "text/plain", csv.clone(), false, &app.key)
        .await
        .assert_problem(415);
    post(
        &app,
        query,
        "application/json",
        b"{}".to_vec(),
        false,
        &app.key,
    )
    .await
    .assert_problem(400);
    // Gzip, as for bundles.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&csv).unwrap();
    let response = post(
        &app,
        query,
        "text/csv; charset=utf-8",
        encoder.finish().unwrap(),
        true,
        &app.key,
    )
    .await;
    response.assert_status(200);
    assert_eq!(counts(&response.body, "countries").2, 2);
}

#[actix_web::test]
async fn a_dry_run_counts_and_writes_nothing() {
    let app = demo_app().await;
    let before = app.snapshot().await;
    let (header, mut rows) = parse(&export(&app, "milestones").await);
    rows[0][column(&header, "title")] = "Renamed".into();
    let response = import(&app, "milestones", "&dry_run=true", &write(&header, &rows)).await;
    response.assert_status(200);
    assert_eq!(response.body["dry_run"], true);
    assert_eq!(
        counts(&response.body, "milestones"),
        (0, 1, rows.len() as u64 - 1, 0)
    );
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn prune_is_admin_only_and_stays_within_the_csvs_collection() {
    let app = demo_app().await;
    let (header, rows) = parse(&export(&app, "commitments").await);
    let editor = app
        .key_with_role("editor", ogp_api::auth::Role::Editor)
        .await;
    let csv = write(&header, &rows[1..]);
    let query = "?resource=commitments&prune=true";
    let response = post(
        &app,
        query,
        "text/csv",
        csv.clone().into_bytes(),
        false,
        &editor,
    )
    .await;
    response.assert_problem(403);

    // The commitment left out goes, with its milestones and findings; nothing else does.
    let gone = &rows[0][column(&header, "id")];
    let milestones = count(&app, "milestones").await;
    let findings = count(&app, "irm_findings").await;
    let its_milestones: u64 = app
        .sql_text(&format!(
            "SELECT count(*)::text AS value FROM milestones WHERE commitment_id = {gone}"
        ))
        .await
        .parse()
        .unwrap();
    let its_findings: u64 = app
        .sql_text(&format!(
            "SELECT count(*)::text AS value FROM irm_findings WHERE commitment_id = {gone}"
        ))
        .await
        .parse()
        .unwrap();
    assert!(
        its_milestones + its_findings > 0,
        "the pruned commitment holds something"
    );
    let plans = count(&app, "action_plans").await;
    let response = import(&app, "commitments", "&prune=true", &csv).await;
    response.assert_status(200);
    let n = rows.len() as u64;
    assert_eq!(counts(&response.body, "commitments"), (0, 0, n - 1, 1));
    assert_eq!(counts(&response.body, "milestones").3, its_milestones);
    assert_eq!(counts(&response.body, "irm_findings").3, its_findings);
    assert_eq!(count(&app, "milestones").await, milestones - its_milestones);
    assert_eq!(count(&app, "irm_findings").await, findings - its_findings);
    assert_eq!(count(&app, "action_plans").await, plans);
    app.get(&format!("/api/v1/commitments/{gone}"))
        .await
        .assert_status(404);
}

#[actix_web::test]
async fn the_cli_imports_a_csv_file_with_its_resource() {
    let app = demo_app().await;
    let dir = std::env::temp_dir().join(format!("ogp-csv-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("commitments.csv");
    std::fs::write(&file, commitments_by_key(&[71, 72], None)).unwrap();
    let ogp = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ogp-api"));
        command.env("DATABASE_URL", &app.url).stdin(Stdio::null());
        command
    };
    // Without --resource a .csv is refused; nothing is written.
    let before = app.snapshot().await;
    let out = ogp().arg("import").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resource"));
    assert_eq!(app.snapshot().await, before);

    let out = ogp()
        .arg("import")
        .arg(&file)
        .args(["--resource", "commitments"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(counts(&outcome, "commitments"), (2, 0, 0, 0));

    // Its errors by row and column, on stderr.
    std::fs::write(&file, commitments_by_key(&[73, 74], Some(2))).unwrap();
    let out = ogp()
        .arg("import")
        .arg(&file)
        .args(["--resource", "commitments"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 3, column ogp_values: "), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// OGP Local members through the CSV import: a local plan's commitments by key name its member
/// (`local_member_slug`); by a plan id the member is implied, and a row naming another member
/// than its plan id's is its row's error; a local-members CSV prunes the members of the
/// countries it names, with their plans and what those hold.
#[actix_web::test]
async fn local_members_and_local_plans_go_through_the_csv_import() {
    let app = demo_app().await;
    const MEMBER: &str = "sekondi-takoradi-ghana";
    let local_plan = app
        .sql_text(&format!(
            "SELECT id::text AS value FROM action_plans WHERE local_member_slug = '{MEMBER}'"
        ))
        .await;
    let number = app
        .sql_text(&format!(
            "SELECT number::text AS value FROM action_plans WHERE id = {local_plan}"
        ))
        .await;
    let columns = "number,reference,title,description,theme,lead_institution,ogp_values,\
                   start_date,end_date,withdrawn";
    let csv = format!(
        "country_code,local_member_slug,plan_number,{columns}\r\n\
         GHA,{MEMBER},{number},41,,Local by key,,,,,,,false\r\n"
    );
    let response = import(&app, "commitments", "", &csv).await;
    response.assert_status(200);
    assert_eq!(counts(&response.body, "commitments"), (1, 0, 0, 0));
    let under = app
        .sql_text(
            "SELECT action_plan_id::text AS value FROM commitments WHERE title = 'Local by key'",
        )
        .await;
    assert_eq!(
        under, local_plan,
        "the commitment went under the local plan"
    );

    // A national plan's id beside a member: the row names two different plans.
    let national = app
        .sql_text("SELECT min(id)::text AS value FROM action_plans WHERE local_member_slug IS NULL")
        .await;
    let before = app.snapshot().await;
    let csv = format!(
        "action_plan_id,local_member_slug,{columns}\r\n\
         {national},{MEMBER},42,,Contradicted,,,,,,,false\r\n"
    );
    let response = import(&app, "commitments", "", &csv).await;
    response.assert_invalid(&["action_plan_id"]);
    let message = &messages(&response)[0];
    assert!(
        message.contains("names a parent of another natural key")
            && message.contains("local_member_slug"),
        "{message}"
    );
    assert_eq!(app.snapshot().await, before);

    // A local-members CSV holding another Ghanaian member only: the demo's member goes, with
    // its plan, the plan's commitments and findings.
    let (header, rows) = parse(&export(&app, "local-members").await);
    assert_eq!(rows.len(), 1);
    let mut accra = rows[0].clone();
    accra[column(&header, "slug")] = "accra-ghana".into();
    accra[column(&header, "name")] = "Accra".into();
    let commitments = app
        .sql_text(&format!(
            "SELECT count(*)::text AS value FROM commitments WHERE action_plan_id = {local_plan}"
        ))
        .await
        .parse::<u64>()
        .unwrap();
    let findings = app
        .sql_text(&format!(
            "SELECT count(*)::text AS value FROM irm_findings WHERE action_plan_id = {local_plan}"
        ))
        .await
        .parse::<u64>()
        .unwrap();
    assert!(
        commitments > 0 && findings > 0,
        "the demo's local plan holds some"
    );
    let plans = count(&app, "action_plans").await;
    let response = import(
        &app,
        "local-members",
        "&prune=true",
        &write(&header, &[accra]),
    )
    .await;
    response.assert_status(200);
    assert_eq!(counts(&response.body, "local_members"), (1, 0, 0, 1));
    assert_eq!(counts(&response.body, "action_plans").3, 1);
    assert_eq!(counts(&response.body, "commitments").3, commitments);
    assert_eq!(counts(&response.body, "irm_findings").3, findings);
    assert_eq!(count(&app, "action_plans").await, plans - 1);
    app.get(&format!("/api/v1/local-members/{MEMBER}"))
        .await
        .assert_status(404);
    app.get("/api/v1/local-members/accra-ghana")
        .await
        .assert_status(200);
}

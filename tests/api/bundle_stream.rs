//! The streamed import (src/bundle/sections.rs, validate.rs, upsert.rs): a bundle read one
//! collection and one chunk of 1000 records at a time, through `ogp-api import` and `POST
//! /api/v1/imports` alike: collections in any order, errors anywhere in a bundle of many
//! chunks all listed with nothing written, duplicates found across chunks.

use crate::helpers::{spawn_app, TestApp};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::test::TestRequest;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const EXPORT: &str = "/api/v1/exports/bundle";
const COLLECTIONS: [&str; 5] = [
    "countries",
    "action_plans",
    "commitments",
    "milestones",
    "irm_findings",
];

/// The binary, on `app`'s database, logging at `info` (the plain progress lines).
fn ogp(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ogp-api"));
    command
        .env("DATABASE_URL", &app.url)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null());
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// A file of its own holding `text`.
fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ogp-stream-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn remove(path: &std::path::Path) {
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `bundle` with its keys in `order` (the other keys, format and version, first).
fn reordered(bundle: &Value, order: &[&str]) -> Value {
    let object = bundle.as_object().unwrap();
    let mut out = Map::new();
    for (key, value) in object {
        if !COLLECTIONS.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        }
    }
    for key in order {
        out.insert(key.to_string(), object[*key].clone());
    }
    Value::Object(out)
}

/// One country (NZL), `plans` plans of `per_plan` commitments, each commitment with a
/// milestone and a mid-term assessment: 1 + plans × (1 + 3 × per_plan) records.
fn many_chunks(plans: i32, per_plan: i32) -> Value {
    let (mut commitments, mut milestones, mut findings) = (vec![], vec![], vec![]);
    for plan in 1..=plans {
        for number in 1..=per_plan {
            commitments.push(
                json!({"country_code": "NZL", "plan_number": plan, "number": number,
                                    "title": format!("Commitment {number} of plan {plan}")}),
            );
            milestones.push(json!({"country_code": "NZL", "plan_number": plan,
                                   "commitment_number": number, "position": 1,
                                   "title": "Publish the data"}));
            findings.push(json!({"country_code": "NZL", "plan_number": plan,
                                 "commitment_number": number, "report": "mid_term_report",
                                 "kind": "assessment", "completion": "limited"}));
        }
    }
    json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "NZL", "name": "New Zealand", "region": "asia_pacific",
                       "member_since": 2013}],
        "action_plans": (1..=plans).map(|n| json!({"country_code": "NZL", "number": n,
            "title": format!("Plan {n}"), "start_year": 2016, "end_year": 2018,
            "status": "implementing"})).collect::<Vec<_>>(),
        "commitments": commitments,
        "milestones": milestones,
        "irm_findings": findings
    })
}

async fn post_import(app: &TestApp, bundle: &Value) -> crate::helpers::TestResponse {
    let request = TestRequest::post()
        .uri("/api/v1/imports")
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(bundle.to_string());
    app.send(app.authed(request)).await
}

/// The `(pointer, message)` of each error of a 422.
fn errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_bundle_with_its_collections_in_reverse_order_imports_like_the_canonical_one() {
    let source = spawn_app().await;
    ogp_api::seed::load_demo(&source.pool).await.unwrap();
    let canonical = source.get(EXPORT).await.text;
    let bundle: Value = serde_json::from_str(&canonical).unwrap();
    let mut reverse = COLLECTIONS;
    reverse.reverse();
    let reversed = reordered(&bundle, &reverse).to_string();
    assert!(
        reversed.find("\"irm_findings\"").unwrap() < reversed.find("\"countries\"").unwrap(),
        "findings come first"
    );

    // A file, through the CLI: the database then exports the canonical bytes.
    let target = spawn_app().await;
    let path = file("reversed.json", reversed.as_bytes());
    let out = ogp(&target).arg("import").arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The demo's 13 national findings and the 8 of Sekondi-Takoradi's 2017 Final Report.
    assert_eq!(outcome["irm_findings"]["created"], 21);
    assert_eq!(outcome["countries"]["created"], 2);
    assert_eq!(target.get(EXPORT).await.text, canonical);
    remove(&path);

    // Gzip on standard input, in another order: spooled, then read the same way; unchanged.
    let shuffled = reordered(
        &bundle,
        &[
            "milestones",
            "countries",
            "irm_findings",
            "action_plans",
            "local_members",
            "commitments",
        ],
    );
    let before = target.snapshot().await;
    let mut child = ogp(&target)
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&gzip(shuffled.to_string().as_bytes()))
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["milestones"]["unchanged"], 2, "{outcome}");
    assert_eq!(outcome["irm_findings"]["unchanged"], 21);
    assert_eq!(target.snapshot().await, before);

    // Over HTTP, into an empty database: the same.
    let other = spawn_app().await;
    let response = post_import(&other, &reordered(&bundle, &reverse)).await;
    response.assert_status(200);
    assert_eq!(other.get(EXPORT).await.text, canonical);
}

#[actix_web::test]
async fn bad_records_late_in_a_bundle_of_many_chunks_are_all_listed_and_nothing_is_written() {
    let app = spawn_app().await;
    ogp_api::seed::load_demo(&app.pool).await.unwrap();
    let before = app.snapshot().await;
    // 3 plans × 800 commitments: 2 400 commitments, milestones and findings, three chunks each.
    let mut bundle = many_chunks(3, 800);
    bundle["commitments"][1999]["title"] = json!("");
    bundle["milestones"][2300]["position"] = json!(0);
    bundle["milestones"][10]["commitment_number"] = json!(9999);
    bundle["irm_findings"][2399]["completion"] = json!("finished");
    bundle["irm_findings"][1200]["report"] = json!("annual_report");
    let path = file("bad.json", bundle.to_string().as_bytes());
    let out = ogp(&app).arg("import").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("error: 422"), "{err}");
    // The invalid commitment 1999 leaves its milestone and finding without a parent.
    let expected = [
        "/commitments/1999/title",
        "/milestones/10/commitment_number",
        "/milestones/1999/commitment_number",
        "/milestones/2300/position",
        "/irm_findings/1200/report",
        "/irm_findings/1999/commitment_number",
        "/irm_findings/2399/completion",
    ];
    for pointer in expected {
        assert!(
            err.contains(&format!("\n  {pointer}: ")),
            "{pointer} in {err}"
        );
    }
    // Every record after the first bad one was still checked, and only the bad ones listed.
    assert_eq!(err.matches("\n  /").count(), expected.len(), "{err}");
    assert_eq!(app.snapshot().await, before);

    // The same bundle over HTTP: the same list, in bundle order, and nothing written.
    let response = post_import(&app, &bundle).await;
    response.assert_problem(422);
    let pointers: Vec<String> = errors(&response.body).into_iter().map(|e| e.0).collect();
    assert_eq!(pointers, expected);
    assert_eq!(app.snapshot().await, before);
    remove(&path);

    // Fixed, it imports: every record, across the chunks.
    let bundle = many_chunks(3, 800);
    let response = post_import(&app, &bundle).await;
    response.assert_status(200);
    assert_eq!(response.body["commitments"]["created"], 2400);
    assert_eq!(response.body["milestones"]["created"], 2400);
    assert_eq!(response.body["irm_findings"]["created"], 2400);
    // Again, unchanged: nothing written.
    let after = app.snapshot().await;
    let response = post_import(&app, &bundle).await;
    response.assert_status(200);
    assert_eq!(response.body["milestones"]["unchanged"], 2400);
    assert_eq!(app.snapshot().await, after);
}

#[actix_web::test]
async fn duplicates_in_different_chunks_are_reported_with_the_first_record() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let mut bundle = many_chunks(2, 1200);
    // Commitment 2 of plan 1 (record 1, first chunk), its milestone and its assessment given
    // again at the end (record 2400, third chunk).
    for collection in ["commitments", "milestones", "irm_findings"] {
        let again = bundle[collection][1].clone();
        bundle[collection].as_array_mut().unwrap().push(again);
    }
    // And a key given twice inside a record of the second chunk.
    bundle["milestones"][1499]["title"] = json!("Milestone 1499");
    let text = bundle.to_string().replacen(
        "\"title\":\"Milestone 1499\"",
        "\"title\":\"Milestone 1499\",\"title\":\"Again\"",
        1,
    );
    let request = TestRequest::post()
        .uri("/api/v1/imports")
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(text);
    let response = app.send(app.authed(request)).await;
    response.assert_problem(422);
    assert_eq!(
        errors(&response.body),
        [
            (
                "/commitments/2400/number".to_string(),
                "this plan's commitment number is given twice (first at /commitments/1)"
                    .to_string()
            ),
            (
                "/milestones/1499/title".to_string(),
                "given more than once in one object".to_string()
            ),
            (
                "/milestones/2400/position".to_string(),
                "this commitment's milestone position is given twice".to_string()
            ),
            (
                "/irm_findings/2400/kind".to_string(),
                "this finding (plan, report, kind and commitment or position) is given twice \
                 (first at /irm_findings/1)"
                    .to_string()
            ),
        ]
    );
    assert_eq!(app.snapshot().await, before);
}

//! Bundle imports written in batches (src/bundle/batch.rs): what batching could get wrong.
//! Imports of more records than one batch (1000), records whose natural key exists under
//! another parent, and a record the database refuses in the middle of a batch.

use crate::helpers::{spawn_app, TestApp, TestResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::test::TestRequest;
use serde_json::{json, Value};

const IMPORT: &str = "/api/v1/imports";

async fn import(app: &TestApp, bundle: &Value) -> TestResponse {
    let request = TestRequest::post()
        .uri(IMPORT)
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(bundle.to_string());
    app.send(app.authed(request)).await
}

async fn number(app: &TestApp, sql: &str) -> u64 {
    app.sql_text(&format!("SELECT ({sql})::text AS value"))
        .await
        .parse()
        .unwrap()
}

fn counts(created: u64, updated: u64, unchanged: u64) -> Value {
    json!({"created": created, "updated": updated, "unchanged": unchanged, "deleted": 0})
}

/// Plans CHL 1 and 2 with `per_plan` commitments each; each commitment two milestones and a
/// mid-term assessment. Titles spell the natural key, so a record written under the wrong
/// parent shows.
fn big_bundle(per_plan: i32) -> Value {
    let mut commitments = Vec::new();
    let mut milestones = Vec::new();
    let mut findings = Vec::new();
    for plan in 1..=2 {
        for c in 1..=per_plan {
            commitments.push(
                json!({"country_code": "CHL", "plan_number": plan, "number": c,
                                    "title": format!("c {plan}-{c}")}),
            );
            for position in 1..=2 {
                milestones.push(json!({"country_code": "CHL", "plan_number": plan,
                    "commitment_number": c, "position": position,
                    "title": format!("m {plan}-{c}-{position}")}));
            }
            findings.push(json!({"country_code": "CHL", "plan_number": plan,
                "commitment_number": c, "report": "mid_term_report", "kind": "assessment",
                "completion": "limited"}));
        }
    }
    json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "CHL", "name": "Chile", "region": "americas"}],
        "action_plans": [
            {"country_code": "CHL", "number": 1, "title": "Plan 1", "start_year": 2016, "end_year": 2018},
            {"country_code": "CHL", "number": 2, "title": "Plan 2", "start_year": 2018, "end_year": 2020}
        ],
        "commitments": commitments, "milestones": milestones, "irm_findings": findings
    })
}

/// Milestones whose title does not spell their commitment's and plan's keys.
const MISPLACED_MILESTONES: &str = "SELECT count(*) FROM milestones m \
    JOIN commitments c ON c.id = m.commitment_id JOIN action_plans p ON p.id = c.action_plan_id \
    WHERE m.title <> format('m %s-%s-%s', p.number, c.number, m.position)";

/// Assessments whose commitment is not of their plan.
const MISPLACED_FINDINGS: &str = "SELECT count(*) FROM irm_findings f \
    JOIN commitments c ON c.id = f.commitment_id WHERE c.action_plan_id <> f.action_plan_id";

#[actix_web::test]
async fn an_import_of_several_batches_writes_each_record_once_under_its_parent() {
    let app = spawn_app().await;
    // 1300 commitments, 2600 milestones, 1300 findings: every collection crosses a batch.
    let mut bundle = big_bundle(650);
    let response = import(&app, &bundle).await;
    response.assert_status(200);
    assert_eq!(response.body["commitments"], counts(1300, 0, 0));
    assert_eq!(response.body["milestones"], counts(2600, 0, 0));
    assert_eq!(response.body["irm_findings"], counts(1300, 0, 0));
    assert_eq!(number(&app, "SELECT count(*) FROM milestones").await, 2600);
    assert_eq!(number(&app, MISPLACED_MILESTONES).await, 0);
    assert_eq!(number(&app, MISPLACED_FINDINGS).await, 0);
    assert_eq!(
        number(
            &app,
            "SELECT count(DISTINCT commitment_id) FROM irm_findings"
        )
        .await,
        1300
    );
    // One change-feed entry per record created, no more.
    let total = 1 + 2 + 1300 + 2600 + 1300;
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes WHERE action = 'create'").await,
        total
    );
    assert_eq!(number(&app, "SELECT count(*) FROM changes").await, total);
    // The rollups saw every commitment and assessment of the multi-row inserts.
    assert_eq!(
        number(&app, "SELECT count(*) FROM commitment_facts").await,
        1300
    );

    // Every third commitment changed (on both sides of each batch boundary), one milestone
    // more per plan: exactly those are written, each with one entry and version 2.
    let changes = number(&app, "SELECT count(*) FROM changes").await;
    let mut changed = 0;
    for (i, commitment) in bundle["commitments"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        if i % 3 == 0 {
            let title = commitment["title"].as_str().unwrap().to_string();
            commitment["title"] = json!(format!("{title} (revised)"));
            changed += 1;
        }
    }
    for plan in 1..=2 {
        bundle["milestones"].as_array_mut().unwrap().push(
            json!({"country_code": "CHL", "plan_number": plan, "commitment_number": 650,
                   "position": 3, "title": format!("m {plan}-650-3")}),
        );
    }
    let response = import(&app, &bundle).await;
    response.assert_status(200);
    assert_eq!(
        response.body["commitments"],
        counts(0, changed, 1300 - changed)
    );
    assert_eq!(response.body["milestones"], counts(2, 0, 2600));
    assert_eq!(response.body["irm_findings"], counts(0, 0, 1300));
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes").await,
        changes + changed + 2
    );
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes WHERE action = 'update'").await,
        changed
    );
    assert_eq!(
        number(&app, "SELECT count(*) FROM commitments WHERE version = 2").await,
        changed
    );
    assert_eq!(
        number(
            &app,
            "SELECT count(*) FROM commitments WHERE version = 2 AND title NOT LIKE '%(revised)'"
        )
        .await,
        0
    );
    assert_eq!(number(&app, MISPLACED_MILESTONES).await, 0);
}

#[actix_web::test]
async fn a_natural_key_held_under_another_parent_is_a_new_record() {
    let app = spawn_app().await;
    // The database: plan 1 holds commitment 1, plan 2 commitment 2; commitment 1-1 holds
    // milestone 1, commitment 2-2 milestone 2; plan 1 a recommendation at position 1.
    let first = json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "CHL", "name": "Chile", "region": "americas"}],
        "action_plans": [
            {"country_code": "CHL", "number": 1, "title": "Plan 1", "start_year": 2016, "end_year": 2018},
            {"country_code": "CHL", "number": 2, "title": "Plan 2", "start_year": 2018, "end_year": 2020}
        ],
        "commitments": [
            {"country_code": "CHL", "plan_number": 1, "number": 1, "title": "c 1-1"},
            {"country_code": "CHL", "plan_number": 2, "number": 2, "title": "c 2-2"}
        ],
        "milestones": [
            {"country_code": "CHL", "plan_number": 1, "commitment_number": 1, "position": 1, "title": "m 1-1-1"},
            {"country_code": "CHL", "plan_number": 2, "commitment_number": 2, "position": 2, "title": "m 2-2-2"}
        ],
        "irm_findings": [
            {"country_code": "CHL", "plan_number": 1, "report": "mid_term_report",
             "kind": "recommendation", "position": 1, "body": "Plan 1's"}
        ]
    });
    import(&app, &first).await.assert_status(200);
    let changes = number(&app, "SELECT count(*) FROM changes").await;

    // The same numbers crossed over: each pair's plan and each number is in the database,
    // no pair is. None of them may be taken for a stored record.
    let crossed = json!({
        "format": "ogp-api.bundle", "version": 1,
        "commitments": [
            {"country_code": "CHL", "plan_number": 1, "number": 2, "title": "c 1-2"},
            {"country_code": "CHL", "plan_number": 2, "number": 1, "title": "c 2-1"}
        ],
        "milestones": [
            {"country_code": "CHL", "plan_number": 1, "commitment_number": 1, "position": 2, "title": "m 1-1-2"},
            {"country_code": "CHL", "plan_number": 2, "commitment_number": 2, "position": 1, "title": "m 2-2-1"}
        ],
        "irm_findings": [
            {"country_code": "CHL", "plan_number": 2, "report": "mid_term_report",
             "kind": "recommendation", "position": 1, "body": "Plan 2's"}
        ]
    });
    let response = import(&app, &crossed).await;
    response.assert_status(200);
    assert_eq!(response.body["commitments"], counts(2, 0, 0));
    assert_eq!(response.body["milestones"], counts(2, 0, 0));
    assert_eq!(response.body["irm_findings"], counts(1, 0, 0));
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes").await,
        changes + 5
    );
    // What was there is untouched.
    assert_eq!(
        number(&app, "SELECT count(*) FROM commitments WHERE version <> 1").await,
        0
    );
    assert_eq!(
        number(&app, "SELECT count(*) FROM milestones WHERE version <> 1").await,
        0
    );
    assert_eq!(
        number(&app, "SELECT count(*) FROM irm_findings WHERE version <> 1").await,
        0
    );
    assert_eq!(number(&app, MISPLACED_MILESTONES).await, 0);
    assert_eq!(
        number(
            &app,
            "SELECT count(*) FROM commitments c JOIN action_plans p ON p.id = c.action_plan_id \
             WHERE c.title <> format('c %s-%s', p.number, c.number)"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn a_record_the_database_refuses_in_a_later_batch_is_named_and_nothing_is_written() {
    let app = spawn_app().await;
    let mut bundle = big_bundle(650);
    // Commitment 1200 (in the second batch) takes the reference of commitment 3 (the first).
    bundle["commitments"][3]["reference"] = json!("CHL0003");
    bundle["commitments"][1200]["reference"] = json!("CHL0003");
    let before = app.snapshot().await;
    let response = import(&app, &bundle).await;
    assert!(response.status.is_client_error(), "{}", response.text);
    assert!(
        response.text.contains("/commitments/1200"),
        "{}",
        response.text
    );
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn a_bundle_naming_more_stored_parents_than_one_batch_writes_under_each() {
    let app = spawn_app().await;
    import(&app, &big_bundle(650)).await.assert_status(200);
    // Only children: 1300 stored commitments (and both plans) named by natural key, more than
    // one batch of lookups, plus one commitment that does not exist.
    let mut milestones = Vec::new();
    for plan in 1..=2 {
        for c in 1..=650 {
            milestones.push(json!({"country_code": "CHL", "plan_number": plan,
                "commitment_number": c, "position": 3, "title": format!("m {plan}-{c}-3")}));
        }
    }
    let mut bundle = json!({"format": "ogp-api.bundle", "version": 1, "milestones": milestones,
        "irm_findings": [{"country_code": "CHL", "plan_number": 2, "commitment_number": 7,
            "report": "end_of_term_report", "kind": "assessment", "completion": "substantial"}]});
    bundle["milestones"].as_array_mut().unwrap().push(
        json!({"country_code": "CHL", "plan_number": 1, "commitment_number": 651,
               "position": 1, "title": "m 1-651-1"}),
    );
    let before = app.snapshot().await;
    let response = import(&app, &bundle).await;
    response.assert_problem(422);
    assert_eq!(
        response.body["errors"][0]["pointer"], "/milestones/1300/commitment_number",
        "{}",
        response.text
    );
    assert_eq!(response.body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(app.snapshot().await, before);

    bundle["milestones"].as_array_mut().unwrap().pop();
    let response = import(&app, &bundle).await;
    response.assert_status(200);
    assert_eq!(response.body["milestones"], counts(1300, 0, 0));
    assert_eq!(response.body["irm_findings"], counts(1, 0, 0));
    assert_eq!(number(&app, "SELECT count(*) FROM milestones").await, 3900);
    assert_eq!(number(&app, MISPLACED_MILESTONES).await, 0);
    assert_eq!(
        number(
            &app,
            "SELECT count(*) FROM irm_findings f JOIN commitments c ON c.id = f.commitment_id \
             JOIN action_plans p ON p.id = c.action_plan_id \
             WHERE f.report = 'end_of_term_report' AND p.number = 2 AND c.number = 7"
        )
        .await,
        1
    );
    assert_eq!(number(&app, MISPLACED_FINDINGS).await, 0);
}

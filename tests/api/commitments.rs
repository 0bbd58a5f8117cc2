//! What is particular to commitments: their values, dates, numbering and references, moving
//! them between plans, and the plan alias. The round trip they share with every resource is in
//! `crud.rs`.

use crate::fixtures::{a_commitment, a_plan, assessment, commitment, commitment_in, country};
use crate::fixtures::{create_finding, id_of, plan, with};
use crate::helpers::{spawn_app, Case};
use serde_json::json;

#[actix_web::test]
async fn ogp_values_default_to_empty() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let created = app
        .create(
            "/api/v1/commitments",
            &json!({"action_plan_id": plan_id, "number": 1, "title": "T"}),
        )
        .await;
    assert_eq!(created["ogp_values"], json!([]));
}

#[actix_web::test]
async fn every_bad_commitment_is_refused_naming_its_field() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let dates = |start: &str, end: &str| json!({"start_date": start, "end_date": end});
    for (extra, field) in [
        (json!({"ogp_values": ["transparency"]}), "ogp_values"),
        (
            json!({"ogp_values": ["civic_participation", "civic_participation"]}),
            "ogp_values",
        ),
        (json!({"ogp_values": "civic_participation"}), "ogp_values"),
        (dates("2018-01-01", "2017-12-31"), "end_date"),
        (dates("2018-01-01", "2017-02-30"), "end_date"),
        (json!({"action_plan_id": 424242}), "action_plan_id"),
    ] {
        let _case = Case(extra.to_string());
        app.post("/api/v1/commitments", &with(commitment(plan_id, 2), extra))
            .await
            .assert_invalid(&[field]);
    }
}

#[actix_web::test]
async fn number_is_unique_within_the_plan_and_reference_everywhere() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let mut body = commitment(plan_id, 1);
    body["reference"] = json!("MX0080");
    app.create("/api/v1/commitments", &body).await;
    let before = app.snapshot().await;
    app.post("/api/v1/commitments", &commitment(plan_id, 1))
        .await
        .assert_problem(409);
    let mut other = commitment(plan_id, 2);
    other["reference"] = json!("MX0080");
    let response = app.post("/api/v1/commitments", &other).await;
    response.assert_problem(409);
    assert!(response.body["detail"]
        .as_str()
        .unwrap()
        .contains("reference"));
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn a_commitment_can_move_to_another_plan_unless_findings_tie_it() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let other_plan = id_of(&app.create("/api/v1/action-plans", &plan("MEX", 4)).await);
    let moved = app
        .patch(
            &format!("/api/v1/commitments/{commitment_id}"),
            &json!({"action_plan_id": other_plan}),
        )
        .await;
    moved.assert_status(200);
    assert_eq!(moved.body["action_plan_id"], other_plan);

    create_finding(
        &app,
        &assessment(other_plan, commitment_id, "design_report"),
    )
    .await;
    let before = app.snapshot().await;
    app.patch(
        &format!("/api/v1/commitments/{commitment_id}"),
        &json!({"action_plan_id": plan_id}),
    )
    .await
    .assert_problem(409);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn plan_alias_lists_the_plans_commitments() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let other = id_of(&app.create("/api/v1/action-plans", &plan("KEN", 1)).await);
    for n in 1..=3 {
        commitment_in(&app, plan_id, n).await;
    }
    commitment_in(&app, other, 1).await;
    let response = app
        .get(&format!("/api/v1/action-plans/{plan_id}/commitments"))
        .await;
    assert_eq!(response.body["items"].as_array().unwrap().len(), 3);
    let filtered = app
        .get(&format!("/api/v1/commitments?action_plan_id={other}"))
        .await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/commitments?action_plan_id=abc")
        .await
        .assert_problem(400);
    app.get("/api/v1/action-plans/999999/commitments")
        .await
        .assert_problem(404);
}

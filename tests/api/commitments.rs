use crate::fixtures::{a_commitment, a_plan, commitment, country, id_of, milestone, plan};
use crate::helpers::spawn_app;
use serde_json::json;

#[actix_web::test]
async fn create_get_patch_delete_round_trip() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let mut body = commitment(plan_id, 1);
    body["reference"] = json!("MX0080");
    body["start_date"] = json!("2016-09-01");
    body["end_date"] = json!("2018-06-30");
    let created = app.post("/api/v1/commitments", &body).await;
    created.assert_status(201);
    let id = id_of(&created.body);
    assert_eq!(created.body["ogp_values"], json!(["access_to_information"]));
    assert_eq!(created.body["reference"], "MX0080");

    let patched = app
        .patch(
            &format!("/api/v1/commitments/{id}"),
            &json!({"ogp_values": ["civic_participation", "public_accountability"], "theme": null}),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(
        patched.body["ogp_values"],
        json!(["civic_participation", "public_accountability"])
    );
    assert!(patched.body["theme"].is_null());
    assert_eq!(patched.body["reference"], "MX0080");

    app.delete(&format!("/api/v1/commitments/{id}"))
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/commitments/{id}"))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn ogp_values_default_to_empty_and_refuse_unknown_or_repeated_values() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let created = app
        .create(
            "/api/v1/commitments",
            &json!({"action_plan_id": plan_id, "number": 1, "title": "T"}),
        )
        .await;
    assert_eq!(created["ogp_values"], json!([]));
    for values in [
        json!(["transparency"]),
        json!(["civic_participation", "civic_participation"]),
        json!("civic_participation"),
    ] {
        let mut body = commitment(plan_id, 2);
        body["ogp_values"] = values.clone();
        let response = app.post("/api/v1/commitments", &body).await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), ["ogp_values"], "{values}");
    }
}

#[actix_web::test]
async fn end_date_before_start_date_is_refused() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let mut body = commitment(plan_id, 1);
    body["start_date"] = json!("2018-01-01");
    body["end_date"] = json!("2017-12-31");
    let response = app.post("/api/v1/commitments", &body).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["end_date"]);
    body["end_date"] = json!("2017-02-30");
    let response = app.post("/api/v1/commitments", &body).await;
    assert_eq!(response.error_fields(), ["end_date"]);
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
async fn unknown_plan_is_a_422_on_action_plan_id() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/commitments", &commitment(424242, 1))
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["action_plan_id"]);
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

    app.create(
        "/api/v1/irm-findings",
        &json!({"action_plan_id": other_plan, "commitment_id": commitment_id,
                "report": "design_report", "kind": "assessment"}),
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
async fn deleting_a_commitment_with_milestones_is_a_409() {
    let app = spawn_app().await;
    let (_, commitment_id) = a_commitment(&app).await;
    app.create("/api/v1/milestones", &milestone(commitment_id, 1))
        .await;
    app.delete(&format!("/api/v1/commitments/{commitment_id}"))
        .await
        .assert_problem(409);
}

#[actix_web::test]
async fn plan_alias_lists_the_plans_commitments() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let other = id_of(&app.create("/api/v1/action-plans", &plan("KEN", 1)).await);
    for n in 1..=3 {
        app.create("/api/v1/commitments", &commitment(plan_id, n))
            .await;
    }
    app.create("/api/v1/commitments", &commitment(other, 1))
        .await;
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

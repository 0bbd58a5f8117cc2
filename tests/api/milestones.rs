use crate::fixtures::{a_commitment, id_of, milestone};
use crate::helpers::spawn_app;
use serde_json::json;

#[actix_web::test]
async fn create_get_patch_delete_round_trip() {
    let app = spawn_app().await;
    let (_, commitment_id) = a_commitment(&app).await;
    let created = app
        .post("/api/v1/milestones", &milestone(commitment_id, 1))
        .await;
    created.assert_status(201);
    let id = id_of(&created.body);
    assert_eq!(created.body["status"], "not_started");

    let completed = app
        .patch(
            &format!("/api/v1/milestones/{id}"),
            &json!({"status": "completed", "completed_on": "2017-05-01", "due_date": "2017-06-01"}),
        )
        .await;
    completed.assert_status(200);
    assert_eq!(completed.body["completed_on"], "2017-05-01");
    assert_eq!(
        app.get(&format!("/api/v1/milestones/{id}")).await.body,
        completed.body
    );
    app.delete(&format!("/api/v1/milestones/{id}"))
        .await
        .assert_status(204);
}

#[actix_web::test]
async fn completed_on_is_required_exactly_when_completed() {
    let app = spawn_app().await;
    let (_, commitment_id) = a_commitment(&app).await;
    let mut body = milestone(commitment_id, 1);
    body["status"] = json!("completed");
    let response = app.post("/api/v1/milestones", &body).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["completed_on"]);

    let mut body = milestone(commitment_id, 1);
    body["completed_on"] = json!("2017-01-01");
    let response = app.post("/api/v1/milestones", &body).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["completed_on"]);

    // Reopening a completed milestone must clear its completion date in the same patch.
    let mut body = milestone(commitment_id, 1);
    body["status"] = json!("completed");
    body["completed_on"] = json!("2017-01-01");
    let id = id_of(&app.create("/api/v1/milestones", &body).await);
    let path = format!("/api/v1/milestones/{id}");
    app.patch(&path, &json!({"status": "in_progress"}))
        .await
        .assert_problem(422);
    let reopened = app
        .patch(
            &path,
            &json!({"status": "in_progress", "completed_on": null}),
        )
        .await;
    reopened.assert_status(200);
    assert!(reopened.body["completed_on"].is_null());
}

#[actix_web::test]
async fn position_is_unique_within_the_commitment() {
    let app = spawn_app().await;
    let (_, commitment_id) = a_commitment(&app).await;
    app.create("/api/v1/milestones", &milestone(commitment_id, 1))
        .await;
    let response = app
        .post("/api/v1/milestones", &milestone(commitment_id, 1))
        .await;
    response.assert_problem(409);
    let response = app
        .post("/api/v1/milestones", &milestone(commitment_id, 0))
        .await;
    assert_eq!(response.error_fields(), ["position"]);
}

#[actix_web::test]
async fn unknown_commitment_is_a_422() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/milestones", &milestone(987654, 1)).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["commitment_id"]);
}

#[actix_web::test]
async fn commitment_alias_lists_its_milestones() {
    let app = spawn_app().await;
    let (_, commitment_id) = a_commitment(&app).await;
    for position in 1..=3 {
        app.create("/api/v1/milestones", &milestone(commitment_id, position))
            .await;
    }
    let response = app
        .get(&format!("/api/v1/commitments/{commitment_id}/milestones"))
        .await;
    let positions: Vec<_> = response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2, 3]);
    let filtered = app
        .get(&format!(
            "/api/v1/milestones?commitment_id={commitment_id}&limit=2"
        ))
        .await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 2);
    assert!(filtered.body["next_cursor"].is_string());
}

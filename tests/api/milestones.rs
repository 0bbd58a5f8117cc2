//! What is particular to milestones: completion, positions and the commitment alias. The
//! round trip they share with every resource is in `crud.rs`.

use crate::fixtures::{a_commitment, id_of, milestone, with};
use crate::helpers::{spawn_app, Case};
use serde_json::json;

#[actix_web::test]
async fn completed_on_is_required_exactly_when_completed() {
    let app = spawn_app().await;
    let (_, commitment_id) = a_commitment(&app).await;
    for extra in [
        json!({"status": "completed"}),
        json!({"completed_on": "2017-01-01"}),
    ] {
        let _case = Case(extra.to_string());
        app.post(
            "/api/v1/milestones",
            &with(milestone(commitment_id, 1), extra),
        )
        .await
        .assert_invalid(&["completed_on"]);
    }

    // Reopening a completed milestone must clear its completion date in the same patch.
    let body = with(
        milestone(commitment_id, 1),
        json!({"status": "completed", "completed_on": "2017-01-01"}),
    );
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
async fn position_is_unique_within_the_commitment_and_the_commitment_must_exist() {
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
    app.post("/api/v1/milestones", &milestone(987654, 1))
        .await
        .assert_invalid(&["commitment_id"]);
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

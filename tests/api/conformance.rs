//! What generated clients, caches and browsers expect of HTTP (issue 14): repeated query keys
//! for arrays, and the other conformance points as they land.

use crate::fixtures::{a_commitment, assessment, with};
use crate::helpers::spawn_app;
use serde_json::json;

#[actix_web::test]
async fn a_repeated_array_key_is_the_same_any_of_as_a_comma_list() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let other = crate::fixtures::id_of(
        &app.create(
            "/api/v1/commitments",
            &crate::fixtures::commitment(plan_id, 2),
        )
        .await,
    );
    for (commitment, completion) in [(commitment_id, "limited"), (other, "complete")] {
        app.create(
            "/api/v1/irm-findings",
            &with(
                assessment(plan_id, commitment, "end_of_term_report"),
                json!({"completion": completion}),
            ),
        )
        .await;
    }
    let ids = |body: &serde_json::Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let comma = app
        .get("/api/v1/commitments?completion=limited,complete&sort=number")
        .await;
    comma.assert_status(200);
    assert_eq!(ids(&comma.body), [commitment_id, other]);
    let repeated = app
        .get("/api/v1/commitments?completion=limited&completion=complete&sort=number")
        .await;
    repeated.assert_status(200);
    assert_eq!(ids(&repeated.body), ids(&comma.body));
    // Mixed forms add up; `include` and `sort` take repeated keys too.
    let mixed = app
        .get("/api/v1/commitments?completion=limited&completion=complete,substantial&include=milestones&include=irm_findings&sort=-number&sort=id")
        .await;
    mixed.assert_status(200);
    assert_eq!(ids(&mixed.body), [other, commitment_id]);
    assert!(mixed.body["items"][0]["milestones"].is_array());
    assert!(mixed.body["items"][0]["irm_findings"].is_array());
    // A parameter that takes one value is still refused twice, naming it.
    for (query, name) in [
        ("limit=1&limit=2", "limit"),
        ("q=a&q=b", "q"),
        ("number_gte=1&number_gte=2", "number_gte"),
    ] {
        let refused = app.get(&format!("/api/v1/commitments?{query}")).await;
        refused.assert_problem(400);
        assert!(
            refused.body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("`{name}` is given twice")),
            "{query}: {}",
            refused.body
        );
    }
}

//! Valid bodies and small object graphs the tests build on.

use crate::helpers::TestApp;
use serde_json::{json, Value};

pub fn country(code: &str) -> Value {
    json!({"code": code, "name": format!("Country {code}"), "region": "americas", "member_since": 2011})
}

pub fn plan(country_code: &str, number: i32) -> Value {
    json!({
        "country_code": country_code, "number": number, "title": format!("Plan {number}"),
        "start_year": 2016, "end_year": 2018, "status": "implementing"
    })
}

pub fn commitment(action_plan_id: i64, number: i32) -> Value {
    json!({
        "action_plan_id": action_plan_id, "number": number, "title": format!("Commitment {number}"),
        "theme": "Gender equality", "ogp_values": ["access_to_information"]
    })
}

pub fn milestone(commitment_id: i64, position: i32) -> Value {
    json!({"commitment_id": commitment_id, "position": position, "title": format!("Milestone {position}")})
}

pub fn id_of(resource: &Value) -> i64 {
    resource["id"].as_i64().expect("resource has an id")
}

/// A country with one plan; returns the plan id.
pub async fn a_plan(app: &TestApp) -> i64 {
    app.create("/api/v1/countries", &country("MEX")).await;
    id_of(&app.create("/api/v1/action-plans", &plan("MEX", 3)).await)
}

/// A country, plan and commitment; returns (plan id, commitment id).
pub async fn a_commitment(app: &TestApp) -> (i64, i64) {
    let plan = a_plan(app).await;
    let commitment = id_of(
        &app.create("/api/v1/commitments", &commitment(plan, 1))
            .await,
    );
    (plan, commitment)
}

//! Valid bodies and small object graphs the tests build on.

use crate::helpers::{TestApp, TestResponse};
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

/// A local member `slug` of `country_code` (a municipality since 2016).
pub fn local_member(slug: &str, country_code: &str) -> Value {
    json!({"slug": slug, "name": format!("Member {slug}"), "country_code": country_code,
           "kind": "municipality", "member_since": 2016})
}

/// Local plan `number` of member `slug` of `country_code`.
pub fn local_plan(country_code: &str, slug: &str, number: i32) -> Value {
    with(
        plan(country_code, number),
        json!({"local_member_slug": slug}),
    )
}

/// Plan `number` of `country_code` over `start`–`end` (the years decide the IRM era).
pub fn plan_over(country_code: &str, number: i32, start: i32, end: i32) -> Value {
    with(
        plan(country_code, number),
        json!({"start_year": start, "end_year": end}),
    )
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

/// An IRM assessment of `commitment_id` in `report`, with no ratings yet.
pub fn assessment(plan_id: i64, commitment_id: i64, report: &str) -> Value {
    json!({"action_plan_id": plan_id, "commitment_id": commitment_id,
           "report": report, "kind": "assessment"})
}

/// An IRM process finding on `plan_id` in `report`, with no criteria yet.
pub fn process(plan_id: i64, report: &str) -> Value {
    json!({"action_plan_id": plan_id, "report": report, "kind": "process"})
}

/// `body` with every member of the object `extra` set (added or replaced).
pub fn with(mut body: Value, extra: Value) -> Value {
    for (key, value) in extra.as_object().expect("extra members are an object") {
        body[key] = value.clone();
    }
    body
}

pub fn id_of(resource: &Value) -> i64 {
    resource["id"].as_i64().expect("resource has an id")
}

/// The address of a created IRM finding.
pub fn finding_path(finding: &Value) -> String {
    format!("/api/v1/irm-findings/{}", id_of(finding))
}

/// Creates the IRM finding `body` (asserting 201) and returns it.
pub async fn create_finding(app: &TestApp, body: &Value) -> Value {
    app.create("/api/v1/irm-findings", body).await
}

/// POSTs the IRM finding `body` and returns the response, whatever it is.
pub async fn post_finding(app: &TestApp, body: &Value) -> TestResponse {
    app.post("/api/v1/irm-findings", body).await
}

/// Creates commitment `number` in `plan_id`; returns its id.
pub async fn commitment_in(app: &TestApp, plan_id: i64, number: i32) -> i64 {
    id_of(
        &app.create("/api/v1/commitments", &commitment(plan_id, number))
            .await,
    )
}

/// A country with one plan; returns the plan id.
pub async fn a_plan(app: &TestApp) -> i64 {
    app.create("/api/v1/countries", &country("MEX")).await;
    id_of(&app.create("/api/v1/action-plans", &plan("MEX", 3)).await)
}

/// A country, plan and commitment; returns (plan id, commitment id).
pub async fn a_commitment(app: &TestApp) -> (i64, i64) {
    let plan = a_plan(app).await;
    (plan, commitment_in(app, plan, 1).await)
}

/// Country `code` with plan 4 over `start`–`end` and one commitment in it; returns
/// (plan id, commitment id).
pub async fn a_commitment_over(app: &TestApp, code: &str, start: i32, end: i32) -> (i64, i64) {
    app.create("/api/v1/countries", &country(code)).await;
    let plan_id = id_of(
        &app.create("/api/v1/action-plans", &plan_over(code, 4, start, end))
            .await,
    );
    (plan_id, commitment_in(app, plan_id, 1).await)
}

/// An end-of-term assessment with `ratings`, made on a fresh commitment (of `a_commitment`).
pub struct Assessed {
    pub plan_id: i64,
    pub commitment_id: i64,
    /// The finding as created.
    pub finding: Value,
    /// Its address.
    pub path: String,
}

/// Builds `a_commitment` and an end-of-term assessment of it carrying `ratings`.
pub async fn a_finding_on(app: &TestApp, ratings: Value) -> Assessed {
    let (plan_id, commitment_id) = a_commitment(app).await;
    let finding = create_finding(
        app,
        &with(
            assessment(plan_id, commitment_id, "end_of_term_report"),
            ratings,
        ),
    )
    .await;
    Assessed {
        plan_id,
        commitment_id,
        path: finding_path(&finding),
        finding,
    }
}

/// Asserts that `resource` carries every member of the object `expected` (`null` for absent
/// or null), naming `case` and the member on failure.
#[track_caller]
pub fn assert_fields(resource: &Value, expected: &Value, case: &str) {
    for (key, value) in expected
        .as_object()
        .expect("expected members are an object")
    {
        assert_eq!(&resource[key], value, "{case}: `{key}` in {resource}");
    }
}

//! A table-driven corpus of bad writes: each gets a 4xx problem and leaves every table —
//! the change log included — exactly as it was.

use crate::fixtures::{a_commitment, commitment_in, country, create_finding, id_of, milestone};
use crate::helpers::spawn_app;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

struct Case {
    method: Method,
    path: String,
    content_type: &'static str,
    body: String,
    headers: Vec<(&'static str, String)>,
    status: u16,
}

fn case(method: Method, path: impl Into<String>, body: impl Into<String>, status: u16) -> Case {
    Case {
        method,
        path: path.into(),
        content_type: "application/json",
        body: body.into(),
        headers: Vec::new(),
        status,
    }
}

#[actix_web::test]
async fn every_bad_write_is_a_4xx_problem_and_changes_nothing() {
    let app = spawn_app().await;
    let (plan, commitment) = a_commitment(&app).await;
    let milestone_id = id_of(
        &app.create("/api/v1/milestones", &milestone(commitment, 1))
            .await,
    );
    let finding = id_of(
        &create_finding(
            &app,
            &json!({"action_plan_id": plan, "report": "mid_term_report", "kind": "summary", "body": "S"}),
        )
        .await,
    );
    app.create("/api/v1/countries", &country("KEN")).await;
    let other_plan = id_of(
        &app.create("/api/v1/action-plans", &crate::fixtures::plan("KEN", 1))
            .await,
    );
    let other_commitment = commitment_in(&app, other_plan, 1).await;
    app.send(
        app.authed(TestRequest::post())
            .uri("/api/v1/countries")
            .insert_header(("Idempotency-Key", "used"))
            .set_json(country("PER")),
    )
    .await
    .assert_status(201);

    let post = Method::POST;
    let patch = Method::PATCH;
    let delete = Method::DELETE;
    let c = |extra: serde_json::Value| {
        let mut body = country("ESP");
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body.to_string()
    };
    let p = |extra: serde_json::Value| {
        let mut body = crate::fixtures::plan("MEX", 9);
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body.to_string()
    };
    let cm = |extra: serde_json::Value| {
        let mut body = crate::fixtures::commitment(plan, 9);
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body.to_string()
    };
    let f = |extra: serde_json::Value| {
        let mut body = json!({"action_plan_id": plan, "commitment_id": commitment,
                              "report": "end_of_term_report", "kind": "assessment"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body.to_string()
    };
    let mut cases = vec![
        // Wrong types, missing and extra fields, enum typos.
        case(post.clone(), "/api/v1/countries", c(json!({"code": 1})), 422),
        case(post.clone(), "/api/v1/countries", "{}", 422),
        case(post.clone(), "/api/v1/countries", c(json!({"capital": "Madrid"})), 422),
        case(post.clone(), "/api/v1/countries", c(json!({"region": "eurpoe"})), 422),
        case(post.clone(), "/api/v1/countries", c(json!({"membership_status": "Active"})), 422),
        case(post.clone(), "/api/v1/countries", c(json!({"version": 1, "created_at": "2020-01-01T00:00:00Z"})), 422),
        case(post.clone(), "/api/v1/action-plans", p(json!({"status": "done"})), 422),
        case(post.clone(), "/api/v1/action-plans", p(json!({"multistakeholder_forum": "yes"})), 422),
        case(post.clone(), "/api/v1/irm-findings", f(json!({"kind": "assesment"})), 422),
        case(post.clone(), "/api/v1/irm-findings", f(json!({"well_designed": "no"})), 422),
        case(post.clone(), "/api/v1/irm-findings", f(json!({"relevance": ["transparency"]})), 422),
        // Huge strings and bodies, NUL bytes, odd Unicode.
        case(post.clone(), "/api/v1/countries", c(json!({"name": "x".repeat(201)})), 422),
        case(post.clone(), "/api/v1/commitments", cm(json!({"description": "y".repeat(20_001)})), 422),
        case(post.clone(), "/api/v1/countries", format!("{{\"name\": \"{}\"}}", "z".repeat(300_000)), 413),
        case(post.clone(), "/api/v1/countries", c(json!({"name": "Spa\u{0}in"})), 422),
        case(post.clone(), "/api/v1/countries", r#"{"code": "ESP", "name": "\ud800", "region": "europe"}"#, 400),
        case(post.clone(), "/api/v1/countries", c(json!({"name": "\u{200B}\u{200B}"})), 422),
        case(post.clone(), "/api/v1/countries", c(json!({"code": "ÉSP"})), 422),
        // Out-of-range and overflowing numbers.
        case(post.clone(), "/api/v1/countries", c(json!({"member_since": 2010})), 422),
        case(post.clone(), "/api/v1/countries", c(json!({"member_since": 1e20})), 422),
        case(post.clone(), "/api/v1/countries", c(json!({"member_since": 2011.5})), 422),
        case(post.clone(), "/api/v1/action-plans", p(json!({"end_year": 2147483648_i64})), 422),
        case(post.clone(), "/api/v1/action-plans", p(json!({"number": -1})), 422),
        case(post.clone(), "/api/v1/commitments", cm(json!({"action_plan_id": 0})), 422),
        case(post.clone(), "/api/v1/commitments", cm(json!({"action_plan_id": 9223372036854775807_i64})), 422),
        case(post.clone(), "/api/v1/commitments", cm(json!({"action_plan_id": 92233720368547758070_f64})), 422),
        case(post.clone(), "/api/v1/milestones", milestone(commitment, 0).to_string(), 422),
        // Bad dates and rule breaks.
        case(post.clone(), "/api/v1/commitments", cm(json!({"start_date": "2016-02-30"})), 422),
        case(post.clone(), "/api/v1/commitments", cm(json!({"start_date": "2018-01-01", "end_date": "2017-01-01"})), 422),
        case(post.clone(), "/api/v1/commitments", cm(json!({"ogp_values": [null]})), 422),
        case(post.clone(), "/api/v1/irm-findings", f(json!({"commitment_id": other_commitment})), 422),
        case(post.clone(), "/api/v1/irm-findings", f(json!({"specificity": "low", "well_designed": true})), 422),
        case(post.clone(), "/api/v1/irm-findings", json!({"action_plan_id": plan, "report": "mid_term_report", "kind": "summary", "body": "x", "completion": "complete"}).to_string(), 422),
        // SQL-looking strings are data, never SQL: refused where the pattern forbids them.
        case(post.clone(), "/api/v1/countries", c(json!({"code": "X'; DROP TABLE countries;--"})), 422),
        case(post.clone(), "/api/v1/action-plans", p(json!({"country_code": "MEX' OR '1'='1"})), 422),
        // Duplicates.
        case(post.clone(), "/api/v1/countries", country("KEN").to_string(), 409),
        case(post.clone(), "/api/v1/commitments", crate::fixtures::commitment(plan, 1).to_string(), 409),
        case(post.clone(), "/api/v1/milestones", milestone(commitment, 1).to_string(), 409),
        // Syntax and media types.
        case(post.clone(), "/api/v1/countries", "{\"code\": ", 400),
        case(post.clone(), "/api/v1/countries", "", 400),
        case(post.clone(), "/api/v1/countries", "[1, 2]", 422),
        // Patches: read-only and key fields, nulls on required fields, unknown items.
        case(patch.clone(), "/api/v1/countries/MEX", r#"{"version": 7}"#, 422),
        case(patch.clone(), "/api/v1/countries/MEX", r#"{"code": "MEY"}"#, 422),
        case(patch.clone(), "/api/v1/countries/MEX", r#"{"name": null}"#, 422),
        case(patch.clone(), "/api/v1/countries/ZZZ", r#"{"name": "Z"}"#, 404),
        case(patch.clone(), format!("/api/v1/action-plans/{plan}"), r#"{"start_year": 2030}"#, 422),
        case(patch.clone(), format!("/api/v1/milestones/{milestone_id}"), r#"{"status": "completed"}"#, 422),
        case(patch.clone(), format!("/api/v1/irm-findings/{finding}"), r#"{"body": null}"#, 422),
        case(patch.clone(), format!("/api/v1/commitments/{commitment}"), r#"{"action_plan_id": 424242}"#, 422),
        // Zero, negative, huge and non-numeric ids.
        case(delete.clone(), "/api/v1/commitments/0", "", 404),
        case(delete.clone(), "/api/v1/commitments/-5", "", 404),
        case(delete.clone(), "/api/v1/commitments/99999999999999999999999", "", 404),
        case(delete.clone(), "/api/v1/commitments/abc", "", 404),
        case(patch.clone(), "/api/v1/milestones/1e3", "{}", 404),
        // Deleting parents that still have children.
        case(delete.clone(), "/api/v1/countries/MEX", "", 409),
        case(delete.clone(), format!("/api/v1/action-plans/{plan}"), "", 409),
        case(delete.clone(), format!("/api/v1/commitments/{commitment}"), "", 409),
    ];
    let mut wrong_type = case(
        post.clone(),
        "/api/v1/countries",
        country("ESP").to_string(),
        415,
    );
    wrong_type.content_type = "text/plain";
    cases.push(wrong_type);
    let mut form = case(post.clone(), "/api/v1/countries", "code=ESP", 415);
    form.content_type = "application/x-www-form-urlencoded";
    cases.push(form);
    // Stale and malformed ETags.
    for etag in ["\"2\"", "garbage", "W/\"1\"", "\"\""] {
        let mut stale = case(
            patch.clone(),
            "/api/v1/countries/MEX",
            r#"{"name": "M"}"#,
            412,
        );
        stale.headers.push(("If-Match", etag.to_string()));
        cases.push(stale);
        let mut stale_delete = case(
            delete.clone(),
            format!("/api/v1/milestones/{milestone_id}"),
            "",
            412,
        );
        stale_delete.headers.push(("If-Match", etag.to_string()));
        cases.push(stale_delete);
    }
    // An Idempotency-Key reused for another request.
    let mut reused = case(
        post.clone(),
        "/api/v1/countries",
        country("ESP").to_string(),
        422,
    );
    reused.headers.push(("Idempotency-Key", "used".to_string()));
    cases.push(reused);

    for case in &cases {
        let before = app.snapshot().await;
        let mut request = app
            .authed(TestRequest::default())
            .method(case.method.clone())
            .uri(&case.path)
            .insert_header(("Content-Type", case.content_type))
            .set_payload(case.body.clone());
        for (name, value) in &case.headers {
            request = request.insert_header((*name, value.clone()));
        }
        let response = app.send(request).await;
        let label = format!("{} {} {:.80}", case.method, case.path, case.body);
        assert_eq!(
            response.status.as_u16(),
            case.status,
            "{label}: {}",
            response.text
        );
        if case.status >= 400 {
            response.assert_problem(case.status);
            assert_eq!(app.snapshot().await, before, "{label} changed the database");
        }
    }
    println!("bad-input corpus: {} cases", cases.len());
    assert!(cases.len() >= 60);
}

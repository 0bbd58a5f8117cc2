use crate::fixtures::{a_commitment, a_plan, commitment, country, id_of, plan};
use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

fn assessment(plan_id: i64, commitment_id: i64) -> Value {
    json!({"action_plan_id": plan_id, "commitment_id": commitment_id,
           "report": "end_of_term_report", "kind": "assessment"})
}

fn with(mut body: Value, extra: Value) -> Value {
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

async fn create_finding(app: &TestApp, body: &Value) -> Value {
    app.create("/api/v1/irm-findings", body).await
}

#[actix_web::test]
async fn assessment_verdicts_are_derived_from_full_ratings() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let finding = create_finding(
        &app,
        &with(
            assessment(plan_id, commitment_id),
            json!({"specificity": "high", "relevance": ["access_to_information"],
                   "potential_impact": "transformative", "completion": "complete",
                   "did_it_open_government": "major"}),
        ),
    )
    .await;
    assert_eq!(finding["well_designed"], true);
    assert_eq!(finding["well_designed_basis"], "derived");
    assert_eq!(finding["starred"], true);
    assert_eq!(finding["starred_basis"], "derived");
    assert!(finding["acted_contrary_to_process"].is_null());
}

#[actix_web::test]
async fn low_specificity_makes_both_verdicts_false_and_missing_ratings_leave_them_unknown() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let low = create_finding(
        &app,
        &with(
            assessment(plan_id, commitment_id),
            json!({"specificity": "low"}),
        ),
    )
    .await;
    assert_eq!(low["well_designed"], false);
    assert_eq!(low["starred"], false);

    let (_, other) = (
        plan_id,
        id_of(
            &app.create("/api/v1/commitments", &commitment(plan_id, 2))
                .await,
        ),
    );
    let partial = create_finding(
        &app,
        &with(
            assessment(plan_id, other),
            json!({"specificity": "high", "relevance": ["civic_participation"]}),
        ),
    )
    .await;
    assert!(partial["well_designed"].is_null());
    assert!(partial["well_designed_basis"].is_null());
    assert!(partial["starred"].is_null());
}

#[actix_web::test]
async fn published_verdict_is_kept_and_a_contradicting_one_refused() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let published = create_finding(
        &app,
        &with(
            assessment(plan_id, commitment_id),
            json!({"well_designed": false}),
        ),
    )
    .await;
    assert_eq!(published["well_designed"], false);
    assert_eq!(published["well_designed_basis"], "published");

    let other = id_of(
        &app.create("/api/v1/commitments", &commitment(plan_id, 2))
            .await,
    );
    let before = app.snapshot().await;
    let response = app
        .post(
            "/api/v1/irm-findings",
            &with(
                assessment(plan_id, other),
                json!({"well_designed": true, "starred": true, "specificity": "low"}),
            ),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["well_designed", "starred"]);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn ratings_and_verdicts_only_on_assessments() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let response = app
        .post(
            "/api/v1/irm-findings",
            &json!({"action_plan_id": plan_id, "report": "mid_term_report", "kind": "summary",
                    "body": "Text", "specificity": "high", "completion": "complete",
                    "well_designed": true, "irm_not_engaged": false}),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(
        response.error_fields(),
        [
            "specificity",
            "completion",
            "well_designed",
            "irm_not_engaged"
        ]
    );
}

#[actix_web::test]
async fn read_only_verdict_fields_cannot_be_written() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let response = app
        .post(
            "/api/v1/irm-findings",
            &with(
                assessment(plan_id, commitment_id),
                json!({"well_designed_basis": "published", "acted_contrary_to_process": false}),
            ),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(
        response.error_fields(),
        ["well_designed_basis", "acted_contrary_to_process"]
    );
}

/// "A country is considered to have acted contrary to process if one or more of the following
/// occurs" (Liberia end-of-term report 2015–2017): any criterion of the era makes the verdict
/// true, all of them false make it false, and otherwise it is unknown.
#[actix_web::test]
async fn process_verdict_is_derived_from_its_eras_criteria() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let base = json!({"action_plan_id": plan_id, "report": "mid_term_report", "kind": "process"});
    let finding = create_finding(&app, &with(base.clone(), json!({"irm_not_engaged": true}))).await;
    assert_eq!(finding["acted_contrary_to_process"], true);
    assert_eq!(finding["acted_contrary_to_process_basis"], "derived");
    let path = format!("/api/v1/irm-findings/{}", id_of(&finding));
    let unknown = app.patch(&path, &json!({"irm_not_engaged": false})).await;
    unknown.assert_status(200);
    assert!(
        unknown.body["acted_contrary_to_process"].is_null(),
        "two criteria unknown"
    );
    assert!(unknown.body["acted_contrary_to_process_basis"].is_null());
    let cleared = app
        .patch(
            &path,
            &json!({"no_public_engagement": false, "no_progress_on_any_commitment": false}),
        )
        .await;
    cleared.assert_status(200);
    assert_eq!(cleared.body["acted_contrary_to_process"], false);
    let other_era = app
        .patch(
            &path,
            &json!({"late_action_plan": true, "iap2_minimum_not_met": false}),
        )
        .await;
    other_era.assert_problem(422);
    assert_eq!(
        other_era.error_fields(),
        ["late_action_plan", "iap2_minimum_not_met"]
    );
    assert!(
        other_era.text.contains("design_report"),
        "{}",
        other_era.text
    );
}

#[actix_web::test]
async fn recommendations_need_position_and_body_and_are_numbered_uniquely() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let base =
        json!({"action_plan_id": plan_id, "report": "mid_term_report", "kind": "recommendation"});
    let response = app.post("/api/v1/irm-findings", &base).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["body", "position"]);
    let first = with(
        base.clone(),
        json!({"position": 1, "body": "Restore trust"}),
    );
    create_finding(&app, &first).await;
    app.post("/api/v1/irm-findings", &first)
        .await
        .assert_problem(409);
    let mut other_report = first.clone();
    other_report["report"] = json!("end_of_term_report");
    create_finding(&app, &other_report).await;
}

#[actix_web::test]
async fn performance_and_summary_need_a_body() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    for kind in ["performance", "summary"] {
        let response = app
            .post(
                "/api/v1/irm-findings",
                &json!({"action_plan_id": plan_id, "report": "mid_term_report", "kind": kind}),
            )
            .await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), ["body"], "{kind}");
    }
}

#[actix_web::test]
async fn assessment_needs_a_commitment_of_its_own_plan() {
    let app = spawn_app().await;
    let (plan_id, _) = a_commitment(&app).await;
    let response = app
        .post(
            "/api/v1/irm-findings",
            &json!({"action_plan_id": plan_id, "report": "design_report", "kind": "assessment"}),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["commitment_id"]);

    app.create("/api/v1/countries", &country("KEN")).await;
    let other_plan = id_of(&app.create("/api/v1/action-plans", &plan("KEN", 1)).await);
    let foreign = id_of(
        &app.create("/api/v1/commitments", &commitment(other_plan, 1))
            .await,
    );
    let before = app.snapshot().await;
    let response = app
        .post("/api/v1/irm-findings", &assessment(plan_id, foreign))
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["commitment_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn patching_ratings_rederives_and_null_drops_a_published_verdict() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let finding = create_finding(
        &app,
        &with(
            assessment(plan_id, commitment_id),
            json!({"well_designed": false}),
        ),
    )
    .await;
    let path = format!("/api/v1/irm-findings/{}", id_of(&finding));
    // Ratings that make it well-designed contradict the published "No".
    let full = json!({"specificity": "medium", "relevance": ["public_accountability"],
                      "potential_impact": "transformative"});
    app.patch(&path, &full).await.assert_problem(422);
    let mut drop_published = full.clone();
    drop_published["well_designed"] = Value::Null;
    let patched = app.patch(&path, &drop_published).await;
    patched.assert_status(200);
    assert_eq!(patched.body["well_designed"], true);
    assert_eq!(patched.body["well_designed_basis"], "derived");
    let lowered = app
        .patch(&path, &json!({"potential_impact": "minor"}))
        .await;
    assert_eq!(lowered.body["well_designed"], false);
    assert_eq!(lowered.body["well_designed_basis"], "derived");
}

/// The star rule changed "starting in 2015" (only potentially transformative commitments
/// qualify; freedominfo.org, 7 May 2015, quoting OGP), keyed to the year the report was written:
/// a mid-term report on a 2013–2015 plan (2014) stars moderate impact, one published in 2015 does
/// not, and moving the plan moves the report's era.
#[actix_web::test]
async fn moderate_impact_is_starred_only_in_reports_written_before_2015() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("MEX")).await;
    let mut early = plan("MEX", 2);
    early["start_year"] = json!(2013);
    early["end_year"] = json!(2015);
    let plan_id = id_of(&app.create("/api/v1/action-plans", &early).await);
    let commitment_id = id_of(
        &app.create("/api/v1/commitments", &commitment(plan_id, 1))
            .await,
    );
    let ratings = json!({"report": "mid_term_report", "specificity": "high",
                         "relevance": ["civic_participation"], "potential_impact": "moderate",
                         "completion": "substantial"});
    let finding = create_finding(
        &app,
        &with(assessment(plan_id, commitment_id), ratings.clone()),
    )
    .await;
    assert_eq!(finding["starred"], true, "a 2014 report: {finding}");
    assert_eq!(finding["starred_basis"], "derived");
    assert!(
        finding["well_designed"].is_null(),
        "no asterisk before 2016"
    );
    assert_eq!(finding["well_designed_basis"], "not_applicable");

    let path = format!("/api/v1/irm-findings/{}", id_of(&finding));
    let published_2015 = app
        .patch(&path, &json!({"published_on": "2015-03-01"}))
        .await;
    published_2015.assert_status(200);
    assert_eq!(published_2015.body["starred"], false, "written in 2015");
    app.patch(&path, &json!({"published_on": null}))
        .await
        .assert_status(200);

    let moved = app
        .patch(
            &format!("/api/v1/action-plans/{plan_id}"),
            &json!({"start_year": 2016, "end_year": 2018}),
        )
        .await;
    moved.assert_status(200);
    let refetched = app.get(&path).await;
    assert_eq!(refetched.body["starred"], false);
    assert_eq!(refetched.body["starred_basis"], "derived");
    assert_eq!(refetched.body["well_designed"], false, "a 2017 report");
}

#[actix_web::test]
async fn changing_kind_must_drop_fields_the_new_kind_refuses() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let finding = create_finding(
        &app,
        &with(
            assessment(plan_id, commitment_id),
            json!({"specificity": "high"}),
        ),
    )
    .await;
    let path = format!("/api/v1/irm-findings/{}", id_of(&finding));
    let response = app
        .patch(&path, &json!({"kind": "summary", "body": "Headline"}))
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["specificity"]);
    let changed = app
        .patch(
            &path,
            &json!({"kind": "summary", "body": "Headline", "specificity": null}),
        )
        .await;
    changed.assert_status(200);
    assert!(changed.body["well_designed"].is_null());
}

#[actix_web::test]
async fn aliases_list_a_plans_and_a_commitments_findings() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    create_finding(&app, &assessment(plan_id, commitment_id)).await;
    create_finding(
        &app,
        &json!({"action_plan_id": plan_id, "report": "mid_term_report", "kind": "summary", "body": "S"}),
    )
    .await;
    let of_plan = app
        .get(&format!("/api/v1/action-plans/{plan_id}/irm-findings"))
        .await;
    assert_eq!(of_plan.body["items"].as_array().unwrap().len(), 2);
    let of_commitment = app
        .get(&format!("/api/v1/commitments/{commitment_id}/irm-findings"))
        .await;
    assert_eq!(of_commitment.body["items"].as_array().unwrap().len(), 1);
    let filtered = app
        .get(&format!(
            "/api/v1/irm-findings?action_plan_id={plan_id}&commitment_id={commitment_id}"
        ))
        .await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/commitments/424242/irm-findings")
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn deleting_a_commitment_with_findings_is_a_409_then_works_once_they_are_gone() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let finding = create_finding(&app, &assessment(plan_id, commitment_id)).await;
    app.delete(&format!("/api/v1/commitments/{commitment_id}"))
        .await
        .assert_problem(409);
    app.delete(&format!("/api/v1/irm-findings/{}", id_of(&finding)))
        .await
        .assert_status(204);
    app.delete(&format!("/api/v1/commitments/{commitment_id}"))
        .await
        .assert_status(204);
}

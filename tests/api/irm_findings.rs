//! IRM findings: verdicts derived from ratings or kept as published, what each kind of finding
//! may carry, and how findings tie commitments. The eras' own rules are in `irm_eras.rs`; the
//! round trip findings share with every resource is in `crud.rs`.

use crate::fixtures::{a_commitment, a_finding_on, a_plan, assert_fields, assessment};
use crate::fixtures::{commitment_in, country, create_finding, finding_path, id_of, plan};
use crate::fixtures::{plan_over, post_finding, process, with};
use crate::helpers::{spawn_app, Case};
use serde_json::{json, Value};

#[actix_web::test]
async fn verdicts_are_derived_from_the_ratings() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    for (number, case, ratings, expected) in [
        (
            1,
            "full ratings make both verdicts true",
            json!({"specificity": "high", "relevance": ["access_to_information"],
                   "potential_impact": "transformative", "completion": "complete",
                   "did_it_open_government": "major"}),
            json!({"well_designed": true, "well_designed_basis": "derived",
                   "starred": true, "starred_basis": "derived",
                   "acted_contrary_to_process": null}),
        ),
        (
            2,
            "low specificity makes both verdicts false",
            json!({"specificity": "low"}),
            json!({"well_designed": false, "starred": false}),
        ),
        (
            3,
            "missing ratings leave them unknown",
            json!({"specificity": "high", "relevance": ["civic_participation"]}),
            json!({"well_designed": null, "well_designed_basis": null, "starred": null}),
        ),
    ] {
        let _case = Case(case.to_string());
        let commitment_id = commitment_in(&app, plan_id, number).await;
        let body = with(
            assessment(plan_id, commitment_id, "end_of_term_report"),
            ratings,
        );
        assert_fields(&create_finding(&app, &body).await, &expected, case);
    }
}

#[actix_web::test]
async fn published_verdict_is_kept_and_a_contradicting_one_refused() {
    let app = spawn_app().await;
    let published = a_finding_on(&app, json!({"well_designed": false})).await;
    assert_eq!(published.finding["well_designed"], false);
    assert_eq!(published.finding["well_designed_basis"], "published");

    let other = commitment_in(&app, published.plan_id, 2).await;
    let before = app.snapshot().await;
    post_finding(
        &app,
        &with(
            assessment(published.plan_id, other, "end_of_term_report"),
            json!({"well_designed": true, "starred": true, "specificity": "low"}),
        ),
    )
    .await
    .assert_invalid(&["well_designed", "starred"]);
    assert_eq!(app.snapshot().await, before);
}

/// Each kind of finding carries its own fields: what another kind carries, what the server
/// derives, or what this kind needs and lacks is named in a 422 that writes nothing.
#[actix_web::test]
async fn every_misplaced_or_missing_field_is_named() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let mid_term =
        |kind: &str| json!({"action_plan_id": plan_id, "report": "mid_term_report", "kind": kind});
    for (case, body, fields) in [
        (
            "ratings and verdicts only on assessments",
            with(
                mid_term("summary"),
                json!({"body": "Text", "specificity": "high", "completion": "complete",
                       "well_designed": true, "irm_not_engaged": false}),
            ),
            &[
                "specificity",
                "completion",
                "well_designed",
                "irm_not_engaged",
            ][..],
        ),
        (
            "read-only verdict fields",
            with(
                assessment(plan_id, commitment_id, "end_of_term_report"),
                json!({"well_designed_basis": "published", "acted_contrary_to_process": false}),
            ),
            &["well_designed_basis", "acted_contrary_to_process"][..],
        ),
        (
            "a performance needs a body",
            mid_term("performance"),
            &["body"][..],
        ),
        ("a summary needs a body", mid_term("summary"), &["body"][..]),
        (
            "a recommendation needs a body and a position",
            mid_term("recommendation"),
            &["body", "position"][..],
        ),
        (
            "an assessment needs a commitment",
            json!({"action_plan_id": plan_id, "report": "design_report", "kind": "assessment"}),
            &["commitment_id"][..],
        ),
    ] {
        let _case = Case(case.to_string());
        let before = app.snapshot().await;
        post_finding(&app, &body).await.assert_invalid(fields);
        assert_eq!(app.snapshot().await, before, "{case}");
    }
}

/// "A country is considered to have acted contrary to process if one or more of the following
/// occurs" (Liberia end-of-term report 2015–2017): any criterion of the era makes the verdict
/// true, all of them false make it false, and otherwise it is unknown.
#[actix_web::test]
async fn process_verdict_is_derived_from_its_eras_criteria() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let base = process(plan_id, "mid_term_report");
    let finding = create_finding(&app, &with(base, json!({"irm_not_engaged": true}))).await;
    assert_eq!(finding["acted_contrary_to_process"], true);
    assert_eq!(finding["acted_contrary_to_process_basis"], "derived");
    let path = finding_path(&finding);
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
    other_era.assert_invalid(&["late_action_plan", "iap2_minimum_not_met"]);
    assert!(
        other_era.text.contains("design_report"),
        "{}",
        other_era.text
    );
}

#[actix_web::test]
async fn recommendations_are_numbered_uniquely_per_report() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let first = json!({"action_plan_id": plan_id, "report": "mid_term_report",
                       "kind": "recommendation", "position": 1, "body": "Restore trust"});
    create_finding(&app, &first).await;
    post_finding(&app, &first).await.assert_problem(409);
    create_finding(&app, &with(first, json!({"report": "end_of_term_report"}))).await;
}

#[actix_web::test]
async fn an_assessment_needs_a_commitment_of_its_own_plan() {
    let app = spawn_app().await;
    let (plan_id, _) = a_commitment(&app).await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let other_plan = id_of(&app.create("/api/v1/action-plans", &plan("KEN", 1)).await);
    let foreign = commitment_in(&app, other_plan, 1).await;
    let before = app.snapshot().await;
    post_finding(&app, &assessment(plan_id, foreign, "end_of_term_report"))
        .await
        .assert_invalid(&["commitment_id"]);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn patching_ratings_rederives_and_null_drops_a_published_verdict() {
    let app = spawn_app().await;
    let path = a_finding_on(&app, json!({"well_designed": false}))
        .await
        .path;
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
    let plan_id = id_of(
        &app.create("/api/v1/action-plans", &plan_over("MEX", 2, 2013, 2015))
            .await,
    );
    let commitment_id = commitment_in(&app, plan_id, 1).await;
    let ratings = json!({"specificity": "high", "relevance": ["civic_participation"],
                         "potential_impact": "moderate", "completion": "substantial"});
    let finding = create_finding(
        &app,
        &with(
            assessment(plan_id, commitment_id, "mid_term_report"),
            ratings,
        ),
    )
    .await;
    assert_eq!(finding["starred"], true, "a 2014 report: {finding}");
    assert_eq!(finding["starred_basis"], "derived");
    assert!(
        finding["well_designed"].is_null(),
        "no asterisk before 2016"
    );
    assert_eq!(finding["well_designed_basis"], "not_applicable");

    let path = finding_path(&finding);
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
    let path = a_finding_on(&app, json!({"specificity": "high"}))
        .await
        .path;
    app.patch(&path, &json!({"kind": "summary", "body": "Headline"}))
        .await
        .assert_invalid(&["specificity"]);
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
    let assessed = a_finding_on(&app, json!({})).await;
    let (plan_id, commitment_id) = (assessed.plan_id, assessed.commitment_id);
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
    let assessed = a_finding_on(&app, json!({})).await;
    let commitment_path = format!("/api/v1/commitments/{}", assessed.commitment_id);
    app.delete(&commitment_path).await.assert_problem(409);
    app.delete(&assessed.path).await.assert_status(204);
    app.delete(&commitment_path).await.assert_status(204);
}

//! The dashboard views: the IRM summary (checked against the seed page) and statistics.

use crate::fixtures::{a_plan, commitment, country, id_of, plan};
use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

async fn demo_plan(app: &TestApp) -> i64 {
    ogp_api::seed::load_demo(&app.pool).await.unwrap();
    let plans = app.get("/api/v1/countries/MEX/action-plans").await;
    plans.body["items"][0]["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn irm_summary_gives_back_the_seed_page() {
    let app = spawn_app().await;
    let plan_id = demo_plan(&app).await;
    let demo: Value = serde_json::from_str(ogp_api::seed::DEMO_JSON).unwrap();
    let page = |kind: &str| -> Vec<Value> {
        demo["irm_findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == kind)
            .cloned()
            .collect()
    };

    let response = app
        .get(&format!(
            "/api/v1/action-plans/{plan_id}/irm-summary?report=mid_term_report"
        ))
        .await;
    response.assert_status(200);
    let summary = &response.body;
    assert_eq!(summary["report"], "mid_term_report");
    assert_eq!(
        summary["action_plan"]["title"],
        "Third National Action Plan 2016-2018"
    );

    // The headline narrative.
    assert_eq!(summary["summary"]["body"], page("summary")[0]["body"]);
    assert!(summary["summary"]["body"]
        .as_str()
        .unwrap()
        .starts_with("The themes included in the 2016-2018 action plan are innovative"));

    // Two highlighted commitments, with their themes, both "Well-designed? No".
    let highlights = summary["highlights"].as_array().unwrap();
    assert_eq!(highlights.len(), 2);
    assert_eq!(highlights[0]["number"], 1);
    assert_eq!(
        highlights[0]["theme"],
        "Human rights strengthening of the Rule of Law"
    );
    assert_eq!(highlights[1]["number"], 2);
    assert_eq!(highlights[1]["theme"], "Gender Equality");
    assert!(highlights[1]["title"]
        .as_str()
        .unwrap()
        .starts_with("Create a National Care System"));
    for highlight in highlights {
        assert_eq!(highlight["well_designed"], false);
        assert_eq!(highlight["well_designed_basis"], "published");
        assert!(highlight["assessment_id"].is_i64());
    }

    // "Did not act contrary to OGP process", with the three criteria of its era.
    let process = &summary["process"];
    assert_eq!(process["acted_contrary_to_process"], false);
    assert_eq!(process["acted_contrary_to_process_basis"], "derived");
    assert_eq!(
        process["criteria"],
        json!({"no_public_engagement": false, "irm_not_engaged": false,
               "no_progress_on_any_commitment": false})
    );

    // The mid-term report's "at a glance" lines, counted from the stored assessments.
    let glance: Vec<(String, i64)> = summary["at_a_glance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["indicator"].as_str().unwrap().to_string(),
                l["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(glance[0], ("commitments".to_string(), 2));
    assert!(
        glance.contains(&("well_designed".to_string(), 0)),
        "{glance:?}"
    );
    assert_eq!(process["body"], page("process")[0]["body"]);

    // The performance narrative.
    let performance = summary["performance"].as_array().unwrap();
    assert_eq!(performance.len(), 1);
    assert_eq!(performance[0]["body"], page("performance")[0]["body"]);

    // The five recommendations, in order.
    let recommendations = summary["recommendations"].as_array().unwrap();
    let expected: Vec<Value> = page("recommendation")
        .iter()
        .map(|r| r["body"].clone())
        .collect();
    assert_eq!(recommendations.len(), 5);
    for (i, recommendation) in recommendations.iter().enumerate() {
        assert_eq!(recommendation["position"], i as i64 + 1);
        assert_eq!(recommendation["body"], expected[i]);
    }
    assert!(recommendations[0]["body"]
        .as_str()
        .unwrap()
        .starts_with("Restore trust with civil society"));
    assert!(response.header("etag").is_some());
}

#[actix_web::test]
async fn irm_summary_needs_a_valid_report_and_an_existing_plan() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let missing = app
        .get(&format!("/api/v1/action-plans/{plan_id}/irm-summary"))
        .await;
    missing.assert_problem(400);
    assert!(missing.body["detail"]
        .as_str()
        .unwrap()
        .contains("mid_term_report"));
    app.get(&format!(
        "/api/v1/action-plans/{plan_id}/irm-summary?report=midterm"
    ))
    .await
    .assert_problem(400);
    app.get("/api/v1/action-plans/999/irm-summary?report=design_report")
        .await
        .assert_problem(404);
    let empty = app
        .get(&format!(
            "/api/v1/action-plans/{plan_id}/irm-summary?report=design_report"
        ))
        .await;
    empty.assert_status(200);
    assert!(empty.body["summary"].is_null());
    assert!(empty.body["process"].is_null());
    assert_eq!(empty.body["recommendations"], json!([]));
}

async fn assessed(app: &TestApp, plan_id: i64, number: i32, theme: &str, ratings: Value) -> i64 {
    let mut body = commitment(plan_id, number);
    body["theme"] = json!(theme);
    let id = id_of(&app.create("/api/v1/commitments", &body).await);
    if !ratings.is_null() {
        let mut finding = json!({"action_plan_id": plan_id, "commitment_id": id,
                                 "kind": "assessment", "report": "end_of_term_report"});
        for (key, value) in ratings.as_object().unwrap() {
            finding[key] = value.clone();
        }
        app.create("/api/v1/irm-findings", &finding).await;
    }
    id
}

#[actix_web::test]
async fn stats_count_and_distribute_per_group() {
    let app = spawn_app().await;
    let mex = a_plan(&app).await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let ken = id_of(&app.create("/api/v1/action-plans", &plan("KEN", 1)).await);
    let full = json!({"specificity": "high", "relevance": ["access_to_information"],
                      "potential_impact": "transformative", "completion": "complete"});
    assessed(&app, mex, 1, "Health", full.clone()).await;
    assessed(
        &app,
        mex,
        2,
        "Health",
        json!({"specificity": "low", "completion": "limited",
                                            "potential_impact": "minor"}),
    )
    .await;
    assessed(&app, mex, 3, "Water", Value::Null).await;
    assessed(&app, ken, 1, "Health", full).await;
    // A mid-term assessment too: the end-of-term one is the latest and counts.
    let commitments = app
        .get(&format!("/api/v1/action-plans/{ken}/commitments"))
        .await;
    let ken_commitment = commitments.body["items"][0]["id"].as_i64().unwrap();
    app.create(
        "/api/v1/irm-findings",
        &json!({"action_plan_id": ken, "commitment_id": ken_commitment, "kind": "assessment",
                "report": "mid_term_report", "completion": "limited"}),
    )
    .await;

    let by_country = app.get("/api/v1/stats/commitments?group_by=country").await;
    by_country.assert_status(200);
    let groups = by_country.body["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let (ken_group, mex_group) = (&groups[0], &groups[1]);
    assert_eq!(ken_group["group"], "KEN");
    assert_eq!(ken_group["commitments"], 1);
    assert_eq!(ken_group["assessed"], 1);
    assert_eq!(ken_group["completion"]["complete"], 1);
    assert_eq!(
        ken_group["completion"]["limited"], 0,
        "only the latest assessment counts"
    );
    assert_eq!(mex_group["group"], "MEX");
    assert_eq!(mex_group["commitments"], 3);
    assert_eq!(mex_group["assessed"], 2);
    assert_eq!(mex_group["well_designed"], 1);
    assert_eq!(mex_group["starred"], 1);
    assert_eq!(mex_group["completion"]["complete"], 1);
    assert_eq!(mex_group["completion"]["limited"], 1);
    assert_eq!(mex_group["potential_impact"]["transformative"], 1);
    assert_eq!(mex_group["potential_impact"]["minor"], 1);

    let by_theme = app
        .get("/api/v1/stats/commitments?group_by=theme&country_code=MEX")
        .await;
    let themes: Vec<(Value, Value)> = by_theme.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["group"].clone(), g["commitments"].clone()))
        .collect();
    assert_eq!(
        themes,
        [(json!("Health"), json!(2)), (json!("Water"), json!(1))]
    );

    let by_report = app.get("/api/v1/stats/commitments?group_by=report").await;
    let reports: Vec<(Value, Value)> = by_report.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["group"].clone(), g["assessed"].clone()))
        .collect();
    assert_eq!(
        reports,
        [
            (json!("end_of_term_report"), json!(3)),
            (json!("mid_term_report"), json!(1))
        ]
    );

    let by_plan = app
        .get("/api/v1/stats/commitments?group_by=action_plan&completion=complete")
        .await;
    let plans: Vec<Value> = by_plan.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].clone())
        .collect();
    assert_eq!(plans, [json!(mex), json!(ken)]);

    let mid_term = app
        .get("/api/v1/stats/commitments?group_by=country&report=mid_term_report")
        .await;
    let groups = mid_term.body["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        groups[0]["completion"]["limited"], 1,
        "the report filter picks the assessment"
    );

    // Three ways to the same figures: the rollup (no filter), the facts alone (by plan), and the
    // facts joined to the commitments (a filter every commitment passes).
    for group_by in ["country", "theme", "action_plan"] {
        let plain = app
            .get(&format!("/api/v1/stats/commitments?group_by={group_by}"))
            .await;
        let filtered = app
            .get(&format!(
                "/api/v1/stats/commitments?group_by={group_by}&plan_start_year_gte=1900"
            ))
            .await;
        filtered.assert_status(200);
        assert!(!plain.body["groups"].as_array().unwrap().is_empty());
        assert_eq!(plain.body["groups"], filtered.body["groups"], "{group_by}");
    }
}

#[actix_web::test]
async fn stats_refuse_bad_grouping_and_paging_parameters() {
    let app = spawn_app().await;
    for query in [
        "",
        "?group_by=year",
        "?group_by=country&limit=5",
        "?group_by=country&colour=red",
    ] {
        app.get(&format!("/api/v1/stats/commitments{query}"))
            .await
            .assert_problem(400);
    }
}

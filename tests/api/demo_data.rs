use crate::helpers::spawn_app;

#[actix_web::test]
async fn demo_data_loads_once_through_the_api_rules() {
    let app = spawn_app().await;
    let report = ogp_api::seed::load_demo(&app.pool).await.unwrap();
    assert_eq!(report, "demo data loaded: 37 records");
    let again = ogp_api::seed::load_demo(&app.pool).await.unwrap();
    assert!(again.contains("already present"), "{again}");

    let mexico = app.get("/api/v1/countries/MEX").await;
    mexico.assert_status(200);
    assert_eq!(mexico.body["name"], "Mexico");

    let plans = app.get("/api/v1/countries/MEX/action-plans").await;
    let plan = &plans.body["items"][0];
    assert_eq!(plan["number"], 3);
    assert_eq!(plan["start_year"], 2016);
    let plan_id = plan["id"].as_i64().unwrap();

    let commitments = app
        .get(&format!("/api/v1/action-plans/{plan_id}/commitments"))
        .await;
    let themes: Vec<_> = commitments.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["theme"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        themes,
        [
            "Human rights strengthening of the Rule of Law",
            "Gender Equality"
        ]
    );

    let findings = app
        .get(&format!("/api/v1/action-plans/{plan_id}/irm-findings"))
        .await;
    let items = findings.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let assessments: Vec<_> = items.iter().filter(|f| f["kind"] == "assessment").collect();
    assert_eq!(assessments.len(), 2);
    for assessment in assessments {
        assert_eq!(assessment["well_designed"], false);
        assert_eq!(assessment["well_designed_basis"], "published");
    }
    let process = items.iter().find(|f| f["kind"] == "process").unwrap();
    assert_eq!(process["acted_contrary_to_process"], false);
    let recommendations: Vec<_> = items
        .iter()
        .filter(|f| f["kind"] == "recommendation")
        .map(|f| f["position"].as_i64().unwrap())
        .collect();
    assert_eq!(recommendations, [1, 2, 3, 4, 5]);

    // An OGP Local member's pilot plan: the Sekondi-Takoradi Final Report 2017.
    let member = app
        .get("/api/v1/local-members/sekondi-takoradi-ghana")
        .await;
    member.assert_status(200);
    assert_eq!(member.body["country_code"], "GHA");
    assert_eq!(member.body["population"], 559548);
    let local = app
        .get("/api/v1/local-members/sekondi-takoradi-ghana/action-plans")
        .await;
    let local_plan = &local.body["items"][0];
    assert_eq!(
        (
            local_plan["start_year"].as_i64(),
            local_plan["end_year"].as_i64()
        ),
        (Some(2017), Some(2017))
    );
    let local_id = local_plan["id"].as_i64().unwrap();
    let summary = app
        .get(&format!(
            "/api/v1/action-plans/{local_id}/irm-summary?report=end_of_term_report"
        ))
        .await;
    summary.assert_status(200);
    let results: Vec<(&str, &str, bool)> = summary.body["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert!(
                h["completion"].is_null(),
                "completion is not published per commitment"
            );
            (
                h["title"].as_str().unwrap(),
                h["did_it_open_government"].as_str().unwrap(),
                h["starred"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("Public Service-Security", "did_not_change", false),
            ("Public Service - Sanitation", "marginal", false),
            ("Fiscal Transparency", "did_not_change", false),
            ("Public Participation - Private Sector", "major", false),
            ("Public Participation - Planning", "marginal", false),
        ]
    );

    // The 2021+ era: the Ghana Action Plan Review 2021-2023.
    let ghana = app.get("/api/v1/countries/GHA/action-plans").await;
    let plan_id = ghana.body["items"][0]["id"].as_i64().unwrap();
    let summary = app
        .get(&format!(
            "/api/v1/action-plans/{plan_id}/irm-summary?report=action_plan_review"
        ))
        .await;
    summary.assert_status(200);
    let body = &summary.body;
    assert!(body["summary"]["body"].as_str().unwrap().contains(
        "Commitments with an open government lens: 11 (78%)"
            .to_lowercase()
            .as_str()
    ));
    assert_eq!(body["process"]["acted_contrary_to_process"], false);
    assert_eq!(
        body["process"]["acted_contrary_to_process_basis"],
        "published"
    );
    assert_eq!(
        body["process"]["criteria"],
        serde_json::json!({"late_action_plan": null, "co_creation_minimum_not_met": null,
                           "no_progress_on_any_commitment": null})
    );
    let highlight = &body["highlights"][0];
    assert_eq!(highlight["number"], 11);
    assert_eq!(highlight["verifiable"], true);
    assert_eq!(highlight["open_government_lens"], true);
    assert!(highlight["starred"].is_null());
    assert_eq!(highlight["starred_basis"], "not_applicable");
    let milestones = app
        .get(&format!(
            "/api/v1/commitments/{}/milestones",
            highlight["commitment_id"]
        ))
        .await;
    assert_eq!(milestones.body["items"].as_array().unwrap().len(), 2);
}

use crate::helpers::spawn_app;

#[actix_web::test]
async fn demo_data_loads_once_through_the_api_rules() {
    let app = spawn_app().await;
    let report = ogp_api::seed::load_demo(&app.pool).await.unwrap();
    assert_eq!(report, "demo data loaded: 14 records");
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
}

use crate::fixtures::{a_plan, commitment, country, id_of, plan};
use crate::helpers::spawn_app;
use serde_json::json;

#[actix_web::test]
async fn create_get_patch_delete_round_trip() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("MEX")).await;
    let created = app.post("/api/v1/action-plans", &plan("MEX", 3)).await;
    created.assert_status(201);
    let id = id_of(&created.body);
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/action-plans/{id}").as_str())
    );
    assert_eq!(created.body["status"], "implementing");
    assert!(created.body["submitted_on"].is_null());

    let fetched = app.get(&format!("/api/v1/action-plans/{id}")).await;
    assert_eq!(fetched.body, created.body);

    let patched = app
        .patch(
            &format!("/api/v1/action-plans/{id}"),
            &json!({"submitted_on": "2016-10-31", "public_influence": "collaborate",
                    "multistakeholder_forum": true, "source_url": "https://www.opengovpartnership.org/"}),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(patched.body["submitted_on"], "2016-10-31");
    assert_eq!(patched.body["public_influence"], "collaborate");
    assert_eq!(patched.body["title"], "Plan 3");
    assert_eq!(patched.body["version"], 2);

    app.delete(&format!("/api/v1/action-plans/{id}"))
        .await
        .assert_status(204);
    app.get(&format!("/api/v1/action-plans/{id}"))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn end_year_must_be_within_four_years_of_start() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("MEX")).await;
    for (start, end) in [(2016, 2015), (2016, 2021)] {
        let mut body = plan("MEX", 1);
        body["start_year"] = json!(start);
        body["end_year"] = json!(end);
        let response = app.post("/api/v1/action-plans", &body).await;
        response.assert_problem(422);
        assert_eq!(response.error_fields(), ["end_year"], "{start}-{end}");
    }
    let mut body = plan("MEX", 1);
    body["end_year"] = json!(2020);
    app.create("/api/v1/action-plans", &body).await;
}

#[actix_web::test]
async fn invalid_fields_are_each_named() {
    let app = spawn_app().await;
    let body = json!({
        "country_code": "mx", "number": 0, "title": "  ", "start_year": 1999, "end_year": "x",
        "status": "done", "submitted_on": "31/10/2016", "public_influence": "shout",
        "multistakeholder_forum": "yes", "source_url": "ftp://x"
    });
    let response = app.post("/api/v1/action-plans", &body).await;
    response.assert_problem(422);
    assert_eq!(
        response.error_fields(),
        [
            "country_code",
            "number",
            "title",
            "start_year",
            "end_year",
            "status",
            "submitted_on",
            "public_influence",
            "multistakeholder_forum",
            "source_url"
        ]
    );
}

#[actix_web::test]
async fn unknown_country_is_a_422_on_country_code() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/action-plans", &plan("ZZZ", 1)).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["country_code"]);
}

#[actix_web::test]
async fn plan_number_is_unique_per_country() {
    let app = spawn_app().await;
    a_plan(&app).await;
    let before = app.snapshot().await;
    app.post("/api/v1/action-plans", &plan("MEX", 3))
        .await
        .assert_problem(409);
    assert_eq!(app.snapshot().await, before);
    app.create("/api/v1/countries", &country("KEN")).await;
    app.create("/api/v1/action-plans", &plan("KEN", 3)).await;
}

#[actix_web::test]
async fn deleting_a_plan_with_commitments_is_a_409() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    app.create("/api/v1/commitments", &commitment(plan_id, 1))
        .await;
    let before = app.snapshot().await;
    app.delete(&format!("/api/v1/action-plans/{plan_id}"))
        .await
        .assert_problem(409);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn country_alias_lists_only_that_countrys_plans() {
    let app = spawn_app().await;
    for code in ["MEX", "KEN"] {
        app.create("/api/v1/countries", &country(code)).await;
        app.create("/api/v1/action-plans", &plan(code, 1)).await;
        app.create("/api/v1/action-plans", &plan(code, 2)).await;
    }
    let response = app.get("/api/v1/countries/KEN/action-plans").await;
    response.assert_status(200);
    let items = response.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|p| p["country_code"] == "KEN"));

    let filtered = app.get("/api/v1/action-plans?country_code=MEX").await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 2);
    app.get("/api/v1/countries/ZZZ/action-plans")
        .await
        .assert_problem(404);
    app.get("/api/v1/countries/KEN/action-plans?country_code=MEX")
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn non_numeric_or_unknown_id_is_a_404() {
    let app = spawn_app().await;
    app.get("/api/v1/action-plans/abc")
        .await
        .assert_problem(404);
    app.get("/api/v1/action-plans/0").await.assert_problem(404);
    app.get("/api/v1/action-plans/99999999999999999999")
        .await
        .assert_problem(404);
}

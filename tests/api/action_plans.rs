//! What is particular to action plans: their years, their numbering per country and the
//! country alias. The round trip they share with every resource is in `crud.rs`.

use crate::fixtures::{a_plan, country, plan, plan_over};
use crate::helpers::{spawn_app, Case};
use serde_json::json;

#[actix_web::test]
async fn every_bad_plan_is_refused_naming_its_fields() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("MEX")).await;
    for (case, body, fields) in [
        (
            "ends before it starts",
            plan_over("MEX", 1, 2016, 2015),
            &["end_year"][..],
        ),
        (
            "over four years",
            plan_over("MEX", 1, 2016, 2021),
            &["end_year"][..],
        ),
        (
            "every field invalid",
            json!({
                "country_code": "mx", "number": 0, "title": "  ", "start_year": 1999,
                "end_year": "x", "status": "done", "submitted_on": "31/10/2016",
                "public_influence": "shout", "multistakeholder_forum": "yes",
                "source_url": "ftp://x"
            }),
            &[
                "country_code",
                "number",
                "title",
                "start_year",
                "end_year",
                "status",
                "submitted_on",
                "public_influence",
                "multistakeholder_forum",
                "source_url",
            ][..],
        ),
        ("unknown country", plan("ZZZ", 1), &["country_code"][..]),
    ] {
        let _case = Case(case.to_string());
        app.post("/api/v1/action-plans", &body)
            .await
            .assert_invalid(fields);
    }
    // Four years on is still within bounds.
    app.create("/api/v1/action-plans", &plan_over("MEX", 1, 2016, 2020))
        .await;
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

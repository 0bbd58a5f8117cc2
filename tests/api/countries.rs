//! What is particular to countries: the code as key, their validation and their order. The
//! round trip they share with every resource is in `crud.rs`.

use crate::fixtures::country;
use crate::helpers::{spawn_app, Case};
use serde_json::json;

#[actix_web::test]
async fn duplicate_code_is_a_409() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let before = app.snapshot().await;
    let response = app.post("/api/v1/countries", &country("KEN")).await;
    response.assert_problem(409);
    assert!(response.body["detail"].as_str().unwrap().contains("code"));
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn create_validation_names_every_bad_or_missing_field() {
    let app = spawn_app().await;
    for (body, fields) in [
        (
            json!({"code": "mex", "name": "", "region": "mars", "member_since": 2005,
                   "membership_status": "sleeping"}),
            &[
                "code",
                "name",
                "region",
                "member_since",
                "membership_status",
            ][..],
        ),
        (json!({}), &["code", "name", "region"][..]),
    ] {
        let _case = Case(body.to_string());
        app.post("/api/v1/countries", &body)
            .await
            .assert_invalid(fields);
    }
}

#[actix_web::test]
async fn name_longer_than_200_characters_is_refused_not_truncated() {
    let app = spawn_app().await;
    let mut body = country("KEN");
    body["name"] = json!("é".repeat(201));
    app.post("/api/v1/countries", &body)
        .await
        .assert_problem(422);
    body["name"] = json!("é".repeat(200));
    let created = app.create("/api/v1/countries", &body).await;
    assert_eq!(created["name"].as_str().unwrap().chars().count(), 200);
}

#[actix_web::test]
async fn patch_null_clears_a_nullable_field_and_is_refused_on_a_required_one() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let cleared = app
        .patch("/api/v1/countries/KEN", &json!({"member_since": null}))
        .await;
    cleared.assert_status(200);
    assert!(cleared.body["member_since"].is_null());

    app.patch(
        "/api/v1/countries/KEN",
        &json!({"name": null, "membership_status": null}),
    )
    .await
    .assert_invalid(&["name", "membership_status"]);
}

#[actix_web::test]
async fn patch_cannot_change_the_code_or_server_fields() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let before = app.snapshot().await;
    for (patch, fields) in [
        (json!({"code": "KEY"}), &["code"][..]),
        (
            json!({"version": 9, "updated_at": "2020-01-01T00:00:00Z"}),
            &["version", "updated_at"][..],
        ),
    ] {
        let _case = Case(patch.to_string());
        app.patch("/api/v1/countries/KEN", &patch)
            .await
            .assert_invalid(fields);
    }
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn list_is_ordered_by_code() {
    let app = spawn_app().await;
    for code in ["PER", "ARG", "KEN"] {
        app.create("/api/v1/countries", &country(code)).await;
    }
    let response = app.get("/api/v1/countries").await;
    response.assert_status(200);
    let codes: Vec<_> = response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["ARG", "KEN", "PER"]);
    assert!(response.body["next_cursor"].is_null());
    assert!(response.header("link").is_none());
}

use crate::fixtures::{country, plan};
use crate::helpers::spawn_app;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn create_then_get_returns_the_country_with_etag_and_location() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/countries", &country("KEN")).await;
    response.assert_status(201);
    assert_eq!(response.header("location"), Some("/api/v1/countries/KEN"));
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(
        response.body["membership_status"], "active",
        "default applies"
    );
    assert_eq!(response.body["version"], 1);
    assert!(response.body["created_at"].as_str().unwrap().ends_with('Z'));

    let fetched = app.get("/api/v1/countries/KEN").await;
    fetched.assert_status(200);
    assert_eq!(fetched.header("etag"), Some("\"1\""));
    assert_eq!(fetched.body, response.body);
}

#[actix_web::test]
async fn get_unknown_country_is_a_404_problem() {
    let app = spawn_app().await;
    app.get("/api/v1/countries/ZZZ").await.assert_problem(404);
}

#[actix_web::test]
async fn if_none_match_with_current_etag_is_a_304() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let request = TestRequest::get()
        .uri("/api/v1/countries/KEN")
        .insert_header(("If-None-Match", "\"1\""));
    app.send(request).await.assert_status(304);
    let stale = TestRequest::get()
        .uri("/api/v1/countries/KEN")
        .insert_header(("If-None-Match", "\"7\""));
    app.send(stale).await.assert_status(200);
}

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
async fn create_validation_names_every_bad_field() {
    let app = spawn_app().await;
    let body = json!({
        "code": "mex", "name": "", "region": "mars", "member_since": 2005,
        "membership_status": "sleeping"
    });
    let response = app.post("/api/v1/countries", &body).await;
    response.assert_problem(422);
    assert_eq!(
        response.error_fields(),
        [
            "code",
            "name",
            "region",
            "member_since",
            "membership_status"
        ]
    );
}

#[actix_web::test]
async fn missing_required_fields_are_named() {
    let app = spawn_app().await;
    let response = app.post("/api/v1/countries", &json!({})).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["code", "name", "region"]);
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
async fn patch_changes_only_what_it_names_and_bumps_version() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let response = app
        .patch("/api/v1/countries/KEN", &json!({"name": "Kenya"}))
        .await;
    response.assert_status(200);
    assert_eq!(response.body["name"], "Kenya");
    assert_eq!(response.body["region"], "americas");
    assert_eq!(response.body["member_since"], 2011);
    assert_eq!(response.body["version"], 2);
    assert_eq!(response.header("etag"), Some("\"2\""));
    assert_ne!(response.body["updated_at"], response.body["created_at"]);
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

    let refused = app
        .patch(
            "/api/v1/countries/KEN",
            &json!({"name": null, "membership_status": null}),
        )
        .await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), ["name", "membership_status"]);
}

#[actix_web::test]
async fn patch_cannot_change_the_code_or_server_fields() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let before = app.snapshot().await;
    let response = app
        .patch("/api/v1/countries/KEN", &json!({"code": "KEY"}))
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["code"]);
    let response = app
        .patch(
            "/api/v1/countries/KEN",
            &json!({"version": 9, "updated_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["version", "updated_at"]);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn patch_with_stale_if_match_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let before = app.snapshot().await;
    let request = app
        .authed(TestRequest::patch())
        .uri("/api/v1/countries/KEN")
        .insert_header(("If-Match", "\"2\""))
        .insert_header(("Content-Type", "application/merge-patch+json"))
        .set_payload(r#"{"name":"Kenya"}"#);
    app.send(request).await.assert_problem(412);
    assert_eq!(app.snapshot().await, before);
    let request = app
        .authed(TestRequest::patch())
        .uri("/api/v1/countries/KEN")
        .insert_header(("If-Match", "\"1\""))
        .set_json(json!({"name": "Kenya"}));
    app.send(request).await.assert_status(200);
}

#[actix_web::test]
async fn patch_unknown_country_is_a_404() {
    let app = spawn_app().await;
    app.patch("/api/v1/countries/ZZZ", &json!({"name": "x"}))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn delete_removes_the_country() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    app.delete("/api/v1/countries/KEN").await.assert_status(204);
    app.get("/api/v1/countries/KEN").await.assert_problem(404);
    app.delete("/api/v1/countries/KEN")
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn deleting_a_country_with_plans_is_a_409_and_deletes_nothing() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    app.create("/api/v1/action-plans", &plan("KEN", 1)).await;
    let before = app.snapshot().await;
    app.delete("/api/v1/countries/KEN")
        .await
        .assert_problem(409);
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

#[actix_web::test]
async fn wrong_method_on_a_collection_is_a_405_with_allow() {
    let app = spawn_app().await;
    let response = app
        .send(
            TestRequest::default()
                .method(Method::PUT)
                .uri("/api/v1/countries"),
        )
        .await;
    response.assert_problem(405);
    assert_eq!(response.header("allow"), Some("GET, POST"));
}

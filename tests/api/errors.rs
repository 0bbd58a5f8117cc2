//! Every failure path answers application/problem+json.

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_app_with};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

#[actix_web::test]
async fn malformed_json_is_a_400() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let response = app
        .raw(
            Method::POST,
            "/api/v1/countries",
            "application/json",
            "{\"code\": \"KEN\",",
        )
        .await;
    response.assert_problem(400);
    assert_eq!(response.body["type"], "/problems/malformed-json");
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn wrong_content_type_is_a_415() {
    let app = spawn_app().await;
    let body = country("KEN").to_string();
    app.raw(Method::POST, "/api/v1/countries", "text/plain", &body)
        .await
        .assert_problem(415);
    app.send(
        app.authed(TestRequest::post())
            .uri("/api/v1/countries")
            .set_payload(body),
    )
    .await
    .assert_problem(415);
}

#[actix_web::test]
async fn content_type_parameters_are_accepted() {
    let app = spawn_app().await;
    let body = country("KEN").to_string();
    app.raw(
        Method::POST,
        "/api/v1/countries",
        "application/json; charset=utf-8",
        &body,
    )
    .await
    .assert_status(201);
}

#[actix_web::test]
async fn a_body_that_is_not_an_object_is_a_422() {
    let app = spawn_app().await;
    for body in ["[]", "42", "\"text\"", "null"] {
        app.raw(Method::POST, "/api/v1/countries", "application/json", body)
            .await
            .assert_problem(422);
    }
}

#[actix_web::test]
async fn wrong_json_types_are_422s_naming_the_field() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/api/v1/countries",
            &json!({"code": 12, "name": ["x"], "region": "europe", "member_since": "2011"}),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["code", "name", "member_since"]);
}

#[actix_web::test]
async fn out_of_range_numbers_are_422s() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/api/v1/countries",
            &json!({"code": "KEN", "name": "Kenya", "region": "africa_middle_east",
                    "member_since": 99999999999_i64}),
        )
        .await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["member_since"]);
}

#[actix_web::test]
async fn nul_bytes_are_refused_not_a_500() {
    let app = spawn_app().await;
    let mut body = country("KEN");
    body["name"] = json!("Ken\u{0}ya");
    let response = app.post("/api/v1/countries", &body).await;
    response.assert_problem(422);
    assert_eq!(response.error_fields(), ["name"]);
}

#[actix_web::test]
async fn unknown_query_parameters_are_a_400() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/countries?colour=red").await;
    response.assert_problem(400);
    assert!(response.body["detail"].as_str().unwrap().contains("colour"));
    app.get("/api/v1/commitments?limit=10&limit=20")
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    app.get("/api/v1/nothing-here").await.assert_problem(404);
    // `/` is the API's index (conformance.rs); other paths outside `/api/v1` are 404s.
    app.get("/nothing-here").await.assert_problem(404);
}

#[actix_web::test]
async fn wrong_method_is_a_405_with_allow() {
    let app = spawn_app().await;
    let response = app
        .send(
            TestRequest::default()
                .method(Method::PUT)
                .uri("/api/v1/action-plans/1"),
        )
        .await;
    response.assert_problem(405);
    assert_eq!(response.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    let response = app
        .send(TestRequest::post().uri("/api/v1/countries/MEX/action-plans"))
        .await;
    response.assert_problem(405);
    assert_eq!(response.header("allow"), Some("GET, HEAD"));
}

#[actix_web::test]
async fn bodies_over_the_limit_are_a_413() {
    let app = spawn_app_with(2048).await;
    let mut body = country("KEN");
    body["name"] = json!("x".repeat(4000));
    let before = app.snapshot().await;
    app.post("/api/v1/countries", &body)
        .await
        .assert_problem(413);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn request_id_is_kept_when_sane_and_appears_in_problems() {
    let app = spawn_app().await;
    let response = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries/ZZZ")
                .insert_header(("X-Request-Id", "trace-42")),
        )
        .await;
    response.assert_problem(404);
    assert_eq!(response.header("x-request-id"), Some("trace-42"));
    assert_eq!(response.body["request_id"], "trace-42");
    assert_eq!(response.body["instance"], "/api/v1/countries/ZZZ");

    let response = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries")
                .insert_header(("X-Request-Id", "bad id with spaces")),
        )
        .await;
    let id = response.header("x-request-id").unwrap();
    assert_ne!(id, "bad id with spaces");
    assert_eq!(id.len(), 36, "a fresh UUID");
}

#[actix_web::test]
async fn database_unavailable_is_a_503_that_does_not_leak_internals() {
    let pool =
        ogp_api::db::pool("host=/nonexistent/socket/dir port=5432 user=x dbname=x", 2).unwrap();
    let app =
        actix_web::test::init_service(ogp_api::app::build(ogp_api::app::AppState::new(pool))).await;
    let response = actix_web::test::call_service(
        &app,
        TestRequest::get().uri("/api/v1/countries").to_request(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = actix_web::test::read_body_json(response).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        !detail.contains("nonexistent"),
        "leaks the connection string: {detail}"
    );
    assert_eq!(body["status"], 503);
}

//! Idempotency-Key on POST.

use crate::fixtures::country;
use crate::helpers::spawn_app;
use actix_web::test::TestRequest;

fn post(app: &crate::helpers::TestApp, key: &str, code: &str) -> TestRequest {
    app.authed(TestRequest::post())
        .uri("/api/v1/countries")
        .insert_header(("Idempotency-Key", key))
        .set_json(country(code))
}

#[actix_web::test]
async fn a_retry_returns_the_first_response_and_creates_nothing_twice() {
    let app = spawn_app().await;
    let first = app.send(post(&app, "retry-1", "KEN")).await;
    first.assert_status(201);
    let snapshot = app.snapshot().await;
    let retry = app.send(post(&app, "retry-1", "KEN")).await;
    retry.assert_status(201);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("etag"), first.header("etag"));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.snapshot().await, snapshot, "nothing created twice");
    let feed = app.get("/api/v1/changes").await;
    assert_eq!(feed.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_same_key_with_another_body_is_a_422() {
    let app = spawn_app().await;
    app.send(post(&app, "k", "KEN")).await.assert_status(201);
    let snapshot = app.snapshot().await;
    let other = app.send(post(&app, "k", "PER")).await;
    other.assert_problem(422);
    assert_eq!(other.error_fields(), ["Idempotency-Key"]);
    assert_eq!(app.snapshot().await, snapshot);
}

#[actix_web::test]
async fn failures_are_not_remembered_and_keys_are_per_client() {
    let app = spawn_app().await;
    let bad = app
        .authed(TestRequest::post())
        .uri("/api/v1/countries")
        .insert_header(("Idempotency-Key", "fix-me"))
        .set_json(serde_json::json!({"code": "KEN"}));
    app.send(bad).await.assert_problem(422);
    app.send(post(&app, "fix-me", "KEN"))
        .await
        .assert_status(201);
    // Another key holder may use the same Idempotency-Key for its own request.
    let editor = app
        .key_with_role("other-team", ogp_api::auth::Role::Editor)
        .await;
    let theirs = TestRequest::post()
        .uri("/api/v1/countries")
        .insert_header(("Authorization", format!("Bearer {editor}")))
        .insert_header(("Idempotency-Key", "fix-me"))
        .set_json(country("PER"));
    app.send(theirs).await.assert_status(201);
    let invalid = app
        .authed(TestRequest::post())
        .uri("/api/v1/countries")
        .insert_header(("Idempotency-Key", ""))
        .set_json(country("ESP"));
    app.send(invalid).await.assert_problem(400);
}

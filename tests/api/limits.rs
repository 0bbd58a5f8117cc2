//! Rate limits, CORS and security headers.

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_app_with_policy};
use actix_web::test::TestRequest;
use ogp_api::app::Policy;

#[actix_web::test]
async fn reads_and_writes_are_limited_per_client() {
    let policy = Policy {
        reads_per_minute: 3,
        writes_per_minute: 1,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    for remaining in [2, 1, 0] {
        let response = app.get("/api/v1/countries").await;
        response.assert_status(200);
        assert_eq!(response.header("ratelimit-limit"), Some("3"));
        assert_eq!(
            response.header("ratelimit-remaining"),
            Some(remaining.to_string().as_str())
        );
    }
    let limited = app.get("/api/v1/countries").await;
    limited.assert_problem(429);
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    // Writes count apart, per key.
    app.post("/api/v1/countries", &country("KEN"))
        .await
        .assert_status(201);
    app.post("/api/v1/countries", &country("PER"))
        .await
        .assert_problem(429);
}

#[actix_web::test]
async fn cors_preflight_is_answered_for_configured_origins() {
    let policy = Policy {
        cors_origins: vec!["https://dashboard.example.org".to_string()],
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    let preflight = TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/v1/countries")
        .insert_header(("Origin", "https://dashboard.example.org"))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .insert_header((
            "Access-Control-Request-Headers",
            "authorization, content-type",
        ));
    let response = app.send(preflight).await;
    assert!(response.status.is_success(), "{}", response.status);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://dashboard.example.org")
    );
    let read = TestRequest::get()
        .uri("/api/v1/countries")
        .insert_header(("Origin", "https://dashboard.example.org"));
    let response = app.send(read).await;
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://dashboard.example.org")
    );
    assert!(response
        .header("access-control-expose-headers")
        .unwrap()
        .contains("etag"));
}

#[actix_web::test]
async fn responses_carry_nosniff_and_a_request_id() {
    let app = spawn_app().await;
    for response in [app.get("/api/v1/countries").await, app.get("/nope").await] {
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert!(response.header("x-request-id").is_some());
    }
}

//! Rate limits, CORS and security headers.

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_app_with_policy};
use actix_web::test::TestRequest;
use ogp_api::app::{self, AppState, Policy};
use ogp_api::rate_limit::RateLimits;
use std::sync::Arc;
use std::time::Duration;

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

/// A write that is refused as invalid (422) without touching any row: cheap enough to send
/// many of, and still a write for the rate limiter.
fn invalid_write(key: &str, peer: Option<&str>) -> TestRequest {
    let request = TestRequest::post()
        .uri("/api/v1/countries")
        .insert_header(("Authorization", format!("Bearer {key}")))
        .set_json(serde_json::json!({}));
    match peer {
        Some(peer) => request.peer_addr(peer.parse().unwrap()),
        None => request,
    }
}

#[actix_web::test]
async fn one_budget_per_client_whichever_worker_serves_it() {
    use actix_web::dev::Service;
    let app = spawn_app().await;
    // One AppState, four apps built from clones of it: what four HTTP workers run. The quota
    // is 60 per hour instead of per minute so that no cell refills while the test runs, however
    // slow the machine; the sharing under test does not depend on the period.
    let state = AppState {
        limits: Arc::new(RateLimits::with_period(0, 60, Duration::from_secs(3600))),
        ..AppState::new(app.pool.clone())
    };
    let mut workers = Vec::new();
    for _ in 0..4 {
        workers.push(actix_web::test::init_service(app::build(state.clone())).await);
    }
    for n in 0..70u32 {
        let worker = &workers[n as usize % 4];
        let response = worker
            .call(invalid_write(&app.key, Some("192.0.2.1:4000")).to_request())
            .await
            .unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        if n < 60 {
            assert_eq!(response.status().as_u16(), 422, "write {n}");
            assert_eq!(header("ratelimit-limit").as_deref(), Some("60"));
            assert_eq!(
                header("ratelimit-remaining"),
                Some((59 - n).to_string()),
                "write {n}"
            );
        } else {
            assert_eq!(response.status().as_u16(), 429, "write {n}");
            assert!(header("retry-after").is_some());
            assert_eq!(header("ratelimit-remaining").as_deref(), Some("0"));
        }
    }
}

#[actix_web::test]
async fn trusted_proxies_forward_the_client_and_nobody_else_can() {
    let policy = Policy {
        reads_per_minute: 2,
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    let read = |peer: &str, forwarded_for: &str| {
        TestRequest::get()
            .uri("/api/v1/countries")
            .peer_addr(peer.parse().unwrap())
            .insert_header(("X-Forwarded-For", forwarded_for.to_string()))
    };
    // Behind the trusted proxy: each forwarded client has its own budget.
    for _ in 0..2 {
        app.send(read("10.0.0.1:5000", "198.51.100.1"))
            .await
            .assert_status(200);
    }
    app.send(read("10.0.0.1:5000", "198.51.100.1"))
        .await
        .assert_problem(429);
    app.send(read("10.0.0.2:5000", "6.6.6.6, 198.51.100.2"))
        .await
        .assert_status(200);
    // A client's own `Forwarded`, passed through by a proxy that writes X-Forwarded-For (the
    // configured header), cannot buy it a fresh budget.
    let spoofed = read("10.0.0.1:5000", "198.51.100.1")
        .insert_header(("Forwarded", "for=\"[2001:db8::7]:4711\""));
    app.send(spoofed).await.assert_problem(429);
    // From an untrusted peer the header is ignored: one budget, however it is set.
    for _ in 0..2 {
        app.send(read("203.0.113.9:5000", "198.51.100.3"))
            .await
            .assert_status(200);
    }
    app.send(read("203.0.113.9:5000", "198.51.100.4"))
        .await
        .assert_problem(429);
}

#[actix_web::test]
async fn not_modified_answers_do_not_use_up_the_read_budget() {
    let policy = Policy {
        reads_per_minute: 3,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let first = app.get("/api/v1/countries/KEN").await;
    first.assert_status(200);
    assert_eq!(first.header("ratelimit-remaining"), Some("2"));
    let etag = first.header("etag").unwrap().to_string();
    let conditional = |tag: &str| {
        TestRequest::get()
            .uri("/api/v1/countries/KEN")
            .insert_header(("If-None-Match", tag.to_string()))
    };
    for _ in 0..10 {
        let response = app.send(conditional(&etag)).await;
        response.assert_status(304);
        assert_eq!(response.header("ratelimit-limit"), Some("3"));
    }
    let second = app.get("/api/v1/countries/KEN").await;
    second.assert_status(200);
    assert_eq!(
        second.header("ratelimit-remaining"),
        Some("1"),
        "ten 304s took nothing"
    );
    // A conditional request that is not answered 304 counts.
    let stale = app.send(conditional("\"999\"")).await;
    stale.assert_status(200);
    assert_eq!(stale.header("ratelimit-remaining"), Some("0"));
    // Over the budget, a conditional request that would be a 200 is refused (after the fact)…
    app.send(conditional("\"999\"")).await.assert_problem(429);
    // …and from then on every conditional request is refused up front, even one that would
    // have been a free 304.
    let blocked = app.send(conditional(&etag)).await;
    blocked.assert_problem(429);
    assert!(blocked.header("retry-after").is_some());
    app.get("/api/v1/countries/KEN").await.assert_problem(429);
}

#[actix_web::test]
async fn invalid_keys_are_rate_limited_per_address_before_any_lookup() {
    let policy = Policy {
        reads_per_minute: 3,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    let guess = |key: &str| {
        TestRequest::get()
            .uri("/api/v1/countries")
            .peer_addr("203.0.113.77:5000".parse().unwrap())
            .insert_header(("Authorization", format!("Bearer {key}")))
    };
    for n in 0..3 {
        app.send(guess(&format!("wrong-{n}")))
            .await
            .assert_problem(401);
    }
    let refused = app.send(guess("wrong-3")).await;
    refused.assert_problem(429);
    assert!(refused.header("retry-after").is_some());
    // Refused up front, whatever the key, until the address's allowance is back.
    app.send(guess(&app.key)).await.assert_problem(429);
    // Another address is not affected.
    let other = TestRequest::get()
        .uri("/api/v1/countries")
        .peer_addr("203.0.113.78:5000".parse().unwrap())
        .insert_header(("Authorization", format!("Bearer {}", app.key)));
    app.send(other).await.assert_status(200);
}

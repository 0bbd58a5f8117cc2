//! No lost updates: conditional writes under concurrency.

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_app_with_policy, TestApp};
use actix_web::test::TestRequest;
use futures_util::future::join_all;
use ogp_api::app::Policy;
use serde_json::json;

/// One editor: read, append its marker to the name, write with If-Match; retry on 412.
/// Returns (accepted, rejected-with-412).
async fn editor(app: &TestApp, marker: String) -> (u32, u32) {
    let mut rejected = 0;
    loop {
        let current = app.get("/api/v1/countries/KEN").await;
        let etag = current.header("etag").unwrap().to_string();
        let name = format!("{}|{marker}", current.body["name"].as_str().unwrap());
        let request = app
            .authed(TestRequest::patch())
            .uri("/api/v1/countries/KEN")
            .insert_header(("If-Match", etag))
            .set_json(json!({"name": name}));
        let response = app.send(request).await;
        match response.status.as_u16() {
            200 => return (1, rejected),
            412 => {
                response.assert_problem(412);
                rejected += 1;
            }
            other => panic!("unexpected {other}: {}", response.text),
        }
        assert!(rejected < 200, "editor {marker} starved");
    }
}

#[actix_web::test]
async fn racing_conditional_patches_lose_no_update() {
    let app = spawn_app().await;
    let mut body = country("KEN");
    body["name"] = json!("K");
    app.create("/api/v1/countries", &body).await;
    let editors = 12;
    let results = join_all((0..editors).map(|i| editor(&app, format!("e{i}")))).await;
    let accepted: u32 = results.iter().map(|r| r.0).sum();
    let rejected: u32 = results.iter().map(|r| r.1).sum();
    assert_eq!(accepted, editors);
    assert!(rejected > 0, "the editors really raced");
    let last = app.get("/api/v1/countries/KEN").await;
    let name = last.body["name"].as_str().unwrap();
    let markers: Vec<&str> = name.split('|').skip(1).collect();
    for i in 0..editors {
        let marker = format!("e{i}");
        let found = markers.iter().filter(|m| **m == marker).count();
        assert_eq!(found, 1, "update {marker} in {name}");
    }
    assert_eq!(last.body["version"], 1 + editors as i64);
}

#[actix_web::test]
async fn same_version_if_match_lets_exactly_one_win() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let attempts = (0..8).map(|i| {
        let request = app
            .authed(TestRequest::patch())
            .uri("/api/v1/countries/KEN")
            .insert_header(("If-Match", "\"1\""))
            .set_json(json!({"name": format!("Name {i}")}));
        app.send(request)
    });
    let statuses: Vec<u16> = join_all(attempts)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        7,
        "{statuses:?}"
    );
}

#[actix_web::test]
async fn if_match_can_be_required() {
    let policy = Policy {
        require_if_match: true,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    app.create("/api/v1/countries", &country("KEN")).await;
    app.patch("/api/v1/countries/KEN", &json!({"name": "Kenya"}))
        .await
        .assert_problem(428);
    app.delete("/api/v1/countries/KEN")
        .await
        .assert_problem(428);
    app.patch_if_match(
        "/api/v1/countries/KEN",
        "\"1\"",
        "application/json",
        &json!({"name": "Kenya"}),
    )
    .await
    .assert_status(200);
}

//! `PUT /countries/{code}`: create or replace by the natural key in the path, with
//! `If-None-Match: *` (create only) and `If-Match` (replace only).

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_app_with_policy, TestApp, TestResponse};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use futures_util::future::join_all;
use ogp_api::app::Policy;
use serde_json::{json, Value};

/// A PUT of `body` to `path` with the admin key and `headers`.
async fn put(app: &TestApp, path: &str, headers: &[(&str, &str)], body: &Value) -> TestResponse {
    app.send(put_request(app, path, headers, body)).await
}

fn put_request(app: &TestApp, path: &str, headers: &[(&str, &str)], body: &Value) -> TestRequest {
    let mut request = app.authed(TestRequest::put().uri(path).set_json(body));
    for (name, value) in headers {
        request = request.insert_header((*name, *value));
    }
    request
}

/// The actions of an item's change history, oldest first.
async fn history(app: &TestApp, code: &str) -> Vec<String> {
    let history = app.get(&format!("/api/v1/countries/{code}/history")).await;
    history.assert_status(200);
    history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn put_creates_then_replaces_the_whole_country() {
    let app = spawn_app().await;
    // No `code` in the body: it takes the path's.
    let body = json!({"name": "Kenya", "region": "africa_middle_east", "member_since": 2011,
        "membership_status": "under_review"});
    let created = put(&app, "/api/v1/countries/KEN", &[], &body).await;
    created.assert_status(201);
    assert_eq!(created.header("location"), Some("/api/v1/countries/KEN"));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.body["code"], "KEN");
    assert_eq!(created.body["membership_status"], "under_review");
    assert_eq!(
        app.get("/api/v1/countries/KEN").await.body,
        created.body,
        "the created country is stored"
    );

    // A full replacement: the fields left out take their defaults, not their stored values.
    let replaced = put(
        &app,
        "/api/v1/countries/KEN",
        &[],
        &json!({"code": "KEN", "name": "Republic of Kenya", "region": "africa_middle_east"}),
    )
    .await;
    replaced.assert_status(200);
    assert_eq!(replaced.header("etag"), Some("\"2\""));
    assert_eq!(replaced.header("location"), None);
    assert_eq!(replaced.body["name"], "Republic of Kenya");
    assert_eq!(replaced.body["member_since"], Value::Null);
    assert_eq!(replaced.body["membership_status"], "active");
    assert_eq!(replaced.body["version"], 2);
    assert_eq!(replaced.body["created_at"], created.body["created_at"]);
    let stored = app.get("/api/v1/countries/KEN").await;
    assert_eq!(stored.body, replaced.body);
    assert_eq!(stored.header("etag"), Some("\"2\""));

    // The change feed holds one create and one update, each with the row after it.
    assert_eq!(history(&app, "KEN").await, ["create", "update"]);
    let feed = app.get("/api/v1/changes?resource=countries").await;
    let items = feed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", feed.text);
    assert_eq!(items[0]["action"], "create");
    assert_eq!(items[0]["data"]["name"], "Kenya");
    assert_eq!(items[1]["action"], "update");
    assert_eq!(items[1]["data"]["name"], "Republic of Kenya");
}

#[actix_web::test]
async fn a_replace_by_the_stored_body_writes_nothing() {
    let app = spawn_app().await;
    let body = country("KEN");
    put(&app, "/api/v1/countries/KEN", &[], &body)
        .await
        .assert_status(201);
    let before = app.snapshot().await;
    // The same body, with and without the code (which the path supplies), and with the
    // default spelled out: each is the country as stored.
    let mut without_code = body.clone();
    without_code.as_object_mut().unwrap().remove("code");
    let mut with_default = body.clone();
    with_default["membership_status"] = json!("active");
    for same in [&body, &without_code, &with_default] {
        let again = put(
            &app,
            "/api/v1/countries/KEN",
            &[("If-Match", "\"1\"")],
            same,
        )
        .await;
        again.assert_status(200);
        assert_eq!(again.header("etag"), Some("\"1\""));
        assert_eq!(again.body["version"], 1);
        assert_eq!(again.body["name"], "Country KEN");
    }
    assert_eq!(app.snapshot().await, before, "an identical replace wrote");
    assert_eq!(history(&app, "KEN").await, ["create"]);
    // An identical body still meets the preconditions: it is a replace.
    put(
        &app,
        "/api/v1/countries/KEN",
        &[("If-None-Match", "*")],
        &body,
    )
    .await
    .assert_problem(412);
    put(
        &app,
        "/api/v1/countries/KEN",
        &[("If-Match", "\"7\"")],
        &body,
    )
    .await
    .assert_problem(412);
}

#[actix_web::test]
async fn if_none_match_star_creates_only() {
    let app = spawn_app().await;
    let create_only = [("If-None-Match", "*")];
    let created = put(&app, "/api/v1/countries/KEN", &create_only, &country("KEN")).await;
    created.assert_status(201);
    assert_eq!(created.header("etag"), Some("\"1\""));
    let before = app.snapshot().await;
    let mut other = country("KEN");
    other["name"] = json!("Kenya");
    let refused = put(&app, "/api/v1/countries/KEN", &create_only, &other).await;
    refused.assert_problem(412);
    assert_eq!(
        refused.header("etag"),
        Some("\"1\""),
        "names the current version"
    );
    assert!(refused.body["detail"]
        .as_str()
        .unwrap()
        .contains("already exists"));
    assert_eq!(app.snapshot().await, before);
    assert_eq!(
        app.get("/api/v1/countries/KEN").await.body["name"],
        "Country KEN"
    );
}

#[actix_web::test]
async fn if_match_replaces_only() {
    let app = spawn_app().await;
    // Nothing has the code: no version can match, and nothing is created.
    let absent = put(
        &app,
        "/api/v1/countries/KEN",
        &[("If-Match", "\"1\"")],
        &country("KEN"),
    )
    .await;
    absent.assert_problem(412);
    put(
        &app,
        "/api/v1/countries/PER",
        &[("If-Match", "*")],
        &country("PER"),
    )
    .await
    .assert_problem(412);
    app.get("/api/v1/countries/KEN").await.assert_problem(404);
    app.get("/api/v1/countries/PER").await.assert_problem(404);

    app.create("/api/v1/countries", &country("KEN")).await;
    let mut renamed = country("KEN");
    renamed["name"] = json!("Kenya");
    let replaced = put(
        &app,
        "/api/v1/countries/KEN",
        &[("If-Match", "\"1\"")],
        &renamed,
    )
    .await;
    replaced.assert_status(200);
    assert_eq!(replaced.header("etag"), Some("\"2\""));
    assert_eq!(replaced.body["name"], "Kenya");

    // Stale: the country is at version 2 now.
    let before = app.snapshot().await;
    renamed["name"] = json!("Stale Kenya");
    let stale = put(
        &app,
        "/api/v1/countries/KEN",
        &[("If-Match", "\"1\"")],
        &renamed,
    )
    .await;
    stale.assert_problem(412);
    assert_eq!(stale.header("etag"), Some("\"2\""));
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn a_body_code_other_than_the_paths_is_a_422_naming_code() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let response = put(&app, "/api/v1/countries/KEN", &[], &country("PER")).await;
    response.assert_invalid(&["code"]);
    assert!(
        response.text.contains("KEN"),
        "names the path's code: {}",
        response.text
    );
    assert_eq!(app.snapshot().await, before, "nothing was created");
    app.create("/api/v1/countries", &country("KEN")).await;
    let before_replace = app.snapshot().await;
    put(&app, "/api/v1/countries/KEN", &[], &country("PER"))
        .await
        .assert_invalid(&["code"]);
    assert_eq!(app.snapshot().await, before_replace);
    // A code that is not a string is the body's own error on `code`.
    let mut numeric = country("KEN");
    numeric["code"] = json!(7);
    put(&app, "/api/v1/countries/KEN", &[], &numeric)
        .await
        .assert_invalid(&["code"]);
    // A path that cannot be a country code names no resource at all.
    put(&app, "/api/v1/countries/ken", &[], &country("ken"))
        .await
        .assert_problem(404);
    app.get("/api/v1/countries/PER").await.assert_problem(404);
}

#[actix_web::test]
async fn an_invalid_body_is_a_422_and_changes_nothing() {
    let app = spawn_app().await;
    let invalid = json!({"name": "", "region": "atlantis", "member_since": 1999, "version": 3});
    // Absent: nothing is created.
    let before = app.snapshot().await;
    put(&app, "/api/v1/countries/KEN", &[], &invalid)
        .await
        .assert_invalid(&["version", "name", "region", "member_since"]);
    assert_eq!(app.snapshot().await, before);
    // Present: nothing is replaced, whatever the preconditions say.
    app.create("/api/v1/countries", &country("KEN")).await;
    let before = app.snapshot().await;
    for headers in [
        &[][..],
        &[("If-Match", "\"1\"")][..],
        &[("If-Match", "\"9\"")][..],
    ] {
        put(&app, "/api/v1/countries/KEN", headers, &invalid)
            .await
            .assert_invalid(&["version", "name", "region", "member_since"]);
    }
    // A required field missing is a 422 too: a PUT is not a merge.
    put(
        &app,
        "/api/v1/countries/KEN",
        &[],
        &json!({"name": "Kenya"}),
    )
    .await
    .assert_invalid(&["region"]);
    let not_json = app
        .raw(
            Method::PUT,
            "/api/v1/countries/KEN",
            "application/json",
            "{",
        )
        .await;
    not_json.assert_problem(400);
    let not_an_object = app
        .raw(
            Method::PUT,
            "/api/v1/countries/KEN",
            "application/json",
            "[]",
        )
        .await;
    not_an_object.assert_problem(422);
    let form = app
        .raw(Method::PUT, "/api/v1/countries/KEN", "text/plain", "{}")
        .await;
    form.assert_problem(415);
    assert_eq!(app.snapshot().await, before);
}

#[actix_web::test]
async fn put_needs_an_editor_key() {
    let app = spawn_app().await;
    let anonymous = TestRequest::put()
        .uri("/api/v1/countries/KEN")
        .set_json(country("KEN"));
    app.send(anonymous).await.assert_problem(401);
    let editor = app
        .key_with_role("editor", ogp_api::auth::Role::Editor)
        .await;
    let as_editor = TestRequest::put()
        .uri("/api/v1/countries/KEN")
        .insert_header(("Authorization", format!("Bearer {editor}")))
        .set_json(country("KEN"));
    app.send(as_editor).await.assert_status(201);
    // The change log names the key that wrote (shown to key holders only).
    let feed = app
        .send(app.authed(TestRequest::get().uri("/api/v1/countries/KEN/history")))
        .await;
    assert_eq!(feed.body["items"][0]["actor"], "editor", "{}", feed.text);
}

#[actix_web::test]
async fn the_item_route_allows_put() {
    let app = spawn_app().await;
    let response = app
        .send(app.authed(TestRequest::post().uri("/api/v1/countries/KEN")))
        .await;
    response.assert_problem(405);
    assert_eq!(
        response.header("allow"),
        Some("GET, HEAD, PUT, PATCH, DELETE")
    );
    let policy = Policy {
        cors_origins: vec!["https://dashboard.example.org".to_string()],
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    let preflight = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/v1/countries/KEN")
        .insert_header(("Origin", "https://dashboard.example.org"))
        .insert_header(("Access-Control-Request-Method", "PUT"))
        .insert_header((
            "Access-Control-Request-Headers",
            "authorization, content-type, if-none-match",
        ));
    let response = app.send(preflight).await;
    assert!(response.status.is_success(), "{}", response.status);
    assert!(response
        .header("access-control-allow-methods")
        .unwrap()
        .contains("PUT"));
}

#[actix_web::test]
async fn a_server_requiring_preconditions_wants_one_on_put() {
    let policy = Policy {
        require_if_match: true,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    put(&app, "/api/v1/countries/KEN", &[], &country("KEN"))
        .await
        .assert_problem(428);
    app.get("/api/v1/countries/KEN").await.assert_problem(404);
    put(
        &app,
        "/api/v1/countries/KEN",
        &[("If-None-Match", "*")],
        &country("KEN"),
    )
    .await
    .assert_status(201);
    let mut renamed = country("KEN");
    renamed["name"] = json!("Kenya");
    put(&app, "/api/v1/countries/KEN", &[], &renamed)
        .await
        .assert_problem(428);
    put(
        &app,
        "/api/v1/countries/KEN",
        &[("If-Match", "\"1\"")],
        &renamed,
    )
    .await
    .assert_status(200);
}

/// `racers` PUTs of the same new code at once, each with another name; their statuses.
async fn race(app: &TestApp, code: &str, headers: &[(&str, &str)], racers: usize) -> Vec<u16> {
    let path = format!("/api/v1/countries/{code}");
    let requests = (0..racers).map(|i| {
        let mut body = country(code);
        body["name"] = json!(format!("Racer {i}"));
        app.send(put_request(app, &path, headers, &body))
    });
    let responses = join_all(requests).await;
    for response in &responses {
        assert!(
            matches!(response.status.as_u16(), 200 | 201 | 412),
            "{}: {}",
            response.status,
            response.text
        );
    }
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    statuses
}

#[actix_web::test]
async fn concurrent_puts_creating_one_code_give_one_create() {
    let app = spawn_app().await;
    // Two at once: one creates, the other replaces what it created.
    assert_eq!(race(&app, "KEN", &[], 2).await, [200, 201]);
    assert_eq!(history(&app, "KEN").await, ["create", "update"]);
    assert_eq!(app.get("/api/v1/countries/KEN").await.body["version"], 2);
    // Create only: one creates, the other is told it exists.
    assert_eq!(
        race(&app, "PER", &[("If-None-Match", "*")], 2).await,
        [201, 412]
    );
    assert_eq!(history(&app, "PER").await, ["create"]);
    // Many at once: still one create, and every other PUT a replace, none lost.
    let racers = 8;
    let statuses = race(&app, "MEX", &[], racers).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), racers - 1);
    let mex = app.get("/api/v1/countries/MEX").await;
    assert_eq!(mex.body["version"], racers as i64);
    let actions = history(&app, "MEX").await;
    assert_eq!(actions.len(), racers);
    assert_eq!(actions[0], "create");
    assert!(actions[1..].iter().all(|a| a == "update"), "{actions:?}");
}

//! API keys and roles.

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_app_with_policy};
use actix_web::test::TestRequest;
use ogp_api::app::Policy;
use ogp_api::auth::Role;
use serde_json::json;

fn post_country(key: Option<&str>, code: &str) -> TestRequest {
    let request = TestRequest::post()
        .uri("/api/v1/countries")
        .set_json(country(code));
    match key {
        Some(key) => request.insert_header(("Authorization", format!("Bearer {key}"))),
        None => request,
    }
}

#[actix_web::test]
async fn writes_without_a_valid_key_are_401_and_change_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let response = app.send(post_country(None, "KEN")).await;
    response.assert_problem(401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    let forged = format!("ogp_0123456789ab_{}", "x".repeat(43));
    for key in ["garbage", forged.as_str(), &app.key[..app.key.len() - 1]] {
        app.send(post_country(Some(key), "KEN"))
            .await
            .assert_problem(401);
    }
    let basic = TestRequest::post()
        .uri("/api/v1/countries")
        .insert_header(("Authorization", "Basic dXNlcjpwYXNz"))
        .set_json(country("KEN"));
    app.send(basic).await.assert_problem(401);
    assert_eq!(app.snapshot().await, before);
    // Reads stay public.
    app.get("/api/v1/countries").await.assert_status(200);
}

#[actix_web::test]
async fn editors_create_and_update_only_admins_delete() {
    let app = spawn_app().await;
    let editor = app.key_with_role("data-team", Role::Editor).await;
    app.send(post_country(Some(&editor), "KEN"))
        .await
        .assert_status(201);
    let patch = TestRequest::patch()
        .uri("/api/v1/countries/KEN")
        .insert_header(("Authorization", format!("Bearer {editor}")))
        .set_json(json!({"name": "Kenya"}));
    app.send(patch).await.assert_status(200);
    let delete = TestRequest::delete()
        .uri("/api/v1/countries/KEN")
        .insert_header(("Authorization", format!("Bearer {editor}")));
    let response = app.send(delete).await;
    response.assert_problem(403);
    assert!(response.body["detail"].as_str().unwrap().contains("admin"));
    app.delete("/api/v1/countries/KEN").await.assert_status(204);
}

#[actix_web::test]
async fn a_revoked_key_stops_working_at_once() {
    let app = spawn_app().await;
    let editor = app.key_with_role("temp", Role::Editor).await;
    app.send(post_country(Some(&editor), "KEN"))
        .await
        .assert_status(201);
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    let keys = ogp_api::auth::keys::list(&mut conn).await.unwrap();
    let temp = keys.iter().find(|k| k.name == "temp").unwrap();
    assert!(temp.last_used_at.is_some(), "last_used_at is kept");
    assert!(ogp_api::auth::keys::revoke(&mut conn, temp.id)
        .await
        .unwrap());
    app.send(post_country(Some(&editor), "PER"))
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn keys_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        row: String,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT to_jsonb(k)::text AS row FROM api_keys k")
        .load(&mut conn)
        .await
        .unwrap();
    // `ogp_<prefix>_<secret>`: the secret is base64url and may itself hold a `_`, so split
    // after the prefix (a last-`_` split could leave a tail of a few characters, which a
    // stored hash then contains by chance).
    let secret = app.key.splitn(3, '_').nth(2).unwrap();
    assert_eq!(secret.len(), 43, "{}", app.key);
    for row in rows {
        assert!(
            !row.row.contains(secret),
            "a key's secret is stored: {}",
            row.row
        );
    }
}

#[actix_web::test]
async fn reads_can_require_a_key() {
    let policy = Policy {
        read_requires_key: true,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    app.get("/api/v1/countries").await.assert_problem(401);
    let authed = app.authed(TestRequest::get().uri("/api/v1/countries"));
    app.send(authed).await.assert_status(200);
    // Operations endpoints stay open.
    app.get("/healthz").await.assert_status(200);
    app.get("/openapi.json").await.assert_status(200);
}

#[actix_web::test]
async fn every_change_records_the_key_name_as_actor() {
    let app = spawn_app().await;
    let editor = app.key_with_role("ken-editors", Role::Editor).await;
    app.send(post_country(Some(&editor), "KEN"))
        .await
        .assert_status(201);
    // Actors are shown to key holders only (tests/api/exposure.rs).
    let feed = app
        .send(app.authed(TestRequest::get().uri("/api/v1/changes")))
        .await;
    let change = &feed.body["items"][0];
    assert_eq!(change["actor"], "ken-editors");
    assert_eq!(change["action"], "create");
    assert_eq!(change["resource"], "countries");
    assert_eq!(change["key"], "KEN");
}

#[actix_web::test]
async fn unknown_routes_and_methods_answer_404_and_405_before_asking_for_a_key() {
    let app = spawn_app().await;
    app.send(TestRequest::post().uri("/api/v1/nothing"))
        .await
        .assert_problem(404);
    // Only countries take a PUT (their key is natural): elsewhere it is an unknown method.
    app.send(TestRequest::put().uri("/api/v1/action-plans/1"))
        .await
        .assert_problem(405);
}

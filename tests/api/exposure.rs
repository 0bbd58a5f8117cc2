//! What is exposed to whom: caching of keyed and anonymous answers, the docs page's security
//! headers, who may read `/metrics` (and where), and the change feed's actors.

use crate::fixtures::country;
use crate::helpers::{spawn_app, spawn_app_with_policy};
use actix_web::test::TestRequest;
use ogp_api::app::Policy;
use ogp_api::auth::Role;

fn vary_lists_authorization(vary: Option<&str>) -> bool {
    vary.is_some_and(|v| {
        v.split(',')
            .any(|f| f.trim().eq_ignore_ascii_case("authorization"))
    })
}

#[actix_web::test]
async fn keyed_reads_are_private_anonymous_reads_public_and_writes_never_stored() {
    let app = spawn_app().await;
    let write = app.post("/api/v1/countries", &country("KEN")).await;
    write.assert_status(201);
    assert_eq!(write.header("cache-control"), Some("no-store"));

    let anonymous = app.get("/api/v1/countries/KEN").await;
    anonymous.assert_status(200);
    assert_eq!(
        anonymous.header("cache-control"),
        Some("public, max-age=30")
    );
    assert!(vary_lists_authorization(anonymous.header("vary")));

    let keyed = app
        .send(app.authed(TestRequest::get().uri("/api/v1/countries/KEN")))
        .await;
    keyed.assert_status(200);
    assert_eq!(keyed.header("cache-control"), Some("private, max-age=30"));
    assert!(vary_lists_authorization(keyed.header("vary")));
    let etag = keyed.header("etag").unwrap().to_string();
    let revalidated = app
        .send(
            app.authed(
                TestRequest::get()
                    .uri("/api/v1/countries/KEN")
                    .insert_header(("If-None-Match", etag)),
            ),
        )
        .await;
    revalidated.assert_status(304);
    assert_eq!(
        revalidated.header("cache-control"),
        Some("private, max-age=30")
    );

    let patch = app
        .patch(
            "/api/v1/countries/KEN",
            &serde_json::json!({"name": "Kenya"}),
        )
        .await;
    patch.assert_status(200);
    assert_eq!(patch.header("cache-control"), Some("no-store"));
    let delete = app.delete("/api/v1/countries/KEN").await;
    delete.assert_status(204);
    assert_eq!(delete.header("cache-control"), Some("no-store"));

    // Problems are not reused either.
    let missing = app.get("/api/v1/countries/KEN").await;
    missing.assert_problem(404);
    assert_eq!(missing.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn when_reads_need_a_key_every_read_is_private() {
    let policy = Policy {
        read_requires_key: true,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    app.post("/api/v1/countries", &country("KEN"))
        .await
        .assert_status(201);
    for path in ["/api/v1/countries", "/api/v1/countries/KEN"] {
        let response = app.send(app.authed(TestRequest::get().uri(path))).await;
        response.assert_status(200);
        assert_eq!(
            response.header("cache-control"),
            Some("private, max-age=30"),
            "{path}"
        );
        assert!(vary_lists_authorization(response.header("vary")), "{path}");
    }
    let refused = app.get("/api/v1/countries").await;
    refused.assert_problem(401);
    assert_eq!(refused.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn the_docs_page_has_a_content_security_policy_and_cannot_be_framed() {
    let app = spawn_app().await;
    for path in ["/docs/", "/docs/swagger-initializer.js"] {
        let docs = app.get(path).await;
        docs.assert_status(200);
        let csp = docs.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(docs.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            docs.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
    }
    let api = app.get("/api/v1/countries").await;
    assert_eq!(api.header("x-frame-options"), Some("DENY"));
    assert!(api.header("content-security-policy").is_none());
}

#[actix_web::test]
async fn metrics_need_a_key_when_reads_do() {
    let policy = Policy {
        read_requires_key: true,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    app.get("/metrics").await.assert_problem(401);
    let viewer = app.key_with_role("grafana", Role::Editor).await;
    let keyed = TestRequest::get()
        .uri("/metrics")
        .insert_header(("Authorization", format!("Bearer {viewer}")));
    let metrics = app.send(keyed).await;
    metrics.assert_status(200);
    assert!(metrics.text.contains("ogp_api_http_requests_total"));
    // Public reads: public metrics, as before.
    let open = spawn_app().await;
    open.get("/metrics").await.assert_status(200);
}

#[actix_web::test]
async fn metrics_on_their_own_address_are_gone_from_the_main_one() {
    let policy = Policy {
        metrics_elsewhere: true,
        ..Policy::default()
    };
    let app = spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    app.get("/metrics").await.assert_problem(404);
    app.send(app.authed(TestRequest::get().uri("/metrics")))
        .await
        .assert_problem(404);
    // What `serve` runs on OGP_METRICS_BIND: /metrics without a key.
    let metrics_app = actix_web::test::init_service(actix_web::App::new().configure(
        ogp_api::health::metrics_only(
            app.pool.clone(),
            ogp_api::db::read::ReadRouting::new(app.pool.clone(), None, None),
        ),
    ))
    .await;
    let response = actix_web::test::call_service(
        &metrics_app,
        TestRequest::get().uri("/metrics").to_request(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body = actix_web::test::read_body(response).await;
    assert!(String::from_utf8_lossy(&body).contains("ogp_api_db_errors_total"));
}

/// The value of the database-error counter in a `/metrics` text.
fn db_errors(metrics: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("ogp_api_db_errors_total "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no ogp_api_db_errors_total in {metrics}"))
}

#[actix_web::test]
async fn a_database_failure_that_fails_a_request_is_counted() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let before = db_errors(&app.get("/metrics").await.text);
    // The table vanishes under the running app: each read now fails in the database with an
    // error no client caused, which is a 500.
    {
        use diesel_async::RunQueryDsl;
        let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
        diesel::sql_query("ALTER TABLE countries RENAME TO countries_gone")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    for _ in 0..3 {
        app.get("/api/v1/countries/KEN").await.assert_problem(500);
    }
    let after = db_errors(&app.get("/metrics").await.text);
    // Other tests share the (process-wide) counter and may add to it, never take from it.
    assert!(
        after >= before + 3,
        "ogp_api_db_errors_total went from {before} to {after}"
    );
}

#[actix_web::test]
async fn the_change_feed_names_actors_only_to_key_holders() {
    let app = spawn_app().await;
    let editor = app.key_with_role("ken-editors", Role::Editor).await;
    let create = TestRequest::post()
        .uri("/api/v1/countries")
        .insert_header(("Authorization", format!("Bearer {editor}")))
        .set_json(country("KEN"));
    app.send(create).await.assert_status(201);
    for path in ["/api/v1/changes", "/api/v1/countries/KEN/history"] {
        let anonymous = app.get(path).await;
        anonymous.assert_status(200);
        let change = &anonymous.body["items"][0];
        assert_eq!(change["key"], "KEN", "{path}");
        assert!(change["actor"].is_null(), "{path}: {change}");
        let keyed = app.send(app.authed(TestRequest::get().uri(path))).await;
        keyed.assert_status(200);
        assert_eq!(keyed.body["items"][0]["actor"], "ken-editors", "{path}");
        assert_ne!(
            anonymous.header("etag"),
            keyed.header("etag"),
            "different bodies, different tags"
        );
    }
}

use crate::helpers::spawn_app;

#[actix_web::test]
async fn spec_is_served_and_equals_the_generated_one() {
    let app = spawn_app().await;
    let response = app.get("/openapi.json").await;
    response.assert_status(200);
    let generated = serde_json::to_value(ogp_api::app::openapi_spec()).unwrap();
    assert_eq!(response.body, generated);
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let redirect = app.get("/docs").await;
    redirect.assert_status(308);
    assert_eq!(redirect.header("location"), Some("/docs/"));
    let page = app.get("/docs/").await;
    page.assert_status(200);
    assert!(page.text.contains("swagger"), "{}", page.text);
    let script = app.get("/docs/swagger-ui-bundle.js").await;
    script.assert_status(200);
    assert!(
        script.text.len() > 100_000,
        "the vendored UI bundle is served"
    );
}

#[actix_web::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let live = app.get("/healthz").await;
    live.assert_status(200);
    assert_eq!(live.body["status"], "ok");
    let ready = app.get("/readyz").await;
    ready.assert_status(200);
    assert_eq!(ready.body["status"], "ready");
    assert_eq!(ready.body["replica"], "none", "no read replica configured");
    assert!(app.get("/healthz").await.header("x-request-id").is_some());
}

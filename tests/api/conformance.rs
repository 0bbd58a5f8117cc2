//! What generated clients, caches and browsers expect of HTTP (issue 14): repeated query keys
//! for arrays, and the other conformance points as they land.

use crate::fixtures::{a_commitment, assessment, with};
use crate::helpers::spawn_app;
use serde_json::json;

#[actix_web::test]
async fn a_repeated_array_key_is_the_same_any_of_as_a_comma_list() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment(&app).await;
    let other = crate::fixtures::id_of(
        &app.create(
            "/api/v1/commitments",
            &crate::fixtures::commitment(plan_id, 2),
        )
        .await,
    );
    for (commitment, completion) in [(commitment_id, "limited"), (other, "complete")] {
        app.create(
            "/api/v1/irm-findings",
            &with(
                assessment(plan_id, commitment, "end_of_term_report"),
                json!({"completion": completion}),
            ),
        )
        .await;
    }
    let ids = |body: &serde_json::Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let comma = app
        .get("/api/v1/commitments?completion=limited,complete&sort=number")
        .await;
    comma.assert_status(200);
    assert_eq!(ids(&comma.body), [commitment_id, other]);
    let repeated = app
        .get("/api/v1/commitments?completion=limited&completion=complete&sort=number")
        .await;
    repeated.assert_status(200);
    assert_eq!(ids(&repeated.body), ids(&comma.body));
    // Mixed forms add up; `include` and `sort` take repeated keys too.
    let mixed = app
        .get("/api/v1/commitments?completion=limited&completion=complete,substantial&include=milestones&include=irm_findings&sort=-number&sort=id")
        .await;
    mixed.assert_status(200);
    assert_eq!(ids(&mixed.body), [other, commitment_id]);
    assert!(mixed.body["items"][0]["milestones"].is_array());
    assert!(mixed.body["items"][0]["irm_findings"].is_array());
    // A parameter that takes one value is still refused twice, naming it.
    for (query, name) in [
        ("limit=1&limit=2", "limit"),
        ("q=a&q=b", "q"),
        ("number_gte=1&number_gte=2", "number_gte"),
    ] {
        let refused = app.get(&format!("/api/v1/commitments?{query}")).await;
        refused.assert_problem(400);
        assert!(
            refused.body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("`{name}` is given twice")),
            "{query}: {}",
            refused.body
        );
    }
}

/// The raw bytes and headers of a GET with `Accept-Encoding: accept`.
async fn get_encoded(
    app: &crate::helpers::TestApp,
    path: &str,
    accept: Option<&str>,
) -> (actix_web::http::header::HeaderMap, Vec<u8>) {
    let mut request = actix_web::test::TestRequest::get().uri(path);
    if let Some(accept) = accept {
        request = request.insert_header(("Accept-Encoding", accept));
    }
    let (status, headers, body) = app.send_raw(request).await;
    assert_eq!(status, 200, "{path}");
    (headers, body)
}

fn header<'a>(headers: &'a actix_web::http::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn varies_on_encoding(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers
        .get_all("vary")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding"))
}

#[actix_web::test]
async fn large_bodies_and_exports_are_compressed_as_asked_and_tiny_ones_never() {
    use std::io::Read;
    let app = spawn_app().await;
    for code in [
        "ARG", "BRA", "CHL", "COL", "MEX", "PER", "URY", "PRY", "ECU", "BOL",
    ] {
        app.create("/api/v1/countries", &crate::fixtures::country(code))
            .await;
    }
    let (plain_headers, plain) = get_encoded(&app, "/api/v1/countries", None).await;
    assert!(plain.len() >= 1024, "the page is {} bytes", plain.len());
    assert_eq!(header(&plain_headers, "content-encoding"), None);
    assert!(varies_on_encoding(&plain_headers), "{plain_headers:?}");

    let (gzip_headers, gzipped) = get_encoded(&app, "/api/v1/countries", Some("gzip")).await;
    assert_eq!(header(&gzip_headers, "content-encoding"), Some("gzip"));
    assert!(varies_on_encoding(&gzip_headers));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain, "the same page, compressed");
    assert!(gzipped.len() < plain.len() / 2, "{} bytes", gzipped.len());

    for (accept, coding) in [
        ("zstd", "zstd"),
        ("gzip;q=0.9, zstd;q=0.5", "gzip"),
        ("gzip, deflate, br, zstd", "zstd"),
    ] {
        let (headers, _) = get_encoded(&app, "/api/v1/countries", Some(accept)).await;
        assert_eq!(
            header(&headers, "content-encoding"),
            Some(coding),
            "{accept}"
        );
    }
    // Nothing acceptable (brotli is not offered): the body unencoded, not an error.
    let (headers, body) = get_encoded(&app, "/api/v1/countries", Some("br")).await;
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(body, plain);

    // A streamed export is compressed too.
    let (headers, gzipped) = get_encoded(&app, "/api/v1/countries?format=csv", Some("gzip")).await;
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    let mut csv = String::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_string(&mut csv)
        .unwrap();
    assert_eq!(csv.lines().count(), 11, "{csv}");

    // Tiny bodies are sent as they are, and say nothing about encodings.
    let (headers, body) = get_encoded(&app, "/healthz", Some("gzip")).await;
    assert!(body.len() < 1024);
    assert_eq!(header(&headers, "content-encoding"), None);
    assert!(!varies_on_encoding(&headers));
}

#[actix_web::test]
async fn every_get_route_answers_head_with_the_get_headers() {
    use actix_web::http::Method;
    use actix_web::test::TestRequest;
    let app = spawn_app().await;
    app.create("/api/v1/countries", &crate::fixtures::country("MEX"))
        .await;
    let head = |path: &str| TestRequest::default().method(Method::HEAD).uri(path);
    for path in [
        "/",
        "/api/v1/countries",
        "/api/v1/countries/MEX",
        "/api/v1/countries?format=csv",
        "/api/v1/stats/commitments?group_by=country",
        "/api/v1/changes",
        "/openapi.json",
        "/docs/",
        "/healthz",
    ] {
        let get = app.get(path).await;
        let (status, headers, _) = app.send_raw(head(path)).await;
        assert_eq!(status, get.status, "{path}");
        for name in ["content-type", "etag", "cache-control", "vary"] {
            assert_eq!(
                headers.get(name),
                get.headers.get(name),
                "{path}: {name} of HEAD and GET"
            );
        }
    }
    // HEAD of a missing item is its 404; of a route without GET, a 405 naming HEAD.
    let (status, _, _) = app.send_raw(head("/api/v1/countries/ZZZ")).await;
    assert_eq!(status, 404);
    let refused = app.send(head("/api/v1/imports")).await;
    refused.assert_problem(405);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("HEAD is not allowed here"),
        "{}",
        refused.body
    );
    // `Allow` lists HEAD wherever GET is.
    let wrong = app
        .send(TestRequest::post().uri("/api/v1/countries/MEX/action-plans"))
        .await;
    assert_eq!(wrong.header("allow"), Some("GET, HEAD"));
}

#[actix_web::test]
async fn the_root_links_the_docs_the_spec_and_every_collection() {
    let app = spawn_app().await;
    let root = app.get("/").await;
    root.assert_status(200);
    assert_eq!(root.body["documentation_url"], "/docs/");
    assert_eq!(root.body["openapi_url"], "/openapi.json");
    let collections = root.body["collections"].as_object().unwrap();
    for name in [
        "countries",
        "action-plans",
        "commitments",
        "milestones",
        "irm-findings",
        "changes",
    ] {
        assert_eq!(
            collections[name],
            format!("/api/v1/{name}"),
            "{collections:?}"
        );
    }
    // Every link leads somewhere (views may need parameters: anything but a 404).
    let mut links: Vec<String> = collections
        .values()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    links.extend(["/docs/", "/openapi.json", "/healthz", "/readyz"].map(String::from));
    for link in links {
        let status = app.get(&link).await.status.as_u16();
        assert!(status == 200 || status == 400, "{link}: {status}");
    }
}

#[actix_web::test]
async fn lists_vary_on_accept_and_the_docs_files_are_cacheable() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &crate::fixtures::country("MEX"))
        .await;
    let vary = |response: &crate::helpers::TestResponse| -> Vec<String> {
        response
            .headers
            .get_all("vary")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .collect()
    };
    let page = app.get("/api/v1/countries").await;
    assert!(
        vary(&page).contains(&"accept".to_string()),
        "{:?}",
        vary(&page)
    );
    let etag = page.header("etag").unwrap().to_string();
    let not_modified = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/countries")
                .insert_header(("If-None-Match", etag)),
        )
        .await;
    not_modified.assert_status(304);
    assert!(vary(&not_modified).contains(&"accept".to_string()));
    // The labels depend on `Accept-Language`: listed after CORS added its own fields (it keeps
    // only the first `Vary` value, so `localize` merges into that one).
    for field in ["accept", "accept-language", "origin"] {
        assert!(
            vary(&page).contains(&field.to_string()),
            "{field} not in {:?}",
            vary(&page)
        );
    }
    let export = app.get("/api/v1/countries?format=csv").await;
    assert!(vary(&export).contains(&"accept".to_string()));
    for (path, lifetime) in [
        ("/docs/swagger-ui-bundle.js", "max-age=604800"),
        ("/docs/swagger-ui.css", "max-age=604800"),
        ("/docs/", "max-age=300"),
        ("/openapi.json", "max-age=300"),
    ] {
        let response = app.get(path).await;
        response.assert_status(200);
        let cache = response.header("cache-control").unwrap_or_default();
        assert!(
            cache.contains("public") && cache.contains(lifetime),
            "{path}: {cache}"
        );
    }
}

#[actix_web::test]
async fn browsers_may_send_trace_context_and_read_the_replay_and_download_headers() {
    use actix_web::http::Method;
    let policy = ogp_api::app::Policy {
        cors_origins: vec!["https://dashboard.example.org".to_string()],
        ..ogp_api::app::Policy::default()
    };
    let app =
        crate::helpers::spawn_app_with_policy(ogp_api::body::DEFAULT_BODY_LIMIT, policy).await;
    let preflight = actix_web::test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/v1/countries")
        .insert_header(("Origin", "https://dashboard.example.org"))
        .insert_header(("Access-Control-Request-Method", "HEAD"))
        .insert_header(("Access-Control-Request-Headers", "traceparent, tracestate"));
    let response = app.send(preflight).await;
    assert!(response.status.is_success(), "{}", response.status);
    let allowed = response
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("traceparent") && allowed.contains("tracestate"),
        "{allowed}"
    );
    let get = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/api/v1/countries?format=csv")
                .insert_header(("Origin", "https://dashboard.example.org")),
        )
        .await;
    let exposed = get
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for name in ["idempotent-replayed", "content-disposition", "etag", "link"] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
}

#[actix_web::test]
async fn the_spec_is_served_as_built_once_with_an_etag() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json").await;
    spec.assert_status(200);
    assert_eq!(
        spec.body,
        serde_json::to_value(ogp_api::app::openapi_spec()).unwrap(),
        "the served spec is the generated one"
    );
    let etag = spec.header("etag").expect("an ETag").to_string();
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    let again = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/openapi.json")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    again.assert_status(304);
    // The docs page points at it.
    let initializer = app.get("/docs/swagger-initializer.js").await;
    initializer.assert_status(200);
    assert!(
        initializer.text.contains("/openapi.json"),
        "{}",
        initializer.text
    );
}

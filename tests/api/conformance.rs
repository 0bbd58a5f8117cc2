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
        ("br", "br"),
        ("zstd", "zstd"),
        ("gzip;q=0.5, br;q=0.9", "br"),
        ("gzip, deflate, br, zstd", "br"),
    ] {
        let (headers, _) = get_encoded(&app, "/api/v1/countries", Some(accept)).await;
        assert_eq!(
            header(&headers, "content-encoding"),
            Some(coding),
            "{accept}"
        );
    }
    // Nothing acceptable: the body unencoded, not an error.
    let (headers, body) = get_encoded(&app, "/api/v1/countries", Some("compress")).await;
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

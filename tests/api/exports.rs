//! CSV and NDJSON exports stream every matching row.

use crate::fixtures::{a_plan, commitment};
use crate::helpers::spawn_app;
use actix_web::test::TestRequest;
use serde_json::{json, Value};

#[actix_web::test]
async fn csv_export_has_a_header_quotes_per_rfc_4180_and_joins_arrays() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    for n in 1..=260 {
        let mut body = commitment(plan_id, n);
        if n == 7 {
            body["title"] = json!("Say \"hi\", then\nleave");
            body["ogp_values"] = json!(["access_to_information", "civic_participation"]);
        }
        app.create("/api/v1/commitments", &body).await;
    }
    let response = app
        .send(
            TestRequest::get()
                .uri("/api/v1/commitments")
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    response.assert_status(200);
    assert!(response
        .header("content-type")
        .unwrap()
        .starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(response.text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert!(headers.iter().any(|h| h == "ogp_values"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 260, "every row, unpaginated");
    let title = headers.iter().position(|h| h == "title").unwrap();
    let values = headers.iter().position(|h| h == "ogp_values").unwrap();
    assert_eq!(&records[6][title], "Say \"hi\", then\nleave");
    assert_eq!(
        &records[6][values],
        "access_to_information;civic_participation"
    );
    assert!(response.text.contains("\r\n"), "RFC 4180 line ends");
}

#[actix_web::test]
async fn ndjson_export_follows_filters_and_sort() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    for n in 1..=30 {
        app.create("/api/v1/commitments", &commitment(plan_id, n))
            .await;
    }
    let response = app
        .get("/api/v1/commitments?format=ndjson&number_gte=11&sort=-number")
        .await;
    response.assert_status(200);
    assert_eq!(
        response.header("content-type"),
        Some("application/x-ndjson")
    );
    let numbers: Vec<i64> = response
        .text
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["number"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(numbers, (11..=30).rev().collect::<Vec<_>>());
    let accept = app
        .send(
            TestRequest::get()
                .uri("/api/v1/commitments?number=3")
                .insert_header(("Accept", "application/x-ndjson")),
        )
        .await;
    assert_eq!(accept.text.lines().count(), 1);
}

#[actix_web::test]
async fn empty_csv_export_still_has_its_header() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/irm-findings?format=csv").await;
    response.assert_status(200);
    let header = response.text.lines().next().unwrap();
    assert!(
        header.starts_with("id,action_plan_id,commitment_id,report,kind"),
        "{header}"
    );
    assert_eq!(response.text.lines().count(), 1);
}

#[actix_web::test]
async fn exports_take_limit_cursor_and_include_total_refuse_include_and_unknown_types() {
    let app = spawn_app().await;
    for code in ["ARG", "BRA", "CHL", "MEX"] {
        app.create("/api/v1/countries", &crate::fixtures::country(code))
            .await;
    }
    // `limit` caps the rows exported (what generated clients send by default).
    let capped = app.get("/api/v1/countries?format=csv&limit=2").await;
    capped.assert_status(200);
    let codes: Vec<&str> = capped
        .text
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap())
        .collect();
    assert_eq!(codes, ["ARG", "BRA"]);
    // An export may start after a page's cursor.
    let first_page = app.get("/api/v1/countries?limit=1").await;
    let cursor = first_page.body["next_cursor"].as_str().unwrap().to_string();
    let rest = app
        .get(&format!("/api/v1/countries?format=ndjson&cursor={cursor}"))
        .await;
    rest.assert_status(200);
    let rest: Vec<Value> = rest
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        rest.iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["BRA", "CHL", "MEX"]
    );
    // `include_total` is accepted and changes nothing; a cap beyond the page limit is fine.
    let all = app
        .get("/api/v1/countries?format=ndjson&include_total=false&limit=5000")
        .await;
    all.assert_status(200);
    assert_eq!(all.text.lines().count(), 4);
    for query in [
        "format=csv&limit=0",
        "format=csv&include=action_plans",
        "format=csv&include=action_plans&limit=1",
        "format=xml",
    ] {
        app.get(&format!("/api/v1/countries?{query}"))
            .await
            .assert_problem(400);
    }
    let response = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries")
                .insert_header(("Accept", "image/png")),
        )
        .await;
    response.assert_problem(406);
}

#[actix_web::test]
async fn ndjson_exports_nest_included_children_across_batches() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    // More rows than one batch of the nested export (1000).
    let mut last = 0;
    for number in 1..=1003 {
        last = crate::fixtures::id_of(
            &app.create("/api/v1/commitments", &commitment(plan_id, number))
                .await,
        );
    }
    app.create("/api/v1/milestones", &crate::fixtures::milestone(last, 1))
        .await;
    let response = app
        .get("/api/v1/commitments?format=ndjson&include=milestones,irm_findings")
        .await;
    response.assert_status(200);
    let rows: Vec<Value> = response
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 1003, "every row, once");
    let numbers: Vec<i64> = rows.iter().map(|r| r["number"].as_i64().unwrap()).collect();
    assert_eq!(
        numbers,
        (1..=1003).collect::<Vec<_>>(),
        "in the list's order"
    );
    assert!(rows.iter().all(|r| r["irm_findings"] == json!([])));
    assert_eq!(rows[1002]["milestones"][0]["title"], "Milestone 1");
    assert_eq!(rows[0]["milestones"], json!([]));
    // The same rows as the export without `include`, plus the children.
    let plain = app.get("/api/v1/commitments?format=ndjson").await;
    let first_plain: Value = serde_json::from_str(plain.text.lines().next().unwrap()).unwrap();
    let mut first_nested = rows[0].clone();
    let nested = first_nested.as_object_mut().unwrap();
    nested.remove("milestones");
    nested.remove("irm_findings");
    assert_eq!(first_nested, first_plain);
    // `limit` caps a nested export too.
    let capped = app
        .get("/api/v1/commitments?format=ndjson&include=milestones&limit=1001")
        .await;
    assert_eq!(capped.text.lines().count(), 1001);
    let none = app
        .get("/api/v1/commitments?format=ndjson&include=milestones&number=99999")
        .await;
    none.assert_status(200);
    assert_eq!(none.text, "");
}

//! Field selection, `fields=`: on every list, read alias, export and item GET, only the asked
//! fields (the key always), each value the one the full item has.

use crate::fixtures::{a_plan, assessment, commitment, commitment_in, country, id_of, with};
use crate::helpers::{spawn_app, TestApp};
use actix_web::test::TestRequest;
use diesel_async::SimpleAsyncConnection;
use ogp_api::db;
use serde_json::{json, Map, Value};

/// Every resource: its collection, its key's name and one item's key.
struct Resource {
    collection: &'static str,
    key: &'static str,
    value: String,
}

/// One of each resource, with text that JSON escapes, arrays, dates, enums, nulls and
/// timestamps with no, three and six fraction digits.
async fn corpus(app: &TestApp) -> Vec<Resource> {
    app.create("/api/v1/countries", &country("MEX")).await;
    let plan = app
        .create(
            "/api/v1/action-plans",
            &json!({
                "country_code": "MEX", "number": 3, "title": "Plan \"3\", tab\there\né😀 \\ /",
                "start_year": 2016, "end_year": 2018, "status": "completed",
                "submitted_on": "2016-10-31", "public_influence": "collaborate",
                "multistakeholder_forum": true
            }),
        )
        .await;
    let plan_id = id_of(&plan);
    let commitment = app
        .create(
            "/api/v1/commitments",
            &with(
                commitment(plan_id, 1),
                json!({"description": "Línea 1\nLínea 2", "start_date": "2016-11-01",
                       "ogp_values": ["access_to_information", "civic_participation"],
                       "reference": "MX0001"}),
            ),
        )
        .await;
    let commitment_id = id_of(&commitment);
    let milestone = app
        .create(
            "/api/v1/milestones",
            &json!({"commitment_id": commitment_id, "position": 1, "title": "First",
                    "due_date": "2017-06-30", "status": "completed",
                    "completed_on": "2017-06-01"}),
        )
        .await;
    let finding = app
        .create(
            "/api/v1/irm-findings",
            &with(
                assessment(plan_id, commitment_id, "end_of_term_report"),
                json!({"specificity": "high", "relevance": ["access_to_information"],
                       "potential_impact": "transformative", "completion": "complete",
                       "did_it_open_government": "outstanding"}),
            ),
        )
        .await;
    // Timestamps with no fraction and with milliseconds (the touch trigger keeps
    // `created_at`, so triggers are off for this session's updates).
    let mut conn = db::conn(&app.pool).await.unwrap();
    conn.batch_execute(&format!(
        "SET session_replication_role = replica; \
         UPDATE countries SET created_at = '2026-01-02T03:04:05Z'; \
         UPDATE action_plans SET created_at = '2026-01-02T03:04:05.120Z', \
                updated_at = '2026-01-02T03:04:05.000001Z'; \
         UPDATE milestones SET updated_at = '2026-01-02T03:04:05.5Z' WHERE id = {}; \
         SET session_replication_role = origin",
        id_of(&milestone)
    ))
    .await
    .unwrap();
    vec![
        Resource {
            collection: "countries",
            key: "code",
            value: "MEX".into(),
        },
        Resource {
            collection: "action-plans",
            key: "id",
            value: plan_id.to_string(),
        },
        Resource {
            collection: "commitments",
            key: "id",
            value: commitment_id.to_string(),
        },
        Resource {
            collection: "milestones",
            key: "id",
            value: id_of(&milestone).to_string(),
        },
        Resource {
            collection: "irm-findings",
            key: "id",
            value: id_of(&finding).to_string(),
        },
    ]
}

fn keys(object: &Value) -> Vec<&str> {
    object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[actix_web::test]
async fn every_field_of_every_resource_equals_the_full_items() {
    let app = spawn_app().await;
    let resources = corpus(&app).await;
    // The corpus has the three lengths of fraction chrono writes.
    let stamps = [
        ("countries/MEX", "created_at", "2026-01-02T03:04:05Z"),
        (
            &format!("action-plans/{}", resources[1].value),
            "created_at",
            "2026-01-02T03:04:05.120Z",
        ),
        (
            &format!("action-plans/{}", resources[1].value),
            "updated_at",
            "2026-01-02T03:04:05.000001Z",
        ),
        (
            &format!("milestones/{}", resources[3].value),
            "updated_at",
            "2026-01-02T03:04:05.500Z",
        ),
    ];
    for (item, field, stamp) in stamps {
        assert_eq!(app.get(&format!("/api/v1/{item}")).await.body[field], stamp);
    }
    for resource in resources {
        let item = format!("/api/v1/{}/{}", resource.collection, resource.value);
        let full = app.get(&item).await;
        full.assert_status(200);
        let full = full.body;
        let names = keys(&full);
        // The allowed names are exactly the full item's fields, in its order.
        let unknown = app.get(&format!("{item}?fields=nope")).await;
        unknown.assert_problem(400);
        let detail = unknown.body["detail"].as_str().unwrap();
        assert!(
            detail.contains(&names.join(", ")),
            "{}: {detail}",
            resource.collection
        );
        for name in &names {
            let mut expected = Map::new();
            expected.insert(resource.key.into(), full[resource.key].clone());
            expected.insert(name.to_string(), full[name].clone());
            let expected = Value::Object(expected);

            let one = app.get(&format!("{item}?fields={name}")).await;
            one.assert_status(200);
            assert_eq!(one.body, expected, "{item} fields={name}");

            let list = app
                .get(&format!(
                    "/api/v1/{}?fields={name}&limit=200",
                    resource.collection
                ))
                .await;
            list.assert_status(200);
            let row = list.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row[resource.key] == full[resource.key])
                .unwrap_or_else(|| panic!("{item} in its list"));
            assert_eq!(row, &expected, "{} list fields={name}", resource.collection);

            let ndjson = app
                .get(&format!(
                    "/api/v1/{}?fields={name}&format=ndjson",
                    resource.collection
                ))
                .await;
            ndjson.assert_status(200);
            let line: Value = ndjson
                .text
                .lines()
                .map(|line| serde_json::from_str::<Value>(line).unwrap())
                .find(|row| row[resource.key] == full[resource.key])
                .unwrap();
            assert_eq!(
                line, expected,
                "{} ndjson fields={name}",
                resource.collection
            );
        }
        // Every field at once is the full item, byte for byte.
        let all = app.get(&format!("{item}?fields={}", names.join(","))).await;
        let whole = app.get(&item).await;
        assert_eq!(all.text, whole.text, "{item} with every field");
    }
}

#[actix_web::test]
async fn the_key_is_always_there_and_fields_come_in_the_resources_order() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let id = commitment_in(&app, plan_id, 1).await;
    let item = app
        .get(&format!("/api/v1/commitments/{id}?fields=theme,title"))
        .await;
    item.assert_status(200);
    assert_eq!(keys(&item.body), ["id", "title", "theme"]);
    let list = app
        .get("/api/v1/commitments?fields=theme&fields=title")
        .await;
    list.assert_status(200);
    assert_eq!(keys(&list.body["items"][0]), ["id", "title", "theme"]);
    let alias = app
        .get(&format!(
            "/api/v1/action-plans/{plan_id}/commitments?fields=number"
        ))
        .await;
    alias.assert_status(200);
    assert_eq!(alias.body["items"], json!([{"id": id, "number": 1}]));
    let country = app.get("/api/v1/countries?fields=name").await;
    country.assert_status(200);
    assert_eq!(keys(&country.body["items"][0]), ["code", "name"]);
}

#[actix_web::test]
async fn unknown_empty_and_repeated_fields_are_400s_naming_the_allowed_ones() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let id = commitment_in(&app, plan_id, 1).await;
    for path in [
        "/api/v1/commitments".to_string(),
        format!("/api/v1/commitments/{id}"),
        format!("/api/v1/action-plans/{plan_id}/commitments"),
    ] {
        for bad in ["nope", "", "title,", "title,title", "search", "milestones"] {
            let response = app.get(&format!("{path}?fields={bad}")).await;
            response.assert_problem(400);
            let detail = response.body["detail"].as_str().unwrap();
            assert!(detail.contains("`fields`"), "{path} {bad:?}: {detail}");
            if bad == "nope" {
                assert!(
                    detail.contains("id, action_plan_id, number, reference, title"),
                    "{detail}"
                );
            }
        }
    }
    let csv = app.get("/api/v1/commitments?fields=nope&format=csv").await;
    csv.assert_problem(400);
    // Statistics are not rows: `fields` is refused there, not ignored.
    let stats = app
        .get("/api/v1/stats/commitments?group_by=country&fields=title")
        .await;
    stats.assert_problem(400);
}

#[actix_web::test]
async fn csv_and_ndjson_exports_carry_only_the_asked_fields() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    for n in 1..=5 {
        commitment_in(&app, plan_id, n).await;
    }
    let csv = app
        .send(
            TestRequest::get()
                .uri("/api/v1/commitments?fields=theme,title&sort=-number")
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    csv.assert_status(200);
    let mut lines = csv.text.lines();
    assert_eq!(lines.next(), Some("id,title,theme"));
    assert_eq!(
        lines
            .next()
            .map(|l| l.split(',').skip(1).collect::<Vec<_>>()),
        Some(vec!["Commitment 5", "Gender equality"])
    );
    assert_eq!(lines.count(), 4);

    let ndjson = app
        .get("/api/v1/commitments?fields=number&format=ndjson&limit=3")
        .await;
    ndjson.assert_status(200);
    let rows: Vec<Value> = ndjson
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(keys(row), ["id", "number"]);
        assert_eq!(row["number"], json!(i + 1));
    }
}

#[actix_web::test]
async fn cursor_paging_works_when_the_sort_fields_are_not_asked_for() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    for n in 1..=23 {
        let mut body = commitment(plan_id, n);
        body["theme"] = json!(["b", "a", "c"][n as usize % 3]);
        body["start_date"] = if n % 4 == 0 {
            Value::Null
        } else {
            json!(format!("2017-01-{:02}", n % 5 + 1))
        };
        app.create("/api/v1/commitments", &body).await;
    }
    for sort in ["-number", "theme,-start_date", "start_date"] {
        let mut expected = Vec::new();
        let mut path = format!("/api/v1/commitments?sort={sort}&limit=200");
        let full = app.get(&path).await;
        for row in full.body["items"].as_array().unwrap() {
            expected.push(row["id"].clone());
        }
        assert_eq!(expected.len(), 23);
        let mut got = Vec::new();
        path = format!("/api/v1/commitments?sort={sort}&limit=4&fields=title");
        loop {
            let page = app.get(&path).await;
            page.assert_status(200);
            for row in page.body["items"].as_array().unwrap() {
                assert_eq!(keys(row), ["id", "title"], "sort fields are not output");
                got.push(row["id"].clone());
            }
            match page.body["next_cursor"].as_str() {
                Some(cursor) => {
                    path = format!(
                        "/api/v1/commitments?sort={sort}&limit=4&fields=title&cursor={cursor}"
                    )
                }
                None => break,
            }
        }
        assert_eq!(got, expected, "sort={sort}");
    }
    // Ranked by `q`: the rank is the cursor's first value.
    let page = app
        .get("/api/v1/commitments?q=commitment&limit=5&fields=number")
        .await;
    page.assert_status(200);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let next = app
        .get(&format!(
            "/api/v1/commitments?q=commitment&limit=5&fields=number&cursor={cursor}"
        ))
        .await;
    next.assert_status(200);
    assert_eq!(next.body["items"].as_array().unwrap().len(), 5);
}

#[actix_web::test]
async fn with_include_the_children_are_still_embedded() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let id = commitment_in(&app, plan_id, 1).await;
    app.create(
        "/api/v1/milestones",
        &json!({"commitment_id": id, "position": 1, "title": "First"}),
    )
    .await;
    let page = app
        .get("/api/v1/commitments?fields=title&include=milestones")
        .await;
    page.assert_status(200);
    let row = &page.body["items"][0];
    assert_eq!(keys(row), ["id", "title", "milestones"]);
    assert_eq!(row["milestones"][0]["title"], "First");
    assert!(row["milestones"][0]["due_date"].is_null());
    let ndjson = app
        .get("/api/v1/commitments?fields=title&include=milestones&format=ndjson")
        .await;
    ndjson.assert_status(200);
    let line: Value = serde_json::from_str(ndjson.text.lines().next().unwrap()).unwrap();
    assert_eq!(&line, row);
}

#[actix_web::test]
async fn an_item_with_fields_has_a_weak_etag_that_if_match_refuses() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let id = commitment_in(&app, plan_id, 1).await;
    let path = format!("/api/v1/commitments/{id}");
    let full = app.get(&path).await;
    assert_eq!(full.header("etag"), Some("\"1\""));
    let cut = app.get(&format!("{path}?fields=title")).await;
    let etag = cut.header("etag").unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = app
        .send(
            TestRequest::get()
                .uri(&format!("{path}?fields=title"))
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    again.assert_status(304);
    let other = app.get(&format!("{path}?fields=theme")).await;
    assert_ne!(other.header("etag"), Some(etag.as_str()));
    let write = app
        .patch_if_match(
            &path,
            &etag,
            "application/merge-patch+json",
            &json!({"title": "New"}),
        )
        .await;
    write.assert_problem(412);
    let missing = app.get("/api/v1/commitments/999999?fields=title").await;
    missing.assert_problem(404);
}

#[actix_web::test]
async fn the_spec_offers_fields_with_the_allowed_names() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json").await;
    spec.assert_status(200);
    for (path, key) in [
        ("/api/v1/countries", "code"),
        ("/api/v1/countries/{code}", "code"),
        ("/api/v1/commitments", "id"),
        ("/api/v1/commitments/{id}", "id"),
        ("/api/v1/action-plans/{id}/commitments", "id"),
        ("/api/v1/irm-findings/{id}", "id"),
    ] {
        let parameters = spec.body["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}"));
        let fields = parameters
            .iter()
            .find(|p| p["name"] == "fields")
            .unwrap_or_else(|| panic!("{path} has `fields`"));
        let names = fields["schema"]["items"]["enum"].as_array().unwrap();
        assert_eq!(names[0], key, "{path}");
        assert!(names.contains(&json!("updated_at")), "{path}");
        let description = fields["description"].as_str().unwrap();
        assert!(description.contains("updated_at"), "{path}");
    }
}

/// `fields.rs` formats the columns named `*_at` as timestamps: every resource must name its
/// timestamps so, and nothing else.
#[actix_web::test]
async fn timestamps_and_only_they_are_named_at() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json").await;
    for schema in [
        "Country",
        "ActionPlan",
        "Commitment",
        "Milestone",
        "IrmFinding",
    ] {
        let properties = spec.body["components"]["schemas"][schema]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{schema}"));
        for (name, property) in properties {
            let timestamp = property["format"] == "date-time";
            assert_eq!(name.ends_with("_at"), timestamp, "{schema}.{name}");
        }
    }
}

/// schemathesis.toml asks each resource's reads for every field (a cut row lacks the schema's
/// required fields): its lists must be the resources' whole lists.
#[actix_web::test]
async fn schemathesis_asks_for_every_field_of_each_resource() {
    let app = spawn_app().await;
    let spec = app.get("/openapi.json").await;
    let config = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis.toml"),
    )
    .unwrap();
    for collection in [
        "countries",
        "local-members",
        "action-plans",
        "commitments",
        "milestones",
        "irm-findings",
    ] {
        let parameters = spec.body["paths"][format!("/api/v1/{collection}")]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        let fields = parameters.iter().find(|p| p["name"] == "fields").unwrap();
        let names: Vec<&str> = fields["schema"]["items"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        let line = format!("\"query.fields\" = \"{}\"", names.join(","));
        assert!(config.contains(&line), "{collection}: {line}");
    }
}

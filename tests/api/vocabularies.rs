//! Labels in English, Spanish and French (issue 15): `/vocabularies`, `lang=` and
//! `Accept-Language` on resources, country names, and French stemming in `q`.

use crate::fixtures::{a_plan, commitment, country, id_of, with};
use crate::helpers::spawn_app;
use actix_web::test::TestRequest;
use serde_json::{json, Value};

const SOURCES: [&str; 3] = ["ogp", "machine", "project"];

#[actix_web::test]
async fn every_enum_value_has_labels_in_three_languages_with_an_honest_source() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/vocabularies").await;
    response.assert_status(200);
    let vocabularies = response.body["vocabularies"].as_array().unwrap();
    // Generated from the same declaration as the enums: a value without labels fails here.
    for (schema, values, _) in ogp_api::vocab::DESCRIBED {
        let vocabulary = vocabularies
            .iter()
            .find(|v| v["schema"] == *schema)
            .unwrap_or_else(|| panic!("{schema} is not served"));
        let served: Vec<&str> = vocabulary["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_str().unwrap())
            .collect();
        assert_eq!(&served, values, "{schema}");
        for value in vocabulary["values"].as_array().unwrap() {
            for lang in ["en", "es", "fr"] {
                let label = &value["labels"][lang];
                let case = format!("{schema}.{}.{lang}", value["value"]);
                assert!(!label["text"].as_str().unwrap().trim().is_empty(), "{case}");
                let source = label["source"].as_str().unwrap();
                assert!(SOURCES.contains(&source), "{case}: {source}");
                if source == "project" {
                    assert!(label["url"].is_null(), "{case}");
                } else {
                    assert!(
                        label["url"].as_str().unwrap().starts_with("https://"),
                        "{case}"
                    );
                }
            }
            let definition = &value["definition"];
            match definition["en"].as_object() {
                Some(en) => {
                    assert_eq!(en["source"], "ogp");
                    assert!(en["url"].as_str().unwrap().starts_with("https://"));
                    assert!(definition["note"].is_null());
                }
                None => assert!(!definition["note"].as_str().unwrap().is_empty()),
            }
            assert!(definition["es"].is_null() && definition["fr"].is_null());
        }
    }
    // OGP's own wordings, not invented ones, where OGP published them.
    let completion = &vocabularies
        .iter()
        .find(|v| v["name"] == "completion")
        .unwrap()["values"][0];
    assert_eq!(completion["labels"]["en"]["text"], "No Evidence Available");
    assert_eq!(
        completion["labels"]["en"]["url"],
        "https://www.opengovpartnership.org/glossary/completion/"
    );
}

#[actix_web::test]
async fn vocabularies_are_cacheable_by_a_strong_etag() {
    let app = spawn_app().await;
    let first = app.get("/api/v1/vocabularies/did_it_open_government").await;
    first.assert_status(200);
    assert_eq!(first.body["name"], "did_it_open_government");
    assert_eq!(first.body["values"][3]["labels"]["es"]["text"], "Mayor");
    assert_eq!(first.body["values"][3]["labels"]["es"]["source"], "machine");
    let etag = first.header("ETag").unwrap().to_string();
    assert!(etag.starts_with('"'), "strong: {etag}");
    let again = app
        .send(
            TestRequest::get()
                .uri("/api/v1/vocabularies/did_it_open_government")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    assert_eq!(again.status, 304);
    let all = app.get("/api/v1/vocabularies").await;
    assert_ne!(all.header("ETag"), Some(etag.as_str()));
    app.get("/api/v1/vocabularies/nothing")
        .await
        .assert_problem(404);
    app.get("/api/v1/vocabularies?lang=es")
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn lang_adds_labels_to_items_lists_ndjson_and_csv() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    app.create("/api/v1/commitments", &commitment(plan_id, 1))
        .await;
    let code = app
        .get(&format!("/api/v1/action-plans/{plan_id}"))
        .await
        .body["country_code"]
        .as_str()
        .unwrap()
        .to_string();

    let item = app.get(&format!("/api/v1/countries/{code}?lang=es")).await;
    item.assert_status(200);
    assert_eq!(item.body["region"], "americas");
    assert_eq!(item.body["region_label"], "Américas");
    assert_eq!(item.body["membership_status_label"], "Activo");
    assert_eq!(item.header("Content-Language"), Some("es"));

    let page = app
        .get(&format!(
            "/api/v1/countries?lang=fr&include=action_plans&code={code}"
        ))
        .await;
    page.assert_status(200);
    let listed = &page.body["items"][0];
    assert_eq!(listed["region_label"], "Amériques");
    assert_eq!(listed["action_plans"][0]["status"], "implementing");
    assert_eq!(
        listed["action_plans"][0]["status_label"],
        "En cours de mise en œuvre"
    );

    let commitments = app.get("/api/v1/commitments?lang=fr").await;
    assert_eq!(
        commitments.body["items"][0]["ogp_values_labels"],
        json!(["Accès à l'information"])
    );

    let ndjson = app.get("/api/v1/commitments?format=ndjson&lang=es").await;
    assert_eq!(ndjson.status, 200);
    let line: Value = serde_json::from_str(ndjson.text.lines().next().unwrap()).unwrap();
    assert_eq!(
        line["ogp_values_labels"],
        json!(["Acceso a la información"])
    );

    let csv = app
        .send(
            TestRequest::get()
                .uri("/api/v1/commitments?lang=es")
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert_eq!(csv.status, 200);
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = header
        .iter()
        .position(|c| c == "ogp_values")
        .expect(&csv.text);
    assert_eq!(header[at + 1], "ogp_values_labels");
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[at], "access_to_information");
    assert_eq!(&row[at + 1], "Acceso a la información");
    assert_eq!(row.len(), header.len());

    // Without a language, no labels (and English said).
    let plain = app.get(&format!("/api/v1/countries/{code}")).await;
    assert!(plain.body.get("region_label").is_none());
    assert_eq!(plain.header("Content-Language"), Some("en"));
}

#[actix_web::test]
async fn accept_language_is_negotiated_by_q_value_and_varies() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let ask = |header: &'static str, uri: &'static str| {
        TestRequest::get()
            .uri(uri)
            .insert_header(("Accept-Language", header))
    };
    let spanish = app
        .send(ask("fr;q=0.4, es-MX;q=0.8, de", "/api/v1/countries/KEN"))
        .await;
    assert_eq!(spanish.body["region_label"], "Américas");
    assert_eq!(spanish.header("Content-Language"), Some("es"));
    let vary = spanish.header("Vary").unwrap().to_ascii_lowercase();
    assert!(vary.contains("accept-language"), "{vary}");

    let unsupported = app.send(ask("de, pt;q=0.5", "/api/v1/countries/KEN")).await;
    assert_eq!(unsupported.body["region_label"], "Americas");
    assert_eq!(unsupported.header("Content-Language"), Some("en"));

    let excluded = app.send(ask("fr;q=0, es;q=0.1", "/api/v1/countries")).await;
    assert_eq!(excluded.body["items"][0]["region_label"], "Américas");

    // `lang=` wins over the header.
    let explicit = app.send(ask("es", "/api/v1/countries/KEN?lang=fr")).await;
    assert_eq!(explicit.body["region_label"], "Amériques");
    assert_eq!(explicit.header("Content-Language"), Some("fr"));
}

#[actix_web::test]
async fn an_unknown_lang_is_a_400() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    for uri in [
        "/api/v1/countries/KEN?lang=xx",
        "/api/v1/countries?lang=ES",
        "/api/v1/countries?lang=",
        "/api/v1/countries?lang=es&lang=fr",
    ] {
        let response = app.get(uri).await;
        response.assert_problem(400);
        assert!(
            response.body["detail"].as_str().unwrap().contains("lang"),
            "{uri}"
        );
    }
}

#[actix_web::test]
async fn labelled_etags_name_their_language_and_still_work_in_if_match() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let spanish = app.get("/api/v1/countries/KEN?lang=es").await;
    assert_eq!(spanish.header("ETag"), Some("\"1;es\""));
    let cached = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries/KEN?lang=es")
                .insert_header(("If-None-Match", "\"1;es\"")),
        )
        .await;
    assert_eq!(cached.status, 304);
    assert_eq!(cached.header("ETag"), Some("\"1;es\""));
    // The Spanish copy is not the French one.
    let french = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries/KEN?lang=fr")
                .insert_header(("If-None-Match", "\"1;es\"")),
        )
        .await;
    assert_eq!(french.status, 200);
    let patched = app
        .patch_if_match(
            "/api/v1/countries/KEN",
            "\"1;es\"",
            "application/merge-patch+json",
            &json!({"name_fr": "Kenya"}),
        )
        .await;
    patched.assert_status(200);
    assert_eq!(patched.body["version"], 2);
}

#[actix_web::test]
async fn country_names_in_spanish_and_french_are_stored_edited_and_exported() {
    let app = spawn_app().await;
    let created = app
        .create(
            "/api/v1/countries",
            &with(
                country("CIV"),
                json!({"name_es": "Côte d’Ivoire", "name_fr": "Côte d’Ivoire"}),
            ),
        )
        .await;
    assert_eq!(created["name_fr"], "Côte d’Ivoire");
    let plain = app.create("/api/v1/countries", &country("KEN")).await;
    assert!(plain["name_es"].is_null() && plain["name_fr"].is_null());
    let patched = app
        .patch("/api/v1/countries/KEN", &json!({"name_es": "Kenia"}))
        .await;
    patched.assert_status(200);
    assert_eq!(patched.body["name_es"], "Kenia");
    assert!(patched.body["name_fr"].is_null());
    let before = app.snapshot().await;
    app.patch(
        "/api/v1/countries/KEN",
        &json!({"name_es": "", "name_fr": "é".repeat(201)}),
    )
    .await
    .assert_invalid(&["name_es", "name_fr"]);
    assert_eq!(app.snapshot().await, before);

    let csv = app
        .send(
            TestRequest::get()
                .uri("/api/v1/countries?code=KEN")
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = header.iter().position(|c| c == "name_es").unwrap();
    assert_eq!(&reader.records().next().unwrap().unwrap()[at], "Kenia");

    let bundle = app.get("/api/v1/exports/bundle?country_code=CIV").await;
    assert_eq!(bundle.body["countries"][0]["name_es"], "Côte d’Ivoire");
}

#[actix_web::test]
async fn a_french_plural_finds_the_singular_in_a_french_title() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let created = app
        .create(
            "/api/v1/commitments",
            &with(
                commitment(plan_id, 1),
                json!({"title": "Un journal ouvert des marchés publics"}),
            ),
        )
        .await;
    app.create(
        "/api/v1/commitments",
        &with(
            commitment(plan_id, 2),
            json!({"title": "Budget transparency"}),
        ),
    )
    .await;
    // French stems "journaux" to "journal"; English and Spanish leave it as it is.
    let found = app.get("/api/v1/commitments?q=journaux").await;
    found.assert_status(200);
    let ids: Vec<i64> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    assert_eq!(ids, vec![id_of(&created)]);
    // English still stems as before.
    let english = app.get("/api/v1/commitments?q=budgets").await;
    assert_eq!(english.body["items"].as_array().unwrap().len(), 1);
}

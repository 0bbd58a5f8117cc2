//! JSON list pages written from PostgreSQL's JSON (`listing::raw`, the `fields=` pages) and from
//! the structs (full pages): every collection's page, with and without `fields` (every single
//! field, a pair, and all of them), is byte for byte the page serde writes for the same rows
//! (each item the bytes of its item GET), and the next cursor is the one the struct path
//! (`include=`) computes.

use crate::fixtures::{assessment, commitment, country, id_of, local_member, plan, with};
use crate::helpers::{spawn_app, TestApp};
use diesel_async::SimpleAsyncConnection;
use ogp_api::db;
use serde_json::{json, Value};

/// Text JSON escapes in every way: quotes, backslash, slash, control characters (escaped as
/// `\b\f\n\r\t` or `\u00XX`), DEL, non-ASCII, an astral character and U+2028.
const HOSTILE: &str = r#"(E'q\"uote \\ back / slash \x01\x08\x0c\x1f\x7f tab\t nl\n cr\r é 😀 ' || chr(8232) || ' end')"#;

/// One of each resource and then some: nulls, empty and full arrays, hostile text and
/// timestamps with no, one, three and six fraction digits. Returns each collection with its
/// key's name.
async fn corpus(app: &TestApp) -> Vec<(&'static str, &'static str)> {
    app.create("/api/v1/countries", &country("MEX")).await;
    app.create(
        "/api/v1/countries",
        &with(
            country("CHL"),
            json!({"name_es": "Chile", "member_since": null}),
        ),
    )
    .await;
    app.create("/api/v1/local-members", &local_member("cdmx", "MEX"))
        .await;
    app.create(
        "/api/v1/local-members",
        &with(
            local_member("santiago", "CHL"),
            json!({"population": 6000000}),
        ),
    )
    .await;
    let national = id_of(&app.create("/api/v1/action-plans", &plan("MEX", 3)).await);
    let local = app
        .create(
            "/api/v1/action-plans",
            &with(
                plan("MEX", 1),
                json!({"local_member_slug": "cdmx", "submitted_on": "2016-10-31",
                       "public_influence": "collaborate", "multistakeholder_forum": false}),
            ),
        )
        .await;
    let first = id_of(
        &app.create(
            "/api/v1/commitments",
            &with(
                commitment(national, 1),
                json!({"ogp_values": [], "start_date": "2016-11-01"}),
            ),
        )
        .await,
    );
    let second = id_of(
        &app.create(
            "/api/v1/commitments",
            &with(
                commitment(national, 2),
                json!({"ogp_values": ["access_to_information", "civic_participation"],
                       "withdrawn": true, "reference": "MX0002"}),
            ),
        )
        .await,
    );
    app.create("/api/v1/commitments", &commitment(id_of(&local), 1))
        .await;
    for (commitment_id, position) in [(first, 1), (first, 2), (second, 1)] {
        app.create(
            "/api/v1/milestones",
            &json!({"commitment_id": commitment_id, "position": position,
                    "title": format!("Milestone {position}"), "due_date": "2017-06-30"}),
        )
        .await;
    }
    app.create(
        "/api/v1/irm-findings",
        &with(
            assessment(national, first, "end_of_term_report"),
            json!({"specificity": "high", "relevance": ["access_to_information"],
                   "potential_impact": "transformative", "completion": "complete"}),
        ),
    )
    .await;
    app.create(
        "/api/v1/irm-findings",
        &with(
            assessment(national, second, "end_of_term_report"),
            json!({"relevance": []}),
        ),
    )
    .await;
    // Text the create bodies refuse (control characters) and timestamps of every length,
    // written with the triggers off so that they stay.
    let mut conn = db::conn(&app.pool).await.unwrap();
    conn.batch_execute(&format!(
        "SET session_replication_role = replica; \
         UPDATE countries SET name_fr = {HOSTILE}, created_at = '2026-01-02T03:04:05Z', \
                updated_at = '2026-01-02T03:04:05.1Z' WHERE code = 'MEX'; \
         UPDATE local_members SET name = {HOSTILE}, updated_at = '2026-01-02T03:04:05.123Z' \
                WHERE slug = 'cdmx'; \
         UPDATE action_plans SET title = {HOSTILE}, created_at = '2026-01-02T03:04:05.120Z', \
                updated_at = '2026-01-02T03:04:05.000001Z' WHERE id = {national}; \
         UPDATE commitments SET description = {HOSTILE}, \
                updated_at = '2026-01-02T03:04:05.123456Z' WHERE id = {first}; \
         UPDATE milestones SET description = {HOSTILE}, updated_at = '2026-01-02T03:04:05.5Z' \
                WHERE position = 2; \
         UPDATE irm_findings SET body = {HOSTILE}, title = '\"', \
                created_at = '2026-01-02T03:04:05.010Z' WHERE commitment_id = {first}; \
         SET session_replication_role = origin"
    ))
    .await
    .unwrap();
    vec![
        ("countries", "code"),
        ("local-members", "slug"),
        ("action-plans", "id"),
        ("commitments", "id"),
        ("milestones", "id"),
        ("irm-findings", "id"),
    ]
}

/// A descending sort of `collection` on a nullable field (a parent's for commitments).
fn sort_of(collection: &str) -> &'static str {
    match collection {
        "countries" => "-member_since",
        "local-members" => "-population",
        "action-plans" => "-submitted_on",
        "commitments" => "-plan_start_year",
        "milestones" => "-completed_on",
        _ => "-position",
    }
}

/// The page serde writes for these item bodies (no next page, `total` when given).
fn serde_page(items: &[String], total: Option<usize>) -> String {
    let total = total.map_or(String::new(), |n| format!(",\"total\":{n}"));
    format!(
        "{{\"items\":[{}],\"next_cursor\":null{total}}}",
        items.join(",")
    )
}

/// The item GETs' bodies (with `query`) of every item of `page`, in its order.
async fn item_bodies(
    app: &TestApp,
    collection: &str,
    key: &str,
    page: &Value,
    query: &str,
) -> Vec<String> {
    let mut bodies = Vec::new();
    for item in page["items"].as_array().unwrap() {
        let key = match &item[key] {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let one = app.get(&format!("/api/v1/{collection}/{key}{query}")).await;
        one.assert_status(200);
        bodies.push(one.text);
    }
    bodies
}

#[actix_web::test]
async fn every_collections_page_is_the_bytes_serde_writes() {
    let app = spawn_app().await;
    let collections = corpus(&app).await;
    let plan = app
        .get("/api/v1/action-plans?local_member_slug=cdmx")
        .await
        .body["items"][0]["id"]
        .clone();
    for (collection, key) in collections {
        let sort = sort_of(collection);
        for query in [
            "limit=200".to_string(),
            format!("limit=200&include_total=true&sort={sort}"),
        ] {
            let page = app.get(&format!("/api/v1/{collection}?{query}")).await;
            page.assert_status(200);
            let items = item_bodies(&app, collection, key, &page.body, "").await;
            assert!(items.len() >= 2, "{collection}: the corpus has rows");
            let total = query.contains("include_total").then_some(items.len());
            assert_eq!(page.text, serde_page(&items, total), "{collection}?{query}");
        }
    }
    // Read aliases take the same path.
    for alias in [
        "countries/MEX/action-plans".to_string(),
        "local-members/cdmx/action-plans".to_string(),
        format!("action-plans/{plan}/commitments"),
    ] {
        let page = app.get(&format!("/api/v1/{alias}?limit=200")).await;
        page.assert_status(200);
        let collection = alias.rsplit('/').next().unwrap();
        let items = item_bodies(&app, collection, "id", &page.body, "").await;
        assert!(!items.is_empty(), "{alias}");
        assert_eq!(page.text, serde_page(&items, None), "{alias}");
    }
}

#[actix_web::test]
async fn every_fields_page_is_the_bytes_serde_writes() {
    let app = spawn_app().await;
    for (collection, key) in corpus(&app).await {
        let full = app.get(&format!("/api/v1/{collection}?limit=200")).await;
        let names: Vec<String> = full.body["items"][0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut projections: Vec<String> = names.clone();
        // Two fields in reverse order, and every field.
        projections.push(format!("{},{}", names[names.len() - 1], names[1]));
        projections.push(names.join(","));
        for fields in projections {
            let query = format!("?fields={fields}");
            let page = app
                .get(&format!("/api/v1/{collection}{query}&limit=200"))
                .await;
            page.assert_status(200);
            let items = item_bodies(&app, collection, key, &full.body, &query).await;
            assert_eq!(
                page.text,
                serde_page(&items, None),
                "{collection} fields={fields}"
            );
        }
    }
}

#[actix_web::test]
async fn cursors_and_links_are_the_struct_paths() {
    let app = spawn_app().await;
    corpus(&app).await;
    // Each list with its default order and others (descending, nullable, a parent's), paged
    // one row at a time: the full page, the raw path (`fields`, which reads a sort field it
    // does not show) and the struct path with `include=` hand out the same cursors and links.
    let cases = [
        ("countries", "action_plans", "", "name"),
        ("countries", "action_plans", "&sort=-member_since", "name"),
        ("local-members", "action_plans", "&sort=-population", "name"),
        ("action-plans", "country", "", "title"),
        ("action-plans", "country", "&sort=-submitted_on", "title"),
        (
            "action-plans",
            "country",
            "&sort=-start_year,title",
            "number",
        ),
        (
            "commitments",
            "milestones",
            "&sort=-plan_start_year",
            "title",
        ),
        ("commitments", "milestones", "&sort=start_date", "title"),
        ("milestones", "commitment", "&sort=-due_date", "title"),
        ("irm-findings", "action_plan", "&sort=-position", "report"),
    ];
    for (collection, include, sort, shown) in cases {
        let mut raw = format!("/api/v1/{collection}?limit=1{sort}");
        let mut projected = format!("/api/v1/{collection}?limit=1&fields={shown}{sort}");
        let mut structs = format!("/api/v1/{collection}?limit=1&include={include}{sort}");
        let mut pages = 0;
        loop {
            let (a, b, c) = (
                app.get(&raw).await,
                app.get(&projected).await,
                app.get(&structs).await,
            );
            for page in [&a, &b, &c] {
                page.assert_status(200);
            }
            let case = format!("{collection}{sort} page {pages}");
            assert_eq!(a.body["next_cursor"], c.body["next_cursor"], "{case}");
            assert_eq!(b.body["next_cursor"], c.body["next_cursor"], "{case}");
            assert_eq!(
                a.body["items"][0]["updated_at"],
                c.body["items"][0]["updated_at"]
            );
            let links = |r: &crate::helpers::TestResponse| {
                r.header("link")
                    .map(|l| l.split("cursor=").nth(1).unwrap_or("").to_string())
            };
            assert_eq!(links(&a), links(&c), "{case}");
            assert_eq!(links(&b), links(&c), "{case}");
            pages += 1;
            let Some(cursor) = a.body["next_cursor"].as_str() else {
                break;
            };
            for url in [&mut raw, &mut projected, &mut structs] {
                let base = url.split("&cursor=").next().unwrap().to_string();
                *url = format!("{base}&cursor={cursor}");
            }
        }
        assert!(pages >= 2, "{collection}{sort}: several pages");
    }
}

//! `GET /{collection}/groups`: counts per group of any field, with the list's filters and `q`
//! (listing/groups.rs), over the data of `filters::world`.

use crate::filters::world;
use crate::helpers::{spawn_app, TestApp, TestResponse};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{json, Value};

/// The groups of a JSON answer as `(key, count)` pairs.
fn groups(response: &TestResponse) -> Vec<(Value, i64)> {
    assert_eq!(response.status, 200, "{}", response.text);
    response.body["groups"]
        .as_array()
        .unwrap_or_else(|| panic!("no groups: {}", response.text))
        .iter()
        .map(|g| (g["key"].clone(), g["count"].as_i64().unwrap()))
        .collect()
}

async fn grouped(app: &TestApp, query: &str) -> Vec<(Value, i64)> {
    groups(
        &app.get(&format!("/api/v1/commitments/groups?{query}"))
            .await,
    )
}

#[actix_web::test]
async fn counts_per_value_with_unknown_values_as_their_own_group() {
    let app = spawn_app().await;
    world(&app).await;
    let response = app.get("/api/v1/commitments/groups?group_by=theme").await;
    assert_eq!(response.body["group_by"], json!(["theme"]));
    // The same address answers CSV by `Accept`: caches must tell them apart.
    let vary: Vec<&str> = response
        .headers
        .get_all("vary")
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        vary.iter().any(|v| v.split(", ").any(|h| h == "Accept")),
        "{vary:?}"
    );
    // Largest first, then by key (unknown last).
    assert_eq!(
        groups(&response),
        vec![
            (json!({"theme": "Health"}), 3),
            (json!({"theme": "Justice"}), 2),
            (json!({"theme": null}), 2),
            (json!({"theme": "Water"}), 1),
        ]
    );
    let by_key = grouped(&app, "group_by=theme&sort=key").await;
    let keys: Vec<Value> = by_key.iter().map(|(k, _)| k["theme"].clone()).collect();
    assert_eq!(
        keys,
        vec![
            json!("Health"),
            json!("Justice"),
            json!("Water"),
            Value::Null
        ]
    );
    let descending = grouped(&app, "group_by=theme&sort=-key").await;
    let keys: Vec<Value> = descending.iter().map(|(k, _)| k["theme"].clone()).collect();
    assert_eq!(
        keys,
        vec![
            Value::Null,
            json!("Water"),
            json!("Justice"),
            json!("Health")
        ]
    );
    let smallest = grouped(&app, "group_by=theme&sort=count").await;
    assert_eq!(smallest[0], (json!({"theme": "Water"}), 1));
    // A list field: each value held is a group.
    assert_eq!(
        grouped(&app, "group_by=ogp_values").await,
        vec![
            (json!({"ogp_values": "access_to_information"}), 4),
            (json!({"ogp_values": "civic_participation"}), 3),
            (json!({"ogp_values": "public_accountability"}), 1),
        ]
    );
}

#[actix_web::test]
async fn groups_take_the_lists_filters_and_search() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The plan's country, known themes only.
    assert_eq!(
        grouped(&app, "group_by=country_code&theme_null=false").await,
        vec![
            (json!({"country_code": "MEX"}), 3),
            (json!({"country_code": "KEN"}), 2),
            (json!({"country_code": "ESP"}), 1),
        ]
    );
    assert_eq!(
        grouped(
            &app,
            "group_by=country_code&theme=Justice&plan_start_year_gte=2016"
        )
        .await,
        vec![
            (json!({"country_code": "KEN"}), 1),
            (json!({"country_code": "MEX"}), 1),
        ]
    );
    // `q` and `id` narrow the rows counted.
    let c = &w.commitments;
    assert_eq!(
        grouped(
            &app,
            &format!("group_by=theme&id={},{},{}", c[0], c[1], c[2])
        )
        .await,
        vec![(json!({"theme": "Health"}), 2), (json!({"theme": null}), 1)]
    );
    let all = grouped(&app, "group_by=country_code").await;
    assert_eq!(
        grouped(&app, "group_by=country_code&q=commitment").await,
        all
    );
    assert_eq!(
        grouped(&app, "group_by=theme&q=nothingmatchesthis").await,
        Vec::<(Value, i64)>::new()
    );
    // Two fields, by key.
    assert_eq!(
        grouped(
            &app,
            "group_by=country_code,theme&sort=key&country_code=KEN,ESP"
        )
        .await,
        vec![
            (json!({"country_code": "ESP", "theme": "Health"}), 1),
            (json!({"country_code": "KEN", "theme": "Justice"}), 1),
            (json!({"country_code": "KEN", "theme": "Water"}), 1),
            (json!({"country_code": "KEN", "theme": null}), 1),
        ]
    );
    // A date by its year.
    for (i, date) in [(0, "2016-03-01"), (2, "2016-07-01"), (3, "2017-01-01")] {
        app.patch(
            &format!("/api/v1/commitments/{}", c[i]),
            &json!({"start_date": date}),
        )
        .await
        .assert_status(200);
    }
    assert_eq!(
        grouped(&app, "group_by=start_date_year").await,
        vec![
            (json!({"start_date_year": null}), 5),
            (json!({"start_date_year": 2016}), 2),
            (json!({"start_date_year": 2017}), 1),
        ]
    );
}

#[actix_web::test]
async fn an_assessment_field_counts_the_latest_assessment_or_the_chosen_reports() {
    let app = spawn_app().await;
    world(&app).await;
    // Latest: commitment 1's end-of-term rating (complete) over its mid-term one (none);
    // commitments never assessed are unknown.
    let latest = vec![
        (json!({"completion": null}), 4),
        (json!({"completion": "complete"}), 3),
        (json!({"completion": "limited"}), 1),
    ];
    // Unfiltered (the kept rollup), filtered (the kept latest assessment): the same counts.
    assert_eq!(grouped(&app, "group_by=completion").await, latest);
    assert_eq!(
        grouped(&app, "group_by=completion&q=commitment").await,
        latest
    );
    // `report` picks the assessment (and keeps the commitments that have one there).
    assert_eq!(
        grouped(&app, "group_by=completion&report=mid_term_report").await,
        vec![(json!({"completion": null}), 1)]
    );
    // Several reports: the latest of them (a subquery per commitment, not the unique join).
    assert_eq!(
        grouped(
            &app,
            "group_by=completion&report=mid_term_report,end_of_term_report"
        )
        .await,
        vec![
            (json!({"completion": "complete"}), 3),
            (json!({"completion": null}), 2),
            (json!({"completion": "limited"}), 1),
        ]
    );
    assert_eq!(
        grouped(&app, "group_by=completion&report_not=mid_term_report").await,
        vec![
            (json!({"completion": "complete"}), 3),
            (json!({"completion": null}), 2),
            (json!({"completion": "limited"}), 1),
        ]
    );
    assert_eq!(
        grouped(&app, "group_by=report,completion&sort=key").await,
        vec![
            (
                json!({"report": "end_of_term_report", "completion": "complete"}),
                3
            ),
            (
                json!({"report": "end_of_term_report", "completion": "limited"}),
                1
            ),
            (
                json!({"report": "end_of_term_report", "completion": null}),
                2
            ),
            (json!({"report": null, "completion": null}), 2),
        ]
    );
    // A field the kept table lacks reads the assessment itself, by the same rule.
    assert_eq!(
        grouped(&app, "group_by=specificity").await,
        vec![(json!({"specificity": null}), 8)]
    );
    // Grouped with an assessment filter: commitments with a limited assessment, by country.
    assert_eq!(
        grouped(&app, "group_by=country_code,completion&completion=limited").await,
        vec![(json!({"country_code": "MEX", "completion": "limited"}), 1)]
    );
}

#[actix_web::test]
async fn groups_come_as_csv_and_ndjson_too() {
    let app = spawn_app().await;
    world(&app).await;
    let csv = app
        .get("/api/v1/commitments/groups?group_by=theme&format=csv")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines,
        vec!["theme,count", "Health,3", "Justice,2", ",2", "Water,1"]
    );
    let ndjson = app
        .send(
            TestRequest::get()
                .uri("/api/v1/commitments/groups?group_by=country_code,theme&country_code=ESP")
                .insert_header(("Accept", "application/x-ndjson")),
        )
        .await;
    assert_eq!(ndjson.status, 200, "{}", ndjson.text);
    assert_eq!(ndjson.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = ndjson
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![json!({"key": {"country_code": "ESP", "theme": "Health"}, "count": 1})]
    );
}

#[actix_web::test]
async fn every_collection_has_groups_beside_its_items() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for (path, query, first) in [
        (
            "countries",
            "group_by=region&sort=key",
            json!({"region": "africa_middle_east"}),
        ),
        (
            "action-plans",
            "group_by=country_code",
            json!({"country_code": "KEN"}),
        ),
        (
            "action-plans",
            "group_by=start_year&sort=-key",
            json!({"start_year": 2016}),
        ),
        (
            "irm-findings",
            "group_by=report&kind=assessment",
            json!({"report": "end_of_term_report"}),
        ),
        ("milestones", "group_by=status", json!({"status": null})),
        // The world holds no OGP Local member: an empty answer, not a 404.
        ("local-members", "group_by=kind", json!(null)),
    ] {
        let response = app.get(&format!("/api/v1/{path}/groups?{query}")).await;
        let found = groups(&response);
        if path == "milestones" || path == "local-members" {
            assert!(found.is_empty(), "{path}: {}", response.text);
            continue;
        }
        assert_eq!(found[0].0, first, "{path}?{query}: {}", response.text);
    }
    // Items still answer beside `/groups`.
    app.get(&format!("/api/v1/commitments/{}", w.commitments[0]))
        .await
        .assert_status(200);
    app.get("/api/v1/countries/MEX").await.assert_status(200);
    // `/groups` is read-only.
    let patched = app.patch("/api/v1/commitments/groups", &json!({})).await;
    assert!(
        [400, 404, 405].contains(&patched.status.as_u16()),
        "{}",
        patched.text
    );
}

#[actix_web::test]
async fn bad_groupings_are_400s_that_say_what_is_taken() {
    let app = spawn_app().await;
    let unknown = app.get("/api/v1/commitments/groups?group_by=colour").await;
    unknown.assert_problem(400);
    let detail = unknown.body["detail"].as_str().unwrap();
    for offered in [
        "theme",
        "country_code",
        "completion",
        "start_date_year",
        "ogp_values",
    ] {
        assert!(detail.contains(offered), "{offered} not offered: {detail}");
    }
    for query in [
        "",
        "group_by=",
        "group_by=theme,theme",
        "group_by=theme,title,number,reference",
        "group_by=theme&sort=theme",
        "group_by=theme&limit=10",
        "group_by=theme&cursor=abc",
        "group_by=theme&include=milestones",
        "group_by=theme&colour=red",
        "group_by=title_year",
        "group_by=theme&format=xml",
    ] {
        app.get(&format!("/api/v1/commitments/groups?{query}"))
            .await
            .assert_problem(400);
    }
    // The fields of a list offered only as filters of another are not groupable there.
    app.get("/api/v1/milestones/groups?group_by=country_code")
        .await
        .assert_problem(400);
}

#[actix_web::test]
async fn more_groups_than_an_answer_holds_is_a_400_not_a_cut_list() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "INSERT INTO commitments (action_plan_id, number, title, ogp_values) \
             SELECT {}, 100 + i, 'Title ' || i, '{{}}' FROM generate_series(1, 10000) i",
            w.plans[0]
        )),
        &mut conn,
    )
    .await
    .unwrap();
    let cut = app.get("/api/v1/commitments/groups?group_by=title").await;
    cut.assert_problem(400);
    assert!(
        cut.body["detail"]
            .as_str()
            .unwrap()
            .contains("more than 10000 groups"),
        "{}",
        cut.text
    );
    // Narrowed, it answers.
    let narrowed = grouped(&app, "group_by=title&number_lte=5000").await;
    assert_eq!(narrowed.len(), 8 + 4900);
    assert!(narrowed.iter().all(|(_, n)| *n == 1));
    assert_eq!(
        grouped(&app, "group_by=theme").await[0],
        (json!({"theme": null}), 10002)
    );
}

/// `/{collection}/groups` takes GET (and HEAD) only: any other method is a 405 naming them,
/// although the path would also fit `/{collection}/{key}`; and no local member may be called
/// `groups`, which that route would hide.
#[actix_web::test]
async fn groups_routes_answer_other_methods_with_a_405_and_reserve_their_name() {
    let app = spawn_app().await;
    for path in [
        "countries",
        "local-members",
        "action-plans",
        "commitments",
        "milestones",
        "irm-findings",
    ] {
        for method in [Method::PATCH, Method::PUT, Method::DELETE, Method::OPTIONS] {
            let request = TestRequest::default()
                .method(method.clone())
                .uri(&format!("/api/v1/{path}/groups"));
            let response = app.send(app.authed(request)).await;
            response.assert_problem(405);
            assert_eq!(
                response.header("allow"),
                Some("GET, HEAD"),
                "{method} {path}"
            );
        }
    }
    app.post(
        "/api/v1/local-members",
        &json!({"slug": "groups", "name": "Groups", "country_code": "KEN", "kind": "other"}),
    )
    .await
    .assert_invalid(&["slug"]);
}

//! The filters every list derives from its fields: `<field>_null`, `<field>_not`, the key
//! (`id=`, `code=`), and sorting commitments by their plan's fields (listing/filters.rs).

use crate::fixtures::{assessment, commitment, country, create_finding, id_of, plan_over, with};
use crate::helpers::{spawn_app, TestApp, TestResponse};
use serde_json::{json, Value};

fn ids(response: &TestResponse) -> Vec<i64> {
    assert_eq!(response.status, 200, "{}", response.text);
    response.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", response.text))
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

/// What the tests build on: three countries, five plans, eight commitments (two without a
/// theme), assessments with and without a completion rating, and one commitment never assessed.
pub struct World {
    /// Plan ids: MEX 2011, MEX 2016, KEN 2016, KEN 2013, ESP 2016.
    pub plans: Vec<i64>,
    /// Commitment ids, by plan: two in each of the first three plans, one in each other.
    pub commitments: Vec<i64>,
}

pub async fn world(app: &TestApp) -> World {
    for (code, region) in [
        ("MEX", "americas"),
        ("KEN", "africa_middle_east"),
        ("ESP", "europe"),
    ] {
        app.create(
            "/api/v1/countries",
            &with(country(code), json!({"region": region})),
        )
        .await;
    }
    let mut plans = Vec::new();
    for (code, number, start) in [
        ("MEX", 1, 2011),
        ("MEX", 2, 2016),
        ("KEN", 1, 2016),
        ("KEN", 2, 2013),
        ("ESP", 1, 2016),
    ] {
        let body = plan_over(code, number, start, start + 2);
        plans.push(id_of(&app.create("/api/v1/action-plans", &body).await));
    }
    let mut commitments = Vec::new();
    // (plan index, theme, values)
    let rows = [
        (0, Some("Health"), "access_to_information"),
        (0, None, "civic_participation"),
        (1, Some("Health"), "public_accountability"),
        (1, Some("Justice"), "access_to_information"),
        (2, None, "civic_participation"),
        (2, Some("Justice"), "access_to_information"),
        (3, Some("Water"), "access_to_information"),
        (4, Some("Health"), "civic_participation"),
    ];
    for (i, (plan, theme, value)) in rows.into_iter().enumerate() {
        let body = with(
            commitment(plans[plan], i as i32 + 1),
            json!({"theme": theme, "ogp_values": [value]}),
        );
        commitments.push(id_of(&app.create("/api/v1/commitments", &body).await));
    }
    // End-of-term assessments: commitments 0 and 2 complete, 3 limited, 4 and 5 without a
    // completion rating; 6 and 7 never assessed. Commitment 1 also has a mid-term assessment
    // without a completion rating.
    let plan_of = [0, 0, 1, 1, 2, 2, 3, 4];
    for (i, completion) in [
        (0, Some("complete")),
        (1, Some("complete")),
        (2, Some("complete")),
        (3, Some("limited")),
        (4, None),
        (5, None),
    ] {
        let body = with(
            assessment(plans[plan_of[i]], commitments[i], "end_of_term_report"),
            // Published in 2017, within the end-of-term report's era whatever the plan's years.
            json!({"completion": completion, "published_on": "2017-06-01"}),
        );
        create_finding(app, &body).await;
    }
    let mid_term = with(
        assessment(plans[0], commitments[1], "mid_term_report"),
        json!({"published_on": "2017-01-01"}),
    );
    create_finding(app, &mid_term).await;
    World { plans, commitments }
}

#[actix_web::test]
async fn null_filters_select_unknown_or_known_values() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let c = &w.commitments;
    let unknown = app.get("/api/v1/commitments?theme_null=true").await;
    assert_eq!(ids(&unknown), vec![c[1], c[4]]);
    let known = app.get("/api/v1/commitments?theme_null=false").await;
    assert_eq!(ids(&known), vec![c[0], c[2], c[3], c[5], c[6], c[7]]);
    // Action plans: no plan has a submission date.
    let plans = app.get("/api/v1/action-plans?submitted_on_null=true").await;
    assert_eq!(ids(&plans), w.plans);
    let none = app
        .get("/api/v1/action-plans?submitted_on_null=false")
        .await;
    assert_eq!(ids(&none), Vec::<i64>::new());
    // On an assessment field: an assessment whose completion is unknown. Commitment 1's
    // mid-term assessment has none; commitments never assessed (6, 7) are not in either.
    let open = app.get("/api/v1/commitments?completion_null=true").await;
    assert_eq!(ids(&open), vec![c[1], c[4], c[5]]);
    let rated = app.get("/api/v1/commitments?completion_null=false").await;
    assert_eq!(ids(&rated), vec![c[0], c[1], c[2], c[3]]);
    // All conditions on assessments hold for the same assessment.
    let same = app
        .get("/api/v1/commitments?completion_null=true&report=end_of_term_report")
        .await;
    assert_eq!(ids(&same), vec![c[4], c[5]]);
    // The findings list has the same filter on its own column.
    let findings = app
        .get("/api/v1/irm-findings?completion_null=true&kind=assessment")
        .await;
    assert_eq!(ids(&findings).len(), 3);
}

#[actix_web::test]
async fn negation_keeps_unknown_values_unless_told_not_to() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let c = &w.commitments;
    let not_health = app.get("/api/v1/commitments?theme_not=Health").await;
    assert_eq!(ids(&not_health), vec![c[1], c[3], c[4], c[5], c[6]]);
    let known = app
        .get("/api/v1/commitments?theme_not=Health,Justice&theme_null=false")
        .await;
    assert_eq!(ids(&known), vec![c[6]]);
    // Repeating the key adds to the list, as for the exact filter.
    let repeated = app
        .get("/api/v1/commitments?theme_not=Health&theme_not=Justice&theme_null=false")
        .await;
    assert_eq!(ids(&repeated), vec![c[6]]);
    // An array field: rows holding none of the values.
    let values = app
        .get("/api/v1/commitments?ogp_values_not=access_to_information,public_accountability")
        .await;
    assert_eq!(ids(&values), vec![c[1], c[4], c[7]]);
    // On the plan: commitments of plans not in Mexico.
    let abroad = app.get("/api/v1/commitments?country_code_not=MEX").await;
    assert_eq!(ids(&abroad), c[4..].to_vec());
    // On an assessment: an assessment whose completion is not `complete` (or unknown).
    let unfinished = app.get("/api/v1/commitments?completion_not=complete").await;
    assert_eq!(ids(&unfinished), vec![c[1], c[3], c[4], c[5]]);
    let codes = app
        .get("/api/v1/countries?region_not=americas,europe")
        .await;
    assert_eq!(codes.status, 200, "{}", codes.text);
    assert_eq!(codes.body["items"][0]["code"], "KEN");
    assert_eq!(codes.body["items"].as_array().unwrap().len(), 1);
    // Exports take the same filters.
    let csv = app
        .get("/api/v1/commitments?theme_null=true&format=ndjson")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    let exported: Vec<i64> = csv
        .text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(exported, vec![c[1], c[4]]);
}

#[actix_web::test]
async fn keys_select_several_rows_up_to_the_page_limit() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let c = &w.commitments;
    let some = app
        .get(&format!(
            "/api/v1/commitments?id={},{}&id={}",
            c[5], c[0], c[3]
        ))
        .await;
    assert_eq!(ids(&some), vec![c[0], c[3], c[5]]);
    let plans = app
        .get(&format!(
            "/api/v1/action-plans?id={}&country_code=MEX",
            w.plans[0]
        ))
        .await;
    assert_eq!(ids(&plans), vec![w.plans[0]]);
    let codes = app.get("/api/v1/countries?code=MEX,ESP").await;
    let found: Vec<&str> = codes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(found, vec!["ESP", "MEX"]);
    let not_mex = app.get("/api/v1/countries?code_not=MEX").await;
    assert_eq!(not_mex.body["items"].as_array().unwrap().len(), 2);
    // At most a page's worth of values: 200 are taken, 201 are a 400 naming the limit.
    let many: Vec<String> = c
        .iter()
        .copied()
        .chain(1_000_000..)
        .take(200)
        .map(|n| n.to_string())
        .collect();
    let full = app
        .get(&format!(
            "/api/v1/commitments?id={}&limit=200",
            many.join(",")
        ))
        .await;
    assert_eq!(sorted(ids(&full)), sorted(c.clone()));
    let too_many = app
        .get(&format!(
            "/api/v1/commitments?id={},2000000",
            many.join(",")
        ))
        .await;
    too_many.assert_problem(400);
    assert!(
        too_many.body["detail"]
            .as_str()
            .unwrap()
            .contains("at most 200 values"),
        "{}",
        too_many.text
    );
    let codes: Vec<String> = (0..201).map(|n| format!("C{n:03}")).collect();
    app.get(&format!("/api/v1/countries?code={}", codes.join(",")))
        .await
        .assert_problem(400);
    // A bad id is named.
    let bad = app.get("/api/v1/milestones?id=1,x").await;
    bad.assert_problem(400);
    assert!(
        bad.body["detail"].as_str().unwrap().contains("`id`"),
        "{}",
        bad.text
    );
}

#[actix_web::test]
async fn unknown_or_unoffered_filters_are_400s_listing_what_is_taken() {
    let app = spawn_app().await;
    for query in [
        // `title` is NOT NULL: no `_null`.
        "title_null=true",
        "withdrawn_null=false",
        "title_gte=a",
        "theme_nul=true",
        // The key takes no negation on lists keyed by id.
        "id_not=1",
    ] {
        let response = app.get(&format!("/api/v1/commitments?{query}")).await;
        response.assert_problem(400);
        let detail = response.body["detail"].as_str().unwrap();
        assert!(detail.contains("this list takes"), "{query}: {detail}");
        assert!(detail.contains("theme_null"), "{query}: {detail}");
        assert!(detail.contains("theme_not"), "{query}: {detail}");
        assert!(detail.contains(", id,"), "{query}: {detail}");
    }
    let bad = app.get("/api/v1/commitments?theme_null=yes").await;
    bad.assert_problem(400);
    assert!(bad.body["detail"].as_str().unwrap().contains("theme_null"));
    let twice = app
        .get("/api/v1/commitments?theme_null=true&theme_null=false")
        .await;
    twice.assert_problem(400);
    // A read alias's own parent stays fixed, negated or not.
    let (plan, _) = crate::fixtures::a_commitment(&app).await;
    app.get(&format!(
        "/api/v1/action-plans/{plan}/commitments?action_plan_id_not=1"
    ))
    .await
    .assert_problem(400);
}

/// Every page of `path` (with `limit=2`), following `next_cursor`.
async fn all_pages(app: &TestApp, path: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut next = format!("{path}&limit=2");
    for _ in 0..20 {
        let page = app.get(&next).await;
        seen.extend(ids(&page));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => next = format!("{path}&limit=2&cursor={cursor}"),
            None => return seen,
        }
    }
    panic!("{path} does not end");
}

#[actix_web::test]
async fn commitments_sort_by_their_plans_fields_through_every_page() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let c = &w.commitments;
    // Plans: MEX 2011 (c0, c1), MEX 2016 (c2, c3), KEN 2016 (c4, c5), KEN 2013 (c6),
    // ESP 2016 (c7). Newest year first, then country, then the key (in the direction of the
    // last sort key: ascending here).
    let order = all_pages(
        &app,
        "/api/v1/commitments?sort=-plan_start_year,country_code",
    )
    .await;
    assert_eq!(order, vec![c[7], c[4], c[5], c[2], c[3], c[6], c[0], c[1]]);
    let descending = all_pages(&app, "/api/v1/commitments?sort=country_code,-plan_end_year").await;
    assert_eq!(
        descending,
        vec![c[7], c[5], c[4], c[6], c[3], c[2], c[1], c[0]]
    );
    // With filters and a parent field that is also filtered on.
    let filtered = all_pages(
        &app,
        "/api/v1/commitments?sort=plan_start_year,-id&theme_null=false&plan_start_year_gte=2013",
    )
    .await;
    assert_eq!(filtered, vec![c[6], c[7], c[5], c[3], c[2]]);
    // The page still carries only the commitment's own fields.
    let page = app
        .get("/api/v1/commitments?sort=country_code&limit=1")
        .await;
    assert!(page.body["items"][0].get("country_code").is_none());
    // Exports follow the same order.
    let csv = app
        .get("/api/v1/commitments?sort=-plan_start_year,country_code&format=ndjson")
        .await;
    let exported: Vec<i64> = csv
        .text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(exported, order);
}

/// The `_null` filters are offered exactly on the columns that can be NULL: each field over a
/// plain column of the list's own table is checked against the database's catalogue.
#[actix_web::test]
async fn null_filters_are_offered_exactly_on_nullable_columns() {
    use ogp_api::resources as r;
    let app = spawn_app().await;
    let specs = [
        &r::countries::list::SPEC,
        &r::local_members::list::SPEC,
        &r::action_plans::list::SPEC,
        &r::commitments::list::SPEC,
        &r::milestones::list::SPEC,
        &r::irm_findings::list::SPEC,
    ];
    let mut checked = 0;
    for spec in specs {
        let (table, alias) = spec.from.split_once(' ').unwrap();
        for field in spec.fields {
            let Some(column) = field.sql.strip_prefix(&format!("{alias}.")) else {
                continue;
            };
            if field.group.is_some() {
                continue;
            }
            let nullable = app
                .sql_text(&format!(
                    "SELECT is_nullable AS value FROM information_schema.columns \
                     WHERE table_name = '{table}' AND column_name = '{column}'"
                ))
                .await;
            assert_eq!(
                field.nullable,
                nullable == "YES",
                "{table}.{column}: declared nullable {}",
                field.nullable
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} fields checked");
    // Grouped fields: the plan's are NOT NULL, the assessments' may be NULL.
    let spec = &r::commitments::list::SPEC;
    assert!(!spec.field("plan_start_year").unwrap().nullable);
    assert!(spec.field("completion").unwrap().nullable);
}

/// `/stats/commitments` takes the new filters too; `report_not`, like `report`, also picks
/// which assessment counts (the latest one of the other reports).
#[actix_web::test]
async fn statistics_take_the_negated_report() {
    let app = spawn_app().await;
    world(&app).await;
    let stats = app
        .get("/api/v1/stats/commitments?group_by=country&report_not=end_of_term_report")
        .await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    let groups = stats.body["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{}", stats.text);
    assert_eq!(groups[0]["group"], "MEX");
    assert_eq!(groups[0]["commitments"], 1);
    assert_eq!(groups[0]["assessed"], 1);
    // Its completion is that of the mid-term assessment (none), not the end-of-term one.
    assert_eq!(groups[0]["completion"]["complete"], 0, "{}", stats.text);
    let unknown = app
        .get("/api/v1/stats/commitments?group_by=theme&theme_null=true")
        .await;
    let groups = unknown.body["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{}", unknown.text);
    assert_eq!(groups[0]["group"], Value::Null);
    assert_eq!(groups[0]["commitments"], 2);
}

/// `report_null` on statistics picks which assessment counts like `report` does, without a
/// value to bind: no finding has a NULL report, so `true` counts no assessment and `false`
/// every one (it was a 500: the condition was bound as a list of reports).
#[actix_web::test]
async fn statistics_take_report_null() {
    let app = spawn_app().await;
    world(&app).await;
    for group_by in ["country", "report", "era", "theme"] {
        for null in ["true", "false"] {
            let stats = app
                .get(&format!(
                    "/api/v1/stats/commitments?group_by={group_by}&report_null={null}"
                ))
                .await;
            assert_eq!(stats.status, 200, "{group_by} {null}: {}", stats.text);
        }
    }
    let none = app
        .get("/api/v1/stats/commitments?group_by=country&report_null=true")
        .await;
    let assessed: i64 = none.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["assessed"].as_i64().unwrap())
        .sum();
    assert_eq!(assessed, 0, "{}", none.text);
}

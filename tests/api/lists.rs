//! Filters, sorts, search, embedding, totals and conditional GETs of the lists.

use crate::fixtures::{a_plan, commitment, country, id_of, milestone, plan};
use crate::helpers::{spawn_app, TestApp};
use actix_web::test::TestRequest;
use serde_json::{json, Value};

fn ids(response: &crate::helpers::TestResponse) -> Vec<i64> {
    response.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", response.text))
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

fn field(response: &crate::helpers::TestResponse, name: &str) -> Vec<Value> {
    response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[name].clone())
        .collect()
}

/// Three countries with plans of various years and statuses.
async fn plans_of_three_countries(app: &TestApp) -> Vec<i64> {
    let mut ids = Vec::new();
    for (code, region) in [
        ("MEX", "americas"),
        ("KEN", "africa_middle_east"),
        ("ESP", "europe"),
    ] {
        let mut body = country(code);
        body["region"] = json!(region);
        app.create("/api/v1/countries", &body).await;
    }
    for (code, number, start, status) in [
        ("MEX", 1, 2011, "completed"),
        ("MEX", 2, 2013, "completed"),
        ("MEX", 3, 2016, "completed"),
        ("KEN", 1, 2012, "completed"),
        ("KEN", 2, 2018, "implementing"),
        ("ESP", 1, 2012, "draft"),
    ] {
        let mut body = plan(code, number);
        body["start_year"] = json!(start);
        body["end_year"] = json!(start + 2);
        body["status"] = json!(status);
        ids.push(id_of(&app.create("/api/v1/action-plans", &body).await));
    }
    ids
}

#[actix_web::test]
async fn exact_any_of_and_range_filters() {
    let app = spawn_app().await;
    let plans = plans_of_three_countries(&app).await;
    let mex = app.get("/api/v1/action-plans?country_code=MEX").await;
    assert_eq!(ids(&mex), plans[0..3]);
    let two = app.get("/api/v1/action-plans?country_code=KEN,ESP").await;
    assert_eq!(ids(&two), plans[3..6]);
    let range = app
        .get("/api/v1/action-plans?start_year_gte=2012&start_year_lte=2013")
        .await;
    assert_eq!(ids(&range), [plans[1], plans[3], plans[5]]);
    let combined = app
        .get("/api/v1/action-plans?status=completed,draft&start_year_gte=2012&country_code=MEX,ESP")
        .await;
    assert_eq!(ids(&combined), [plans[1], plans[2], plans[5]]);
    let countries = app
        .get("/api/v1/countries?region=europe,africa_middle_east")
        .await;
    assert_eq!(field(&countries, "code"), [json!("ESP"), json!("KEN")]);
}

#[actix_web::test]
async fn invalid_filter_values_are_400s_naming_the_parameter_and_the_allowed_values() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/action-plans?status=done").await;
    response.assert_problem(400);
    let detail = response.body["detail"].as_str().unwrap();
    assert!(detail.contains("`status`"), "{detail}");
    assert!(
        detail.contains("draft, submitted, implementing, completed"),
        "{detail}"
    );
    for bad in [
        "start_year_gte=soon",
        "submitted_on_lte=2016-13-01",
        "multistakeholder_forum=yes",
        "country_code_gte=MEX",
        "updated_since=yesterday",
        "sort=colour",
        "sort=status",
        "include=milestones",
    ] {
        let response = app.get(&format!("/api/v1/action-plans?{bad}")).await;
        response.assert_problem(400);
        let name = bad.split('=').next().unwrap();
        assert!(
            response.body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("`{name}`")),
            "{bad}: {}",
            response.text
        );
    }
}

#[actix_web::test]
async fn updated_since_returns_rows_changed_at_or_after() {
    let app = spawn_app().await;
    let plans = plans_of_three_countries(&app).await;
    let before_patch = chrono::Utc::now();
    app.patch(
        &format!("/api/v1/action-plans/{}", plans[4]),
        &json!({"title": "Renamed"}),
    )
    .await
    .assert_status(200);
    let since = before_patch.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let response = app
        .get(&format!(
            "/api/v1/action-plans?updated_since={}",
            since.replace('+', "%2B")
        ))
        .await;
    assert_eq!(ids(&response), [plans[4]]);
}

#[actix_web::test]
async fn sort_in_both_directions_with_the_key_breaking_ties() {
    let app = spawn_app().await;
    let plans = plans_of_three_countries(&app).await;
    let ascending = app.get("/api/v1/action-plans?sort=start_year").await;
    assert_eq!(
        ids(&ascending),
        [plans[0], plans[3], plans[5], plans[1], plans[2], plans[4]]
    );
    let descending = app.get("/api/v1/action-plans?sort=-start_year").await;
    assert_eq!(
        ids(&descending),
        [plans[4], plans[2], plans[1], plans[5], plans[3], plans[0]]
    );
    let mixed = app
        .get("/api/v1/action-plans?sort=country_code,-number")
        .await;
    mixed.assert_problem(400); // country_code is a filter, not a sort key
    let mixed = app.get("/api/v1/action-plans?sort=-end_year,title").await;
    mixed.assert_status(200);
}

/// Pages through `url` with `limit`, returning every id in order.
async fn all_pages(app: &TestApp, url: &str, limit: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let separator = if url.contains('?') { '&' } else { '?' };
    let mut next = format!("{url}{separator}limit={limit}");
    for _ in 0..100 {
        let response = app.get(&next).await;
        response.assert_status(200);
        assert!(ids(&response).len() <= limit);
        out.extend(ids(&response));
        match response.body["next_cursor"].as_str() {
            Some(cursor) => next = format!("{url}{separator}limit={limit}&cursor={cursor}"),
            None => return out,
        }
    }
    panic!("more than 100 pages");
}

#[actix_web::test]
async fn keyset_pages_match_the_unpaged_order_for_every_sort() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    // Duplicated and missing values exercise the tie-breaker and NULL ordering.
    for n in 1..=17 {
        let mut body = commitment(plan_id, n);
        body["theme"] = if n % 4 == 0 {
            Value::Null
        } else {
            json!(format!("Theme {}", n % 3))
        };
        body["start_date"] = if n % 5 == 0 {
            Value::Null
        } else {
            json!(format!("2017-0{}-01", 1 + n % 3))
        };
        app.create("/api/v1/commitments", &body).await;
    }
    for sort in [
        "",
        "-id",
        "theme",
        "-theme",
        "start_date,-theme",
        "-start_date,theme",
        "-number",
        "title",
        "theme,start_date",
        "-theme,-start_date",
    ] {
        let url = if sort.is_empty() {
            "/api/v1/commitments".to_string()
        } else {
            format!("/api/v1/commitments?sort={sort}")
        };
        let whole = app
            .get(&format!(
                "{url}{}limit=200",
                if sort.is_empty() { '?' } else { '&' }
            ))
            .await;
        let expected = ids(&whole);
        assert_eq!(expected.len(), 17);
        for limit in [1, 4, 5] {
            assert_eq!(
                all_pages(&app, &url, limit).await,
                expected,
                "sort={sort} limit={limit}"
            );
        }
    }
}

#[actix_web::test]
async fn a_cursor_only_works_with_its_own_sort() {
    let app = spawn_app().await;
    plans_of_three_countries(&app).await;
    let page = app
        .get("/api/v1/action-plans?sort=start_year&limit=2")
        .await;
    let cursor = page.body["next_cursor"].as_str().unwrap();
    app.get(&format!(
        "/api/v1/action-plans?sort=-start_year&limit=2&cursor={cursor}"
    ))
    .await
    .assert_problem(400);
    app.get(&format!(
        "/api/v1/action-plans?sort=start_year&limit=2&cursor={cursor}"
    ))
    .await
    .assert_status(200);
}

#[actix_web::test]
async fn include_total_counts_all_matching_rows() {
    let app = spawn_app().await;
    plans_of_three_countries(&app).await;
    let response = app
        .get("/api/v1/action-plans?country_code=MEX,KEN&limit=2&include_total=true")
        .await;
    assert_eq!(response.body["total"], 5);
    assert_eq!(ids(&response).len(), 2);
    let without = app.get("/api/v1/action-plans?limit=2").await;
    assert!(without.body.get("total").is_none());
}

#[actix_web::test]
async fn commitments_filter_by_country_plan_period_and_irm_ratings() {
    let app = spawn_app().await;
    let plans = plans_of_three_countries(&app).await;
    let mut commitments = Vec::new();
    // KEN's 2012 report is dated 2014, when moderate potential impact still earned a star; its
    // 2018 plan's report is dated 2019, the last year of the well-designed asterisk.
    for (plan_index, completion, impact, published_on) in [
        (2, "complete", "transformative", None),         // MEX 2016
        (2, "limited", "moderate", None),                // MEX 2016
        (3, "complete", "moderate", Some("2014-10-01")), // KEN 2012
        (4, "substantial", "transformative", Some("2019-11-01")), // KEN 2018
    ] {
        let plan_id = plans[plan_index];
        let number = commitments.len() as i32 + 1;
        let id = id_of(
            &app.create("/api/v1/commitments", &commitment(plan_id, number))
                .await,
        );
        app.create(
            "/api/v1/irm-findings",
            &json!({"action_plan_id": plan_id, "commitment_id": id, "report": "end_of_term_report",
                    "kind": "assessment", "completion": completion, "potential_impact": impact,
                    "specificity": "high", "relevance": ["civic_participation"],
                    "published_on": published_on}),
        )
        .await;
        commitments.push(id);
    }
    let unassessed = id_of(
        &app.create("/api/v1/commitments", &commitment(plans[0], 9))
            .await,
    );

    let of_mex = app.get("/api/v1/commitments?country_code=MEX").await;
    assert_eq!(ids(&of_mex), [commitments[0], commitments[1], unassessed]);
    let recent = app
        .get("/api/v1/commitments?plan_start_year_gte=2016")
        .await;
    assert_eq!(
        ids(&recent),
        [commitments[0], commitments[1], commitments[3]]
    );
    let complete = app
        .get("/api/v1/commitments?completion=complete,substantial")
        .await;
    assert_eq!(
        ids(&complete),
        [commitments[0], commitments[2], commitments[3]]
    );
    // Both ratings must hold for the same assessment.
    let both = app
        .get("/api/v1/commitments?completion=complete&potential_impact=transformative")
        .await;
    assert_eq!(ids(&both), [commitments[0]]);
    let well = app.get("/api/v1/commitments?well_designed=true").await;
    assert_eq!(ids(&well), [commitments[0], commitments[3]]);
    // KEN's 2014 report predates 2015, so its moderate-impact commitment is starred too.
    let starred = app
        .get("/api/v1/commitments?starred=true&country_code=KEN")
        .await;
    assert_eq!(ids(&starred), [commitments[2], commitments[3]]);
    let starred_mex = app
        .get("/api/v1/commitments?starred=true&country_code=MEX")
        .await;
    assert_eq!(ids(&starred_mex), [commitments[0]]);
    let other_report = app.get("/api/v1/commitments?report=mid_term_report").await;
    assert!(ids(&other_report).is_empty());
    let by_values = app
        .get("/api/v1/commitments?ogp_values=access_to_information")
        .await;
    assert_eq!(ids(&by_values).len(), 5);
}

#[actix_web::test]
async fn full_text_search_matches_english_and_spanish_and_ranks() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let texts = [
        (
            "Sistema Nacional de Cuidados",
            "Reconocimiento del trabajo doméstico y de cuidados",
        ),
        (
            "Open contracting in public procurement",
            "Publish contracts and their amendments",
        ),
        (
            "Participación ciudadana en la política pública",
            "Mecanismos de participación",
        ),
        (
            "Budget transparency",
            "Citizens participate in budget hearings; participation is recorded",
        ),
    ];
    let mut ids_by_text = Vec::new();
    for (number, (title, description)) in texts.iter().enumerate() {
        let mut body = commitment(plan_id, number as i32 + 1);
        body["title"] = json!(title);
        body["description"] = json!(description);
        ids_by_text.push(id_of(&app.create("/api/v1/commitments", &body).await));
    }
    // Accents are ignored and Spanish words are stemmed.
    let spanish = app.get("/api/v1/commitments?q=participacion").await;
    assert_eq!(ids(&spanish), [ids_by_text[2]]);
    let plural = app.get("/api/v1/commitments?q=cuidado").await;
    assert_eq!(ids(&plural), [ids_by_text[0]]);
    // English stemming: "contract" finds "contracting" and "contracts".
    let english = app.get("/api/v1/commitments?q=contract").await;
    assert_eq!(ids(&english), [ids_by_text[1]]);
    let phrase = app
        .get("/api/v1/commitments?q=%22public+procurement%22")
        .await;
    assert_eq!(ids(&phrase), [ids_by_text[1]]);
    // Ranked: the row mentioning "participation" twice and "participate" once comes first.
    let ranked = app.get("/api/v1/commitments?q=participation").await;
    assert_eq!(ids(&ranked).first(), Some(&ids_by_text[3]));
    // Ranked pages stay consistent.
    let paged = all_pages(&app, "/api/v1/commitments?q=participation", 1).await;
    assert_eq!(paged, ids(&ranked));
    app.get("/api/v1/commitments?q=").await.assert_problem(400);
    let findings = app.get("/api/v1/irm-findings?q=anything").await;
    findings.assert_status(200);
}

#[actix_web::test]
async fn include_embeds_children_with_one_query_per_collection() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let first = id_of(
        &app.create("/api/v1/commitments", &commitment(plan_id, 1))
            .await,
    );
    let second = id_of(
        &app.create("/api/v1/commitments", &commitment(plan_id, 2))
            .await,
    );
    for position in [2, 1] {
        app.create("/api/v1/milestones", &milestone(first, position))
            .await;
    }
    app.create(
        "/api/v1/irm-findings",
        &json!({"action_plan_id": plan_id, "commitment_id": second, "report": "mid_term_report",
                "kind": "assessment", "well_designed": false}),
    )
    .await;
    let response = app
        .get(&format!(
            "/api/v1/action-plans/{plan_id}/commitments?include=milestones,irm_findings"
        ))
        .await;
    let items = response.body["items"].as_array().unwrap();
    let positions: Vec<_> = items[0]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2]);
    assert_eq!(items[0]["irm_findings"], json!([]));
    assert_eq!(items[1]["milestones"], json!([]));
    assert_eq!(items[1]["irm_findings"][0]["well_designed"], false);
    assert_eq!(
        items[0]["title"], "Commitment 1",
        "the row's own fields stay"
    );

    let plain = app.get("/api/v1/commitments").await;
    assert!(plain.body["items"][0].get("milestones").is_none());

    let countries = app.get("/api/v1/countries?include=action_plans").await;
    assert_eq!(countries.body["items"][0]["action_plans"][0]["id"], plan_id);
    let plans = app
        .get("/api/v1/action-plans?include=commitments,irm_findings")
        .await;
    assert_eq!(
        plans.body["items"][0]["commitments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        plans.body["items"][0]["irm_findings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn lists_carry_an_etag_and_answer_304() {
    let app = spawn_app().await;
    plans_of_three_countries(&app).await;
    let first = app.get("/api/v1/action-plans?country_code=MEX").await;
    let etag = first.header("etag").unwrap().to_string();
    assert!(etag.starts_with("W/\""));
    assert_eq!(first.header("cache-control"), Some("public, max-age=30"));
    let again = app
        .send(
            TestRequest::get()
                .uri("/api/v1/action-plans?country_code=MEX")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    again.assert_status(304);
    assert!(again.text.is_empty());
    // A change to a listed row changes the ETag.
    let id = ids(&first)[0];
    app.patch(
        &format!("/api/v1/action-plans/{id}"),
        &json!({"title": "New"}),
    )
    .await
    .assert_status(200);
    let changed = app
        .send(
            TestRequest::get()
                .uri("/api/v1/action-plans?country_code=MEX")
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
    changed.assert_status(200);
}

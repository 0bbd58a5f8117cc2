//! `include=` embedding parents (and children) on lists, item GETs and exports: the embedded
//! objects are the parents' own GET answers, two levels at most, one query per collection per
//! level whatever the page size.

use crate::fixtures::{
    assessment, commitment_in, country, create_finding, id_of, milestone, plan, process,
};
use crate::helpers::{spawn_app, TestApp};
use actix_web::test::TestRequest;
use serde_json::{json, Value};

/// Two countries (MEX, BRA) with a plan each and a commitment in each plan; a milestone of the
/// MEX commitment, an assessment of it and a process finding on the BRA plan.
struct Graph {
    mex_plan: i64,
    bra_plan: i64,
    mex_commitment: i64,
    bra_commitment: i64,
    milestone: i64,
    assessment: i64,
    process: i64,
}

async fn graph(app: &TestApp) -> Graph {
    app.create("/api/v1/countries", &country("MEX")).await;
    app.create("/api/v1/countries", &country("BRA")).await;
    let mex_plan = id_of(&app.create("/api/v1/action-plans", &plan("MEX", 3)).await);
    let bra_plan = id_of(&app.create("/api/v1/action-plans", &plan("BRA", 2)).await);
    let mex_commitment = commitment_in(app, mex_plan, 1).await;
    let bra_commitment = commitment_in(app, bra_plan, 1).await;
    let milestone = id_of(
        &app.create("/api/v1/milestones", &milestone(mex_commitment, 1))
            .await,
    );
    let assessment =
        id_of(&create_finding(app, &assessment(mex_plan, mex_commitment, "design_report")).await);
    let process = id_of(&create_finding(app, &process(bra_plan, "design_report")).await);
    Graph {
        mex_plan,
        bra_plan,
        mex_commitment,
        bra_commitment,
        milestone,
        assessment,
        process,
    }
}

/// The body of a GET that must answer 200.
async fn body(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    response.assert_status(200);
    response.body
}

/// The page item with `id`.
fn item(page: &Value, id: i64) -> Value {
    page["items"]
        .as_array()
        .expect("a page")
        .iter()
        .find(|row| row["id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no item {id} in {page}"))
}

#[actix_web::test]
async fn every_list_embeds_its_parents_as_their_own_get() {
    let app = spawn_app().await;
    let g = graph(&app).await;
    let mex = body(&app, "/api/v1/countries/MEX").await;
    let bra = body(&app, "/api/v1/countries/BRA").await;
    let mex_plan = body(&app, &format!("/api/v1/action-plans/{}", g.mex_plan)).await;
    let bra_plan = body(&app, &format!("/api/v1/action-plans/{}", g.bra_plan)).await;
    let mex_commitment = body(&app, &format!("/api/v1/commitments/{}", g.mex_commitment)).await;

    // Plans: their country.
    let plans = body(&app, "/api/v1/action-plans?include=country").await;
    assert_eq!(item(&plans, g.mex_plan)["country"], mex);
    assert_eq!(item(&plans, g.bra_plan)["country"], bra);

    // Commitments: plan and country, and the plan's country two levels deep; children too.
    let commitments = body(
        &app,
        "/api/v1/commitments?include=action_plan.country,country,milestones",
    )
    .await;
    let row = item(&commitments, g.mex_commitment);
    assert_eq!(row["country"], mex);
    let mut plan_with_country = mex_plan.clone();
    plan_with_country["country"] = mex.clone();
    assert_eq!(row["action_plan"], plan_with_country);
    assert_eq!(row["milestones"].as_array().unwrap().len(), 1);
    assert_eq!(
        item(&commitments, g.bra_commitment)["action_plan"]["country"],
        bra
    );
    // Only what is asked for: `action_plan` without `.country` carries no country.
    let plain = body(&app, "/api/v1/commitments?include=action_plan").await;
    assert_eq!(item(&plain, g.bra_commitment)["action_plan"], bra_plan);
    assert!(item(&plain, g.bra_commitment).get("country").is_none());
    assert!(item(&plain, g.bra_commitment).get("milestones").is_none());

    // Milestones: their commitment, with its plan.
    let milestones = body(
        &app,
        "/api/v1/milestones?include=commitment.action_plan,commitment.country",
    )
    .await;
    let row = item(&milestones, g.milestone);
    let mut expected = mex_commitment.clone();
    expected["action_plan"] = mex_plan.clone();
    expected["country"] = mex.clone();
    assert_eq!(row["commitment"], expected);

    // Findings: commitment (null for a finding about a whole plan) and plan.
    let findings = body(
        &app,
        "/api/v1/irm-findings?include=commitment,action_plan,country",
    )
    .await;
    let assessed = item(&findings, g.assessment);
    assert_eq!(assessed["commitment"], mex_commitment);
    assert_eq!(assessed["action_plan"], mex_plan);
    assert_eq!(assessed["country"], mex);
    let process = item(&findings, g.process);
    assert_eq!(process["commitment"], Value::Null);
    assert_eq!(process["action_plan"], bra_plan);

    // The read aliases take it too.
    let alias = body(
        &app,
        &format!(
            "/api/v1/action-plans/{}/commitments?include=action_plan",
            g.mex_plan
        ),
    )
    .await;
    assert_eq!(item(&alias, g.mex_commitment)["action_plan"], mex_plan);
    // The children a list offered before are still offered.
    let countries = body(&app, "/api/v1/countries?include=action_plans").await;
    assert_eq!(
        countries["items"][0]["action_plans"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn item_gets_embed_the_same_and_their_etag_follows_the_embedded_records() {
    let app = spawn_app().await;
    let g = graph(&app).await;
    let mex = body(&app, "/api/v1/countries/MEX").await;
    let plain = app
        .get(&format!("/api/v1/commitments/{}", g.mex_commitment))
        .await;
    let path = format!(
        "/api/v1/commitments/{}?include=action_plan.country,milestones",
        g.mex_commitment
    );
    let included = app.get(&path).await;
    included.assert_status(200);
    let mut expected = plain.body.clone();
    let mut plan = body(&app, &format!("/api/v1/action-plans/{}", g.mex_plan)).await;
    plan["country"] = mex;
    expected["action_plan"] = plan;
    expected["milestones"] = body(
        &app,
        &format!("/api/v1/commitments/{}/milestones", g.mex_commitment),
    )
    .await["items"]
        .clone();
    assert_eq!(included.body, expected);

    // Without `include` the strong version ETag; with it a weak one over the body.
    let strong = plain.header("etag").unwrap().to_string();
    let weak = included.header("etag").unwrap().to_string();
    assert!(!strong.starts_with("W/"), "{strong}");
    assert!(weak.starts_with("W/"), "{weak}");
    let revalidated = app
        .send(
            TestRequest::get()
                .uri(&path)
                .insert_header(("If-None-Match", weak.as_str())),
        )
        .await;
    assert_eq!(revalidated.status.as_u16(), 304);

    // The embedded country changes: the included ETag changes, the plain one does not.
    app.patch("/api/v1/countries/MEX", &json!({"name": "Mexico"}))
        .await
        .assert_status(200);
    let after = app.get(&path).await;
    assert_ne!(after.header("etag").unwrap(), weak);
    assert_eq!(after.body["action_plan"]["country"]["name"], "Mexico");
    let plain_after = app
        .get(&format!("/api/v1/commitments/{}", g.mex_commitment))
        .await;
    assert_eq!(plain_after.header("etag").unwrap(), strong);

    // Every item GET takes its list's `include`.
    let milestone = body(
        &app,
        &format!("/api/v1/milestones/{}?include=commitment", g.milestone),
    )
    .await;
    assert_eq!(milestone["commitment"]["id"], json!(g.mex_commitment));
    let finding = body(
        &app,
        &format!(
            "/api/v1/irm-findings/{}?include=commitment,action_plan.country",
            g.process
        ),
    )
    .await;
    assert_eq!(finding["commitment"], Value::Null);
    assert_eq!(finding["action_plan"]["country"]["code"], "BRA");
    let plan = body(
        &app,
        &format!(
            "/api/v1/action-plans/{}?include=country,commitments",
            g.bra_plan
        ),
    )
    .await;
    assert_eq!(plan["country"]["code"], "BRA");
    assert_eq!(plan["commitments"][0]["id"], json!(g.bra_commitment));
    let country = body(&app, "/api/v1/countries/BRA?include=action_plans").await;
    assert_eq!(country["action_plans"][0]["id"], json!(g.bra_plan));
}

#[actix_web::test]
async fn unknown_or_too_deep_paths_are_a_400_naming_the_allowed_values() {
    let app = spawn_app().await;
    let g = graph(&app).await;
    for path in [
        "/api/v1/commitments?include=action_plan.country.action_plans".to_string(),
        "/api/v1/commitments?include=plan".to_string(),
        "/api/v1/commitments?include=action_plan.".to_string(),
        "/api/v1/milestones?include=milestones".to_string(),
        "/api/v1/countries?include=country".to_string(),
        format!("/api/v1/commitments/{}?include=nothing", g.mex_commitment),
        format!(
            "/api/v1/milestones/{}?include=commitment.action_plan.country",
            g.milestone
        ),
    ] {
        let response = app.get(&path).await;
        response.assert_problem(400);
        let detail = response.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("`include`"), "{path}: {detail}");
    }
    let response = app.get("/api/v1/commitments?include=x").await;
    let detail = response.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("milestones, irm_findings, action_plan, country, action_plan.country"),
        "{detail}"
    );
    // An unknown item is still a 404 with a valid include; a bad include is checked first.
    app.get("/api/v1/commitments/999999?include=action_plan")
        .await
        .assert_problem(404);
}

/// Statements the app sent to the test database so far (`ogp_api_db_queries_total`).
fn queries(app: &TestApp) -> u64 {
    ogp_api::metrics::queries(&app.database).get()
}

/// The statements one GET of `path` costs.
async fn cost(app: &TestApp, path: &str) -> u64 {
    let before = queries(app);
    app.get(path).await.assert_status(200);
    queries(app) - before
}

#[actix_web::test]
async fn include_issues_one_query_per_level_whatever_the_page_size() {
    let app = spawn_app().await;
    // 210 commitments over 7 countries' plans, each with a milestone.
    let codes = ["MEX", "BRA", "CHL", "ARG", "PER", "URY", "COL"];
    let mut plans = Vec::new();
    for code in codes {
        app.create("/api/v1/countries", &country(code)).await;
        plans.push(id_of(
            &app.create("/api/v1/action-plans", &plan(code, 1)).await,
        ));
    }
    for n in 0..210 {
        let plan = plans[n % plans.len()];
        let id = commitment_in(&app, plan, n as i32 + 1).await;
        app.create("/api/v1/milestones", &milestone(id, 1)).await;
    }
    let include = "include=action_plan.country,country,milestones,irm_findings";
    let mut costs = Vec::new();
    for limit in [1, 10, 200] {
        let plain = cost(&app, &format!("/api/v1/commitments?limit={limit}")).await;
        let included = cost(
            &app,
            &format!("/api/v1/commitments?limit={limit}&{include}"),
        )
        .await;
        // Plans, countries through them, the plans' countries, milestones, findings.
        assert_eq!(included - plain, 5, "limit {limit}");
        let page = body(
            &app,
            &format!("/api/v1/commitments?limit={limit}&{include}"),
        )
        .await;
        assert_eq!(page["items"].as_array().unwrap().len(), limit);
        for row in page["items"].as_array().unwrap() {
            assert_eq!(row["action_plan"]["id"], row["action_plan_id"]);
            assert_eq!(row["country"], row["action_plan"]["country"]);
        }
        let milestones = cost(
            &app,
            &format!("/api/v1/milestones?limit={limit}&include=commitment.action_plan"),
        )
        .await;
        costs.push((included, milestones));
    }
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "{costs:?}");
    // The counter is the one `/metrics` shows.
    let encoded = String::from_utf8(ogp_api::metrics::encode().unwrap()).unwrap();
    let line = format!("ogp_api_db_queries_total{{database=\"{}\"}}", app.database);
    assert!(encoded.contains(&line), "{line} not in /metrics");
}

#[actix_web::test]
async fn ndjson_nests_parents_and_csv_flattens_them_into_columns() {
    let app = spawn_app().await;
    let g = graph(&app).await;
    let ndjson = app
        .get("/api/v1/milestones?format=ndjson&include=commitment.action_plan")
        .await;
    ndjson.assert_status(200);
    let lines: Vec<Value> = ndjson
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["commitment"]["id"], json!(g.mex_commitment));
    assert_eq!(
        lines[0]["commitment"]["action_plan"]["id"],
        json!(g.mex_plan)
    );

    let csv = app
        .get("/api/v1/commitments?format=csv&include=action_plan.country&sort=id")
        .await;
    csv.assert_status(200);
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "id",
        "title",
        "action_plan.id",
        "action_plan.title",
        "action_plan.country.code",
        "action_plan.country.name",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][at("id")], g.mex_commitment.to_string());
    assert_eq!(rows[0][at("action_plan.title")], *"Plan 3");
    assert_eq!(rows[0][at("action_plan.country.code")], *"MEX");
    assert_eq!(rows[1][at("action_plan.country.code")], *"BRA");
    assert_eq!(rows[1][at("action_plan.id")], g.bra_plan.to_string());

    // A finding about a whole plan has empty commitment cells.
    let csv = app
        .get("/api/v1/irm-findings?format=csv&include=commitment&sort=id")
        .await;
    csv.assert_status(200);
    let mut reader = csv::Reader::from_reader(csv.text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let at = header.iter().position(|h| h == "commitment.title").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows[0][at], *"Commitment 1");
    assert_eq!(rows[1][at], *"");

    // Children still cannot be flattened: the clear 400.
    for query in [
        "format=csv&include=milestones",
        "format=csv&include=action_plan,irm_findings",
    ] {
        let response = app.get(&format!("/api/v1/commitments?{query}")).await;
        response.assert_problem(400);
        assert!(response.body["detail"]
            .as_str()
            .unwrap()
            .contains("child collection"));
    }
}

#[test]
fn every_declared_include_path_resolves_within_the_depth() {
    use ogp_api::listing::include::{Sources, MAX_DEPTH};
    use ogp_api::resources::*;
    let sources = Sources(&ogp_api::app::INCLUDE_SOURCES);
    for spec in [
        &countries::list::SPEC,
        &action_plans::list::SPEC,
        &commitments::list::SPEC,
        &milestones::list::SPEC,
        &irm_findings::list::SPEC,
    ] {
        for path in spec.includes {
            let segments: Vec<&str> = path.split('.').collect();
            assert!(segments.len() <= MAX_DEPTH, "{path} is too deep");
            let Some(parent) = spec.parents.iter().find(|p| p.name == segments[0]) else {
                assert_eq!(segments.len(), 1, "{path}: a child has no second level");
                continue;
            };
            let source = sources.source(parent.collection).expect("registered");
            if let Some(through) = parent.through {
                assert!(spec.parents.iter().any(|p| p.name == through), "{path}");
            }
            if let Some(second) = segments.get(1) {
                assert!(
                    source.spec.parents.iter().any(|p| p.name == *second),
                    "{path}: `{second}` is not a parent of {}",
                    parent.collection
                );
            }
        }
    }
}

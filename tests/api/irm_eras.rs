//! The IRM, era by era (docs/irm-method.md): each era's report types, indicators, verdicts and
//! process criteria, each rule with a real example from the IRM page named in the comment.

use crate::fixtures::{
    self, a_commitment_over, commitment_in, country, create_finding, finding_path,
};
use crate::fixtures::{id_of, plan_over, post_finding, process, with};
use crate::helpers::spawn_app;
use serde_json::{json, Value};

/// An assessment in `report` carrying `ratings`.
fn assessment(plan_id: i64, commitment_id: i64, report: &str, ratings: Value) -> Value {
    with(
        fixtures::assessment(plan_id, commitment_id, report),
        ratings,
    )
}

/// Ghana Action Plan Review 2021-2023
/// (opengovpartnership.org/documents/ghana-action-plan-review-2021-2023/): verifiable, an open
/// government lens, potential for results, and the "promising" selection; no stars, no
/// well-designed verdict, and the old indicators do not belong there.
#[actix_web::test]
async fn an_action_plan_review_stores_its_own_indicators_and_gives_no_stars() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "GHA", 2021, 2023).await;
    let review = |ratings| assessment(plan_id, commitment_id, "action_plan_review", ratings);
    let wrong_era = post_finding(
        &app,
        &review(json!({"verifiable": true, "specificity": "high",
                           "potential_impact": "moderate", "starred": true})),
    )
    .await;
    wrong_era.assert_invalid(&["specificity", "potential_impact", "starred"]);
    assert!(
        wrong_era.text.contains("mid_term_report"),
        "names where it belongs: {}",
        wrong_era.text
    );
    let finding = create_finding(
        &app,
        &review(json!({"verifiable": true, "open_government_lens": true,
                           "potential_for_results": "substantial", "promising": true,
                           "published_on": "2022-06-01"})),
    )
    .await;
    assert_eq!(finding["verifiable"], true);
    assert_eq!(finding["open_government_lens"], true);
    assert_eq!(finding["potential_for_results"], "substantial");
    assert_eq!(finding["promising"], true);
    assert_eq!(finding["promising_basis"], "published");
    assert!(finding["starred"].is_null());
    assert_eq!(finding["starred_basis"], "not_applicable");
    assert_eq!(finding["well_designed_basis"], "not_applicable");
    assert_eq!(finding["potentially_starred_basis"], "not_applicable");
    let listed = app
        .get("/api/v1/irm-findings?promising=true&starred_basis=not_applicable")
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let commitments = app
        .get("/api/v1/commitments?promising=true&open_government_lens=true")
        .await;
    assert_eq!(commitments.body["items"][0]["id"], commitment_id);
}

/// "The IRM considers non-verifiable commitments to be 'not reviewable' and does not assess
/// these commitments further" (opengovpartnership.org/glossary/verifiability).
#[actix_web::test]
async fn a_commitment_that_is_not_verifiable_is_not_assessed_further() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "GHA", 2021, 2023).await;
    let response = post_finding(
        &app,
        &assessment(
            plan_id,
            commitment_id,
            "action_plan_review",
            json!({"verifiable": false, "open_government_lens": true,
                       "potential_for_results": "modest"}),
        ),
    )
    .await;
    response.assert_invalid(&["potential_for_results", "open_government_lens"]);
    create_finding(
        &app,
        &assessment(
            plan_id,
            commitment_id,
            "action_plan_review",
            json!({"verifiable": false}),
        ),
    )
    .await;
}

/// A results report of a 2021 plan (Brazil Results Report 2021-2023: "9 of the 12 commitments
/// achieved moderate early results"; opengovpartnership.org/documents/brazil-results-report-2021-2023)
/// rates early results, not "did it open government?", and awards no star: `starred` is not
/// applicable, never a derived `false`.
#[actix_web::test]
async fn a_results_report_of_a_2021_plan_rates_early_results_and_awards_no_star() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "BRA", 2021, 2023).await;
    let body = |ratings| assessment(plan_id, commitment_id, "results_report", ratings);
    let old_scale = post_finding(
        &app,
        &body(json!({"completion": "limited", "did_it_open_government": "marginal"})),
    )
    .await;
    old_scale.assert_invalid(&["did_it_open_government"]);
    let finding = create_finding(
        &app,
        &body(json!({"completion": "limited", "early_results": "moderate"})),
    )
    .await;
    assert_eq!(finding["early_results"], "moderate");
    assert!(finding["starred"].is_null(), "{finding}");
    assert_eq!(finding["starred_basis"], "not_applicable");
    let starred = app
        .patch(&finding_path(&finding), &json!({"starred": false}))
        .await;
    starred.assert_invalid(&["starred"]);
    assert!(starred.text.contains("not applicable"), "{}", starred.text);
}

/// Results reports of 2020 plans still rate "did it open government?" (Liberia Results Report
/// 2020-2022: "The marginal early results achieved under Commitments 1 and 5";
/// opengovpartnership.org/documents/liberia-results-report-2020-2022/).
#[actix_web::test]
async fn a_results_report_of_a_2020_plan_still_rates_did_it_open_government() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "LBR", 2020, 2022).await;
    let body = |ratings| assessment(plan_id, commitment_id, "results_report", ratings);
    let new_scale = post_finding(&app, &body(json!({"early_results": "moderate"}))).await;
    new_scale.assert_invalid(&["early_results"]);
    let finding = create_finding(
        &app,
        &body(json!({"completion": "substantial", "did_it_open_government": "marginal"})),
    )
    .await;
    assert_eq!(finding["did_it_open_government"], "marginal");
    // Moving the plan into 2021 would make that rating one of the wrong generation.
    let moved = app
        .patch(
            &format!("/api/v1/action-plans/{plan_id}"),
            &json!({"start_year": 2021, "end_year": 2023}),
        )
        .await;
    moved.assert_invalid(&["start_year"]);
}

/// Mexico Design Report 2019-2021 ("Potentially starred: 4(31%)", "Acted contrary to OGP
/// process: no"; opengovpartnership.org/documents/mexico-design-report-2019-2021/): design
/// reports rate verifiability instead of specificity and publish "potentially starred", which
/// no other report carries and the API never derives.
#[actix_web::test]
async fn a_design_report_publishes_potentially_starred_and_rates_verifiability() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "MEX", 2019, 2021).await;
    let design = create_finding(
        &app,
        &assessment(
            plan_id,
            commitment_id,
            "design_report",
            json!({"verifiable": true, "relevance": ["civic_participation"],
                       "potential_impact": "transformative", "potentially_starred": true}),
        ),
    )
    .await;
    assert_eq!(design["potentially_starred"], true);
    assert_eq!(design["potentially_starred_basis"], "published");
    assert_eq!(design["starred_basis"], "not_applicable");
    let specificity = post_finding(
        &app,
        &assessment(
            plan_id,
            commitment_id,
            "implementation_report",
            json!({"potentially_starred": true, "verifiable": true}),
        ),
    )
    .await;
    specificity.assert_invalid(&["verifiable", "potentially_starred"]);
    let process = create_finding(
        &app,
        &with(
            process(plan_id, "design_report"),
            json!({"acted_contrary_to_process": false}),
        ),
    )
    .await;
    assert_eq!(process["acted_contrary_to_process"], false);
    assert_eq!(process["acted_contrary_to_process_basis"], "published");
}

/// The United States Design Report 2019-2021 prints "Acted contrary to OGP process: yes"
/// (opengovpartnership.org/documents/united-states-design-report-2019-2021/); the criteria of
/// that era are the procedural review's four (opengovpartnership.org/procedural-review/). A
/// published verdict that the criteria present contradict is refused.
#[actix_web::test]
async fn a_published_process_verdict_is_kept_unless_its_criteria_contradict_it() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("USA")).await;
    let plan_id = id_of(
        &app.create("/api/v1/action-plans", &plan_over("USA", 4, 2019, 2021))
            .await,
    );
    let design = |criteria| with(process(plan_id, "design_report"), criteria);
    let contradicted = post_finding(
        &app,
        &design(json!({"acted_contrary_to_process": false, "iap2_minimum_not_met": true})),
    )
    .await;
    contradicted.assert_invalid(&["acted_contrary_to_process"]);
    let old_criteria = post_finding(&app, &design(json!({"irm_not_engaged": false}))).await;
    old_criteria.assert_invalid(&["irm_not_engaged"]);
    let finding = create_finding(
        &app,
        &design(json!({"acted_contrary_to_process": true, "late_action_plan": false})),
    )
    .await;
    assert_eq!(finding["acted_contrary_to_process"], true);
    assert_eq!(finding["acted_contrary_to_process_basis"], "published");
}

/// From 2022: no plan within 12 months, the co-creation standards' minimum, no progress
/// (opengovpartnership.org/ogp-letters, "Updated July 25, 2022"); a co-creation brief comes
/// before the commitments and holds no assessment.
#[actix_web::test]
async fn products_from_2021_use_the_2022_criteria_and_a_co_creation_brief_holds_no_assessment() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "GHA", 2021, 2023).await;
    let finding = create_finding(
        &app,
        &with(
            process(plan_id, "action_plan_review"),
            json!({"late_action_plan": false, "co_creation_minimum_not_met": false,
                   "no_progress_on_any_commitment": false}),
        ),
    )
    .await;
    assert_eq!(finding["acted_contrary_to_process"], false);
    assert_eq!(finding["acted_contrary_to_process_basis"], "derived");
    let brief = post_finding(
        &app,
        &assessment(
            plan_id,
            commitment_id,
            "co_creation_brief",
            json!({"completion": "limited"}),
        ),
    )
    .await;
    brief.assert_invalid(&["kind"]);
}

/// Stars were awarded "since 2014" (opengovpartnership.org/?p=3699): a progress report of 2013
/// gives none; and technology and innovation counts as relevant only "in addition to one of the
/// three values" (opengovpartnership.org/glossary/relevance/).
#[actix_web::test]
async fn no_stars_before_2014_and_technology_alone_is_not_relevant() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "GBR", 2011, 2013).await;
    let ratings = json!({"specificity": "high", "relevance": ["access_to_information"],
                         "potential_impact": "transformative", "completion": "complete"});
    let mut early = assessment(plan_id, commitment_id, "progress_report", ratings.clone());
    early["published_on"] = json!("2013-04-01");
    let finding = create_finding(&app, &early).await;
    assert!(finding["starred"].is_null(), "{finding}");
    assert_eq!(finding["starred_basis"], "not_applicable");

    let (plan_id, commitment_id) = a_commitment_over(&app, "ROU", 2016, 2018).await;
    let mut tech = assessment(plan_id, commitment_id, "end_of_term_report", ratings);
    tech["relevance"] = json!(["technology_and_innovation"]);
    let finding = create_finding(&app, &tech).await;
    assert_eq!(finding["well_designed"], false);
    assert_eq!(finding["starred"], false);
    let path = finding_path(&finding);
    let with_a_core_value = app
        .patch(
            &path,
            &json!({"relevance": ["technology_and_innovation", "public_accountability"]}),
        )
        .await;
    assert_eq!(with_a_core_value.body["starred"], true);
}

/// Withdrawal is not a completion level ("No Evidence Available, Not Started, Limited,
/// Substantial, and Complete", opengovpartnership.org/glossary/completion/): it is the
/// commitment's `withdrawn`.
#[actix_web::test]
async fn withdrawn_is_the_commitments_flag_not_a_completion_level() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "ROU", 2016, 2018).await;
    let refused = post_finding(
        &app,
        &assessment(
            plan_id,
            commitment_id,
            "end_of_term_report",
            json!({"completion": "withdrawn"}),
        ),
    )
    .await;
    refused.assert_invalid(&["completion"]);
    let withdrawn = app
        .patch(
            &format!("/api/v1/commitments/{commitment_id}"),
            &json!({"withdrawn": true}),
        )
        .await;
    withdrawn.assert_status(200);
    assert_eq!(withdrawn.body["withdrawn"], true);
    let listed = app.get("/api/v1/commitments?withdrawn=true").await;
    assert_eq!(listed.body["items"][0]["id"], commitment_id);
}

/// The era migration over a database holding every kind of row the single-era model allowed:
/// nothing is lost; `completion = withdrawn` moves to the commitment; derived verdicts follow
/// the era rules, published ones stay.
#[actix_web::test]
async fn the_era_migration_keeps_every_existing_row() {
    let app = spawn_app().await;
    // Back to just before the era migration (reverting the ones after it first).
    loop {
        let reverted = ogp_api::db::revert_last_migration(&app.url).await.unwrap();
        if reverted.contains("20261130000010") {
            break;
        }
        assert!(
            reverted.as_str() > "20261130000010",
            "passed it: {reverted}"
        );
    }
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    use diesel_async::RunQueryDsl;
    for statement in [
        "INSERT INTO countries (code, name, region) VALUES ('MEX', 'Mexico', 'americas')",
        "INSERT INTO action_plans (country_code, number, title, start_year, end_year, status) \
         VALUES ('MEX', 3, 'Third', 2016, 2018, 'completed'), ('MEX', 1, 'First', 2012, 2013, 'completed')",
        "INSERT INTO commitments (action_plan_id, number, title, ogp_values) \
         VALUES (1, 1, 'A', '{}'), (1, 2, 'B', '{}'), (2, 1, 'C', '{}'), (1, 3, 'D', '{}')",
        "INSERT INTO milestones (commitment_id, position, title) VALUES (1, 1, 'M')",
        "INSERT INTO irm_findings (action_plan_id, commitment_id, report, kind, specificity, relevance, \
            potential_impact, completion, well_designed, well_designed_basis, starred, starred_basis) VALUES \
         (1, 1, 'mid_term_report', 'assessment', 'high', '{technology_and_innovation}', 'transformative', \
            'withdrawn', true, 'derived', false, 'derived'), \
         (1, 2, 'end_of_term_report', 'assessment', 'high', '{access_to_information}', 'transformative', \
            'complete', true, 'derived', true, 'derived'), \
         (2, 3, 'mid_term_report', 'assessment', 'high', '{access_to_information}', 'moderate', 'complete', \
            false, 'published', true, 'derived'), \
         (1, 4, 'results_report', 'assessment', NULL, NULL, NULL, 'limited', NULL, NULL, false, 'derived')",
        "INSERT INTO irm_findings (action_plan_id, report, kind, no_public_engagement, irm_not_engaged, \
            no_progress_on_any_commitment) VALUES (1, 'mid_term_report', 'process', false, false, false)",
        "INSERT INTO irm_findings (action_plan_id, report, kind, body, position) VALUES \
         (1, 'mid_term_report', 'summary', 'Summary', NULL), (1, 'mid_term_report', 'performance', 'How', NULL), \
         (1, 'mid_term_report', 'recommendation', 'Do', 1)",
    ] {
        diesel::sql_query(statement).execute(&mut conn).await.unwrap();
    }
    drop(conn);
    // Every finding's identity, ratings and text, as one JSON array.
    let ratings = "SELECT json_agg(json_build_array(id, report, kind, specificity, relevance, \
                   potential_impact, body, position) ORDER BY id)::text AS value FROM irm_findings";
    let ratings_before = app.sql_text(ratings).await;
    ogp_api::db::run_migrations(&app.url).await.unwrap();
    let ratings_after = app.sql_text(ratings).await;
    assert_eq!(
        ratings_after, ratings_before,
        "every finding and rating kept"
    );
    let finding = |id: i64| {
        let app = &app;
        async move { app.get(&format!("/api/v1/irm-findings/{id}")).await.body }
    };
    let withdrawn = finding(1).await;
    assert!(withdrawn["completion"].is_null());
    assert_eq!(
        app.get("/api/v1/commitments/1").await.body["withdrawn"],
        true
    );
    assert_eq!(
        withdrawn["well_designed"], false,
        "technology alone is not relevant"
    );
    let starred = finding(2).await;
    assert_eq!(
        (starred["starred"].clone(), starred["starred_basis"].clone()),
        (json!(true), json!("derived"))
    );
    let early = finding(3).await;
    assert_eq!(early["well_designed"], false, "published verdicts stay");
    assert_eq!(early["well_designed_basis"], "published");
    assert_eq!(
        early["starred_basis"], "not_applicable",
        "a 2013 report: no stars yet"
    );
    let results = finding(4).await;
    assert!(results["starred"].is_null());
    assert_eq!(results["starred_basis"], "not_applicable");
    let process = finding(5).await;
    assert_eq!(process["acted_contrary_to_process"], false);
    assert_eq!(process["acted_contrary_to_process_basis"], "derived");
    assert_eq!(app.get("/api/v1/milestones/1").await.status, 200);
}

/// The database re-checks and (in the era migration) re-derives verdicts with SQL functions;
/// they must agree with the server's rules (`verdicts.rs`, `eras.rs`) on every combination.
#[actix_web::test]
async fn the_sql_rules_agree_with_the_servers() {
    use ogp_api::resources::irm_findings::{eras, verdicts};
    use ogp_api::vocab::{Completion, OgpValue, PotentialImpact, Report, Specificity};
    let app = spawn_app().await;
    let text = |value: Option<&str>| value.map_or("NULL".to_string(), |v| format!("'{v}'"));
    let boolean = |value: Option<bool>| value.map_or("NULL".to_string(), |v| v.to_string());
    let relevances: [Option<&[OgpValue]>; 5] = [
        None,
        Some(&[]),
        Some(&[OgpValue::TechnologyAndInnovation]),
        Some(&[OgpValue::AccessToInformation]),
        Some(&[
            OgpValue::TechnologyAndInnovation,
            OgpValue::PublicAccountability,
        ]),
    ];
    let mut rows = Vec::new();
    let specificities = std::iter::once(None).chain(Specificity::ALL.iter().copied().map(Some));
    for specificity in specificities {
        for relevance in relevances {
            let impacts =
                std::iter::once(None).chain(PotentialImpact::ALL.iter().copied().map(Some));
            for potential_impact in impacts {
                let completions =
                    std::iter::once(None).chain(Completion::ALL.iter().copied().map(Some));
                for completion in completions {
                    for year in [2013, 2014, 2015, 2019] {
                        let ratings = verdicts::Ratings {
                            specificity,
                            relevance,
                            potential_impact,
                            completion,
                        };
                        let relevance_sql = relevance.map_or("NULL".to_string(), |values| {
                            let names: Vec<String> =
                                values.iter().map(|v| format!("'{v}'")).collect();
                            format!("ARRAY[{}]::text[]", names.join(","))
                        });
                        rows.push(format!(
                            "({}, {relevance_sql}, {}, {}, {year}, {}, {})",
                            text(specificity.map(|s| s.as_str())),
                            text(potential_impact.map(|p| p.as_str())),
                            text(completion.map(|c| c.as_str())),
                            boolean(verdicts::well_designed(&ratings)),
                            boolean(verdicts::starred(&ratings, year)),
                        ));
                    }
                }
            }
        }
    }
    let disagreements = app
        .sql_text(&format!(
            "SELECT count(*)::text AS value FROM (VALUES {}) AS r(s, rel, imp, comp, year, wd, star) \
             WHERE ogp_derive_well_designed(s, rel, imp) IS DISTINCT FROM wd \
                OR ogp_derive_starred(s, rel, imp, comp, year) IS DISTINCT FROM star",
            rows.join(", ")
        ))
        .await;
    assert_eq!(disagreements, "0", "over {} combinations", rows.len());

    let plan = eras::PlanYears {
        start: 2016,
        end: 2018,
    };
    let mut rows = Vec::new();
    for report in Report::ALL {
        for published in [
            None,
            Some("2013-05-01"),
            Some("2014-05-01"),
            Some("2022-01-01"),
        ] {
            let date = published.map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
            let year = eras::report_year(*report, date, plan);
            rows.push(format!(
                "('{report}', {}::date, {year}, {}, {})",
                text(published),
                eras::starred_applies(*report, year),
                eras::well_designed_applies(*report, year),
            ));
        }
    }
    let disagreements = app
        .sql_text(&format!(
            "SELECT count(*)::text AS value FROM (VALUES {}) AS r(report, published, year, star, wd) \
             WHERE ogp_report_year(report, published, 2016, 2018) <> year \
                OR ogp_starred_applies(report, year) <> star \
                OR ogp_well_designed_applies(report, year) <> wd",
            rows.join(", ")
        ))
        .await;
    assert_eq!(disagreements, "0");
}

/// Exports and the change feed carry the era fields like every other field.
#[actix_web::test]
async fn exports_and_the_change_feed_carry_the_era_fields() {
    let app = spawn_app().await;
    let (plan_id, commitment_id) = a_commitment_over(&app, "GHA", 2021, 2023).await;
    let finding = create_finding(
        &app,
        &assessment(
            plan_id,
            commitment_id,
            "action_plan_review",
            json!({"verifiable": true, "open_government_lens": true, "promising": true}),
        ),
    )
    .await;
    let csv = app.get("/api/v1/irm-findings?format=csv").await;
    csv.assert_status(200);
    let mut lines = csv.text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    for (column, value) in [
        ("verifiable", "true"),
        ("open_government_lens", "true"),
        ("promising", "true"),
        ("promising_basis", "published"),
        ("starred_basis", "not_applicable"),
        ("early_results", ""),
    ] {
        let at = header
            .iter()
            .position(|h| *h == column)
            .unwrap_or_else(|| panic!("no `{column}` column in {header:?}"));
        assert_eq!(row[at], value, "{column}");
    }
    let ndjson = app.get("/api/v1/irm-findings?format=ndjson").await;
    let exported: Value = serde_json::from_str(ndjson.text.lines().next().unwrap()).unwrap();
    assert_eq!(exported["promising_basis"], "published");
    let feed = app
        .send(
            app.authed(
                actix_web::test::TestRequest::get()
                    .uri("/api/v1/changes?after=0&resource=irm-findings"),
            ),
        )
        .await;
    let change = &feed.body["items"][0];
    assert_eq!(change["key"], finding["id"].to_string());
    assert_eq!(change["data"]["open_government_lens"], true);
    assert_eq!(change["data"]["starred_basis"], "not_applicable");
}

/// The database's report order (`ogp_report_rank`, which picks a commitment's latest
/// assessment for the statistics) is the order of the `Report` vocabulary.
#[actix_web::test]
async fn the_database_ranks_reports_in_the_vocabularys_order() {
    let app = spawn_app().await;
    let ranks = app
        .sql_text(
            "SELECT string_agg(r, ',' ORDER BY ogp_report_rank(r)) AS value FROM unnest(ARRAY[\
             'results_report','design_report','progress_report','action_plan_review',\
             'end_of_term_report','co_creation_brief','transitional_results_report',\
             'mid_term_report','implementation_report']) AS r",
        )
        .await;
    assert_eq!(ranks, ogp_api::vocab::Report::NAMES.join(","));
}

/// The statistics count each verdict's `unknown` and `not_applicable` apart, carry the 2021+
/// distributions, and group by era; the rollup, the facts and the per-assessment paths agree.
#[actix_web::test]
async fn statistics_count_verdicts_by_value_and_group_by_era() {
    let app = spawn_app().await;
    let (old_plan, old_commitment) = a_commitment_over(&app, "ROU", 2016, 2018).await;
    let (new_plan, new_commitment) = a_commitment_over(&app, "GHA", 2021, 2023).await;
    let unrated = commitment_in(&app, new_plan, 2).await;
    create_finding(
        &app,
        &assessment(
            old_plan,
            old_commitment,
            "end_of_term_report",
            json!({"specificity": "high", "relevance": ["access_to_information"],
                   "potential_impact": "transformative", "completion": "complete",
                   "did_it_open_government": "major"}),
        ),
    )
    .await;
    create_finding(
        &app,
        &assessment(
            new_plan,
            new_commitment,
            "action_plan_review",
            json!({"verifiable": true, "open_government_lens": true,
                   "potential_for_results": "substantial", "promising": true}),
        ),
    )
    .await;
    create_finding(
        &app,
        &assessment(
            new_plan,
            unrated,
            "results_report",
            json!({"completion": "limited", "early_results": "moderate"}),
        ),
    )
    .await;

    // No filter (the rollup), a filter (the facts), by era (the assessments).
    for query in [
        "group_by=country",
        "group_by=country&plan_start_year_gte=2011",
    ] {
        let stats = app.get(&format!("/api/v1/stats/commitments?{query}")).await;
        stats.assert_status(200);
        let groups = stats.body["groups"].as_array().unwrap();
        let ghana = groups.iter().find(|g| g["group"] == "GHA").unwrap();
        assert_eq!(ghana["commitments"], 2, "{query}");
        assert_eq!(ghana["promising"], 1, "{query}");
        assert_eq!(
            ghana["verdicts"]["starred"],
            json!({"true": 0, "false": 0, "unknown": 0, "not_applicable": 2}),
            "{query}"
        );
        assert_eq!(
            ghana["verdicts"]["promising"],
            json!({"true": 1, "false": 0, "unknown": 0, "not_applicable": 1}),
            "{query}"
        );
        assert_eq!(ghana["potential_for_results"]["substantial"], 1, "{query}");
        assert_eq!(ghana["early_results"]["moderate"], 1, "{query}");
        let romania = groups.iter().find(|g| g["group"] == "ROU").unwrap();
        assert_eq!(
            romania["verdicts"]["well_designed"],
            json!({"true": 1, "false": 0, "unknown": 0, "not_applicable": 0}),
            "{query}"
        );
        assert_eq!(romania["did_it_open_government"]["major"], 1, "{query}");
    }
    let by_era = app.get("/api/v1/stats/commitments?group_by=era").await;
    by_era.assert_status(200);
    let eras: Vec<(Value, Value, Value)> = by_era.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].clone(),
                g["assessed"].clone(),
                g["starred"].clone(),
            )
        })
        .collect();
    assert_eq!(
        eras,
        [
            (json!("2016-2019"), json!(1), json!(1)),
            (json!("2021-"), json!(2), json!(0))
        ]
    );
}

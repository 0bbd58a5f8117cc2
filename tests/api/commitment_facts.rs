//! `commitment_facts` (each commitment's plan, country, theme and latest assessment) and its
//! rollup `commitment_rollup`, the tables statistics read, are derived data kept by triggers:
//! after every kind of write they must equal their definitions, computed here from the source
//! tables.

use crate::fixtures::{a_plan, commitment, country, id_of, plan};
use crate::helpers::TestApp;
use ogp_api::vocab::Report;
use serde_json::json;

/// The definition, independent of the migration's SQL: report order from the API's vocabulary.
fn definition() -> String {
    let order = Report::NAMES
        .iter()
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT coalesce(json_agg(t ORDER BY commitment_id)::text, '[]') AS value FROM (
           SELECT c.id AS commitment_id, c.action_plan_id, p.country_code, c.theme,
                  l.report, l.completion, l.potential_impact, l.well_designed, l.starred,
                  l.well_designed_basis, l.starred_basis, l.promising, l.promising_basis,
                  l.potential_for_results, l.did_it_open_government, l.early_results
             FROM commitments c JOIN action_plans p ON p.id = c.action_plan_id
             LEFT JOIN LATERAL (
               SELECT f.* FROM irm_findings f
                WHERE f.commitment_id = c.id AND f.kind = 'assessment'
                ORDER BY array_position(ARRAY[{order}]::text[], f.report) DESC LIMIT 1) l ON true
         ) t"
    )
}

const STORED: &str = "SELECT coalesce(json_agg(t ORDER BY commitment_id)::text, '[]') AS value \
                      FROM commitment_facts t";

/// `commitment_rollup` must hold the counts of the facts per key (keys at 0 are allowed).
const ROLLUP_EXPECTED: &str = "SELECT coalesce(json_agg(t ORDER BY t::text)::text, '[]') AS value \
    FROM (SELECT country_code, theme, report IS NOT NULL AS assessed, completion, \
                 potential_impact, well_designed, starred, well_designed_basis, starred_basis, \
                 promising, promising_basis, potential_for_results, did_it_open_government, \
                 early_results, count(*) AS commitments \
            FROM commitment_facts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14) t";
const ROLLUP_STORED: &str = "SELECT coalesce(json_agg(t ORDER BY t::text)::text, '[]') AS value \
    FROM (SELECT country_code, theme, assessed, completion, potential_impact, well_designed, \
                 starred, well_designed_basis, starred_basis, promising, promising_basis, \
                 potential_for_results, did_it_open_government, early_results, commitments \
            FROM commitment_rollup WHERE commitments <> 0) t";

async fn assert_facts(app: &TestApp, step: &str) {
    let expected = app.sql_text(&definition()).await;
    let stored = app.sql_text(STORED).await;
    assert_eq!(stored, expected, "facts after: {step}");
    let expected = app.sql_text(ROLLUP_EXPECTED).await;
    let stored = app.sql_text(ROLLUP_STORED).await;
    assert_eq!(stored, expected, "rollup after: {step}");
}

async fn assessment(
    app: &TestApp,
    plan: i64,
    commitment: i64,
    report: &str,
    completion: &str,
) -> i64 {
    id_of(
        &app.create(
            "/api/v1/irm-findings",
            &assessment_body(plan, commitment, report, completion),
        )
        .await,
    )
}

/// An assessment with the ratings `report`'s era uses (docs/irm-method.md).
fn assessment_body(
    plan: i64,
    commitment: i64,
    report: &str,
    completion: &str,
) -> serde_json::Value {
    let mut body = json!({"action_plan_id": plan, "commitment_id": commitment, "kind": "assessment",
                          "report": report, "completion": completion});
    match report {
        "design_report" => {
            body["verifiable"] = json!(true);
            body["potential_impact"] = json!("moderate");
        }
        "results_report" | "action_plan_review" => body["potential_for_results"] = json!("modest"),
        _ => {
            body["specificity"] = json!("high");
            body["relevance"] = json!(["access_to_information"]);
            body["potential_impact"] = json!("moderate");
        }
    }
    body
}

#[actix_web::test]
async fn commitment_facts_follow_every_write() {
    let app = crate::helpers::spawn_app().await;
    let mex = a_plan(&app).await;
    app.create("/api/v1/countries", &country("KEN")).await;
    let ken = id_of(&app.create("/api/v1/action-plans", &plan("KEN", 1)).await);
    let first = id_of(&app.create("/api/v1/commitments", &commitment(mex, 1)).await);
    let second = id_of(&app.create("/api/v1/commitments", &commitment(mex, 2)).await);
    let third = id_of(&app.create("/api/v1/commitments", &commitment(mex, 3)).await);
    assert_facts(&app, "creating commitments").await;
    let unassessed = app
        .sql_text(&format!(
            "SELECT (report IS NULL)::text AS value FROM commitment_facts WHERE commitment_id = {first}"
        ))
        .await;
    assert_eq!(unassessed, "true");

    assessment(&app, mex, first, "mid_term_report", "limited").await;
    assert_facts(&app, "a mid-term assessment").await;
    let end_of_term = assessment(&app, mex, first, "end_of_term_report", "complete").await;
    assert_facts(&app, "a later, end-of-term assessment").await;
    assessment(&app, mex, first, "progress_report", "no_evidence").await;
    assert_facts(&app, "an earlier, progress-report assessment").await;
    let latest = app
        .sql_text(&format!(
            "SELECT report || ' ' || completion AS value FROM commitment_facts \
             WHERE commitment_id = {first}"
        ))
        .await;
    assert_eq!(latest, "end_of_term_report complete");

    app.patch(
        &format!("/api/v1/irm-findings/{end_of_term}"),
        &json!({"completion": "substantial", "potential_impact": "transformative"}),
    )
    .await
    .assert_status(200);
    assert_facts(&app, "re-rating the latest assessment").await;

    app.create(
        "/api/v1/irm-findings",
        &json!({"action_plan_id": mex, "commitment_id": first, "kind": "recommendation",
                "report": "end_of_term_report", "title": "Do more", "body": "Do more of it",
                "position": 1}),
    )
    .await;
    assert_facts(&app, "a recommendation (not an assessment)").await;

    let only = assessment(&app, mex, second, "results_report", "complete").await;
    assert_facts(&app, "assessing the second commitment").await;
    app.delete(&format!("/api/v1/irm-findings/{only}"))
        .await
        .assert_status(204);
    assert_facts(&app, "deleting its only assessment").await;
    app.delete(&format!("/api/v1/irm-findings/{end_of_term}"))
        .await
        .assert_status(204);
    assert_facts(&app, "deleting the latest assessment of the first").await;

    app.patch(
        &format!("/api/v1/commitments/{third}"),
        &json!({"theme": "Water"}),
    )
    .await
    .assert_status(200);
    assert_facts(&app, "a new theme").await;
    app.patch(
        &format!("/api/v1/commitments/{third}"),
        &json!({"action_plan_id": ken}),
    )
    .await
    .assert_status(200);
    assert_facts(&app, "moving a commitment to another country's plan").await;
    app.patch(
        &format!("/api/v1/action-plans/{ken}"),
        &json!({"country_code": "MEX"}),
    )
    .await
    .assert_status(200);
    assert_facts(&app, "moving a plan to another country").await;
    app.delete(&format!("/api/v1/commitments/{third}"))
        .await
        .assert_status(204);
    assert_facts(&app, "deleting a commitment").await;

    let before = app.sql_text(STORED).await;
    let rebuilt = app
        .sql_text("SELECT ogp_rebuild_commitment_facts()::text AS value")
        .await;
    assert_eq!(rebuilt, "2", "two commitments remain");
    assert_eq!(
        app.sql_text(STORED).await,
        before,
        "the rebuild agrees with the triggers"
    );
    assert_facts(&app, "a rebuild").await;
}

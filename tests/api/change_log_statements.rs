//! The change feed written per statement (migration …000013, transition tables): a statement
//! that writes many rows logs exactly one entry per row, in the order it wrote them, with the
//! row as JSON (no search document); a statement that writes no row logs nothing.

use crate::helpers::{spawn_app, TestApp};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::test::TestRequest;
use serde_json::json;

/// Runs `with`, a data-modifying `WITH` clause, and the count it selects as `n`.
async fn write(app: &TestApp, with: &str) -> i64 {
    app.sql_text(&format!("{with} SELECT n::text AS value FROM counted"))
        .await
        .parse()
        .unwrap()
}

async fn number(app: &TestApp, sql: &str) -> i64 {
    app.sql_text(&format!("SELECT ({sql})::text AS value"))
        .await
        .parse()
        .unwrap()
}

/// One plan with 30 commitments of two milestones each: the import writes each collection
/// with one multi-row INSERT.
async fn import_plan(app: &TestApp) {
    let commitments: Vec<_> = (1..=30)
        .map(|c| json!({"country_code": "CHL", "plan_number": 1, "number": c, "title": format!("c {c}")}))
        .collect();
    let milestones: Vec<_> = (1..=30)
        .flat_map(|c| {
            (1..=2).map(move |p| {
                json!({"country_code": "CHL", "plan_number": 1,
            "commitment_number": c, "position": p, "title": format!("m {c}-{p}")})
            })
        })
        .collect();
    let bundle = json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [{"code": "CHL", "name": "Chile", "region": "americas"}],
        "action_plans": [{"country_code": "CHL", "number": 1, "title": "Plan 1",
                          "start_year": 2016, "end_year": 2018}],
        "commitments": commitments, "milestones": milestones, "irm_findings": []
    });
    let request = TestRequest::post()
        .uri("/api/v1/imports")
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(bundle.to_string());
    app.send(app.authed(request)).await.assert_status(200);
}

/// Rows of `table` without exactly one `action` entry holding the row as JSON (its search
/// document left out).
fn rows_not_logged_once(table: &str, resource: &str, action: &str) -> String {
    format!(
        "SELECT count(*) FROM {table} t WHERE (SELECT count(*) FROM changes c \
         WHERE c.resource = '{resource}' AND c.key = t.id::text AND c.action = '{action}' \
         AND c.data = to_jsonb(t) - 'search' AND NOT c.data ? 'search') <> 1"
    )
}

/// Entries of `resource` and `action` whose key is smaller than the entry's before them.
fn out_of_order(resource: &str, action: &str) -> String {
    format!(
        "SELECT count(*) FROM (SELECT key::bigint AS k, lag(key::bigint) OVER (ORDER BY seq) AS p \
         FROM changes WHERE resource = '{resource}' AND action = '{action}') x WHERE k < p"
    )
}

#[actix_web::test]
async fn a_multi_row_insert_logs_each_row_once_in_order_with_its_json() {
    let app = spawn_app().await;
    import_plan(&app).await;
    assert_eq!(number(&app, "SELECT count(*) FROM commitments").await, 30);
    assert_eq!(number(&app, "SELECT count(*) FROM milestones").await, 60);
    for (table, resource) in [("commitments", "commitments"), ("milestones", "milestones")] {
        let sql = rows_not_logged_once(table, resource, "create");
        assert_eq!(number(&app, &sql).await, 0, "{table}");
        assert_eq!(
            number(&app, &out_of_order(resource, "create")).await,
            0,
            "{table}"
        );
    }
    // Nothing else was logged: one entry per row written.
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes").await,
        1 + 1 + 30 + 60
    );
    // The import's actor is on every entry.
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes WHERE actor IS NULL").await,
        0
    );
}

#[actix_web::test]
async fn multi_row_updates_and_deletes_log_each_row_and_empty_statements_nothing() {
    let app = spawn_app().await;
    import_plan(&app).await;
    let before = number(&app, "SELECT count(*) FROM changes").await;

    // An UPDATE of 30 rows in one statement: 30 `update` entries holding the new rows (the
    // version the touch trigger bumped included).
    let updated = write(
        &app,
        "WITH u AS (UPDATE milestones SET title = title || ' (2)' WHERE position = 2 \
         RETURNING 1), counted AS (SELECT count(*) AS n FROM u)",
    )
    .await;
    assert_eq!(updated, 30);
    let sql = format!(
        "{} AND t.position = 2",
        rows_not_logged_once("milestones", "milestones", "update")
    );
    assert_eq!(number(&app, &sql).await, 0);
    assert_eq!(
        number(
            &app,
            "SELECT count(*) FROM changes WHERE action = 'update' \
             AND (data ->> 'version')::int = 2 AND data ->> 'title' LIKE '% (2)'"
        )
        .await,
        30
    );

    // Statements that write nothing log nothing.
    let none = write(
        &app,
        "WITH u AS (UPDATE milestones SET title = 'x' WHERE id < 0 RETURNING 1), \
         d AS (DELETE FROM milestones WHERE id < 0 RETURNING 1), \
         counted AS (SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM d) AS n)",
    )
    .await;
    assert_eq!(none, 0);
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes").await,
        before + 30
    );

    // A DELETE of 30 rows: one `delete` entry each, without data, in the order deleted.
    let ids = app
        .sql_text(
            "SELECT string_agg(id::text, ',' ORDER BY id) AS value FROM milestones \
             WHERE position = 1",
        )
        .await;
    let deleted = write(
        &app,
        "WITH d AS (DELETE FROM milestones WHERE position = 1 RETURNING 1), \
         counted AS (SELECT count(*) AS n FROM d)",
    )
    .await;
    assert_eq!(deleted, 30);
    let logged = app
        .sql_text(
            "SELECT string_agg(key, ',' ORDER BY key::bigint) AS value FROM changes \
             WHERE resource = 'milestones' AND action = 'delete' AND data IS NULL",
        )
        .await;
    assert_eq!(logged, ids);
    assert_eq!(
        number(&app, "SELECT count(*) FROM changes").await,
        before + 60
    );
}

//! The list queries use indexes on a large table: each request's SQL, EXPLAINed over 100 000
//! commitments, never scans a whole table sequentially. (Plans for the benchmark's larger data
//! set are in docs/query-plans.md.)

use crate::helpers::spawn_app;
use diesel_async::RunQueryDsl;
use ogp_api::listing::request::ListRequest;
use ogp_api::listing::sql::Sql;
use ogp_api::listing::{query, spec::ListSpec};

#[derive(diesel::QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

const GENERATE: &str = "
INSERT INTO countries (code, name, region)
    SELECT chr(65 + i / 676) || chr(65 + i / 26 % 26) || chr(65 + i % 26), 'Country ' || i, 'europe'
    FROM generate_series(0, 99) i;
INSERT INTO action_plans (country_code, number, title, start_year, end_year, status)
    SELECT chr(65 + (i % 100) / 676) || chr(65 + (i % 100) / 26 % 26) || chr(65 + (i % 100) % 26),
           i / 100 + 1, 'Plan ' || i, 2011 + i % 12, 2013 + i % 12, 'completed'
    FROM generate_series(0, 1999) i;
INSERT INTO commitments (action_plan_id, number, title, theme, start_date, ogp_values)
    SELECT 1 + i % 2000, i / 2000 + 1, 'Commitment ' || i || CASE WHEN i % 997 = 0 THEN ' procurement' ELSE '' END,
           'Theme ' || i % 50, CASE WHEN i % 7 = 0 THEN NULL ELSE date '2015-01-01' + i % 1500 END,
           ARRAY['civic_participation']
    FROM generate_series(0, 99999) i;
INSERT INTO irm_findings (action_plan_id, commitment_id, report, kind, completion, potential_impact,
                          well_designed, well_designed_basis)
    SELECT action_plan_id, id, 'end_of_term_report', 'assessment', completion, impact,
           ogp_derive_well_designed(NULL, NULL, impact),
           CASE WHEN ogp_derive_well_designed(NULL, NULL, impact) IS NOT NULL THEN 'derived' END
    FROM (SELECT c.action_plan_id, c.id,
                 (ARRAY['no_evidence','not_started','limited','substantial','complete'])[1 + c.id % 5] AS completion,
                 (ARRAY['none','minor','moderate','transformative'])[1 + c.id % 4] AS impact
          FROM commitments c WHERE c.id % 2 = 0) AS rated;
ANALYZE;
";

async fn explain(
    conn: &mut diesel_async::AsyncPgConnection,
    spec: &'static ListSpec,
    query_string: &str,
) -> String {
    let request = ListRequest::parse(spec, query_string, None, None).expect("valid request");
    let sql = query::rows_sql(spec, &request, Some(request.limit + 1)).unwrap();
    let mut explained = Sql::new(format!("EXPLAIN {}", sql.text));
    explained.binds = sql.binds;
    let lines: Vec<PlanLine> = explained.into_query().load(conn).await.unwrap();
    lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[actix_web::test]
async fn list_queries_on_a_large_table_use_indexes() {
    let app = spawn_app().await;
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    // Generating the table takes longer than the service's statement timeout allows.
    diesel::sql_query("SET statement_timeout = 0")
        .execute(&mut conn)
        .await
        .unwrap();
    for statement in GENERATE.split(";\n").filter(|s| !s.trim().is_empty()) {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let deep_cursor = ogp_api::listing::encode_cursor(&serde_json::json!({
        "sort": "", "values": [90000]
    }));
    let spec = &ogp_api::resources::commitments::list::SPEC;
    let mut failures = Vec::new();
    for (query_string, index) in [
        (format!("cursor={deep_cursor}"), "commitments_pkey"),
        (
            "action_plan_id=17".to_string(),
            "commitments_action_plan_id_idx",
        ),
        // Walking the key order and filtering can be cheapest for a common value: any index.
        ("theme=Theme%207".to_string(), "Index"),
        ("sort=-number".to_string(), "commitments_number_idx"),
        ("sort=start_date".to_string(), "commitments_start_date_idx"),
        ("q=procurement".to_string(), "commitments_search_idx"),
        ("country_code=ABC".to_string(), "Index"),
        (
            "completion=complete&potential_impact=transformative".to_string(),
            "Index",
        ),
        // The filters of listing/filters.rs: several keys, unknown values, negations.
        ("id=5,50,500,5000".to_string(), "commitments_pkey"),
        ("start_date_null=true".to_string(), "Index"),
        ("theme_not=Theme%207&theme_null=false".to_string(), "Index"),
        ("completion_null=true".to_string(), "Index"),
        // Sorting by the plan's fields: the plans in that order, each plan's commitments by
        // their plan's index.
        (
            "sort=-plan_start_year,country_code".to_string(),
            "commitments_action_plan_id_idx",
        ),
        (
            "sort=country_code&country_code=ABC,ABD".to_string(),
            "commitments_action_plan_id_idx",
        ),
    ] {
        let plan = explain(&mut conn, spec, &query_string).await;
        if plan.contains("Seq Scan") {
            failures.push(format!(
                "{query_string} scans a table sequentially:\n{plan}"
            ));
        } else if !plan.contains(index) {
            failures.push(format!("{query_string} does not use {index}:\n{plan}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[actix_web::test]
async fn run_time_statements_stay_prepared_on_their_connection() {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    // Which statement texts are kept prepared is decided process-wide (the first
    // `CACHED_SHAPES` texts seen), and the other tests of this binary see hundreds of texts:
    // the probe runs alone, in a fresh process of this same test binary.
    const CHILD: &str = "OGP_PREPARED_PROBE";
    if std::env::var_os(CHILD).is_none() {
        let name = "query_plans::run_time_statements_stay_prepared_on_their_connection";
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name, "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&child.stdout);
        assert!(
            child.status.success() && stdout.contains("1 passed"),
            "the probe failed in its own process:\n{stdout}\n{}",
            String::from_utf8_lossy(&child.stderr)
        );
        return;
    }
    let app = spawn_app().await;
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    for n in 0..3 {
        let mut sql = Sql::new("SELECT count(*) AS count FROM countries WHERE code <> ");
        let placeholder = sql.bind(ogp_api::listing::sql::Bind::Text(format!("X{n}")));
        sql.push(&placeholder).push(" -- prepared statement probe");
        let _: Count = sql.into_query().get_result(&mut conn).await.unwrap();
    }
    let prepared: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM pg_prepared_statements \
         WHERE statement LIKE '%-- prepared statement probe'",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(prepared.count, 1, "prepared once, then reused");
}

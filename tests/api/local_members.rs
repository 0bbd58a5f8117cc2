//! OGP Local members (issue 17) and their plans: what is particular to them. Their plain CRUD is
//! a row of `crud.rs`.

use crate::fixtures::{
    commitment, country, id_of, local_member, local_plan, milestone, plan, with,
};
use crate::helpers::{spawn_app, TestApp};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::test::TestRequest;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

const MEMBER: &str = "sekondi-takoradi-ghana";

/// Ghana with one local member, Mexico with none.
async fn ghana_and_mexico() -> TestApp {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("GHA")).await;
    app.create("/api/v1/countries", &country("MEX")).await;
    app.create("/api/v1/local-members", &local_member(MEMBER, "GHA"))
        .await;
    app
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(id_of)
        .collect()
}

/// Runs `sql` directly, bypassing the API: the database's own constraints answer.
async fn raw_sql(app: &TestApp, sql: &str) -> Result<usize, String> {
    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    diesel::sql_query(sql)
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())
}

#[actix_web::test]
async fn a_local_plans_member_must_exist_and_belong_to_the_plans_country() {
    let app = ghana_and_mexico().await;
    let before = app.snapshot().await;
    // A Ghanaian member under a Mexican plan.
    app.post("/api/v1/action-plans", &local_plan("MEX", MEMBER, 1))
        .await
        .assert_invalid(&["local_member_slug"]);
    app.post(
        "/api/v1/action-plans",
        &local_plan("GHA", "no-such-city", 1),
    )
    .await
    .assert_invalid(&["local_member_slug"]);
    app.post("/api/v1/action-plans", &local_plan("GHA", "Not A Slug", 1))
        .await
        .assert_invalid(&["local_member_slug"]);
    assert_eq!(app.snapshot().await, before, "a refused plan wrote");

    // A national Mexican plan cannot be moved under the Ghanaian member by a patch either.
    let national = app.create("/api/v1/action-plans", &plan("MEX", 1)).await;
    let path = format!("/api/v1/action-plans/{}", id_of(&national));
    app.patch(&path, &json!({"local_member_slug": MEMBER}))
        .await
        .assert_invalid(&["local_member_slug"]);
    let local = app
        .create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
        .await;
    assert_eq!(local["local_member_slug"], MEMBER);
    assert_eq!(local["country_code"], "GHA");
    // Nor can a local plan change country away from its member.
    let local_path = format!("/api/v1/action-plans/{}", id_of(&local));
    app.patch(&local_path, &json!({"country_code": "MEX"}))
        .await
        .assert_invalid(&["local_member_slug"]);
    // Nor its member change country while it has plans (the composite key holds).
    app.patch(
        &format!("/api/v1/local-members/{MEMBER}"),
        &json!({"country_code": "MEX"}),
    )
    .await
    .assert_problem(409);

    // The database refuses the same rows whatever the code does.
    let refused = raw_sql(
        &app,
        &format!(
            "INSERT INTO action_plans (country_code, local_member_slug, number, title, start_year, \
             end_year) VALUES ('MEX', '{MEMBER}', 2, 'Wrong country', 2017, 2017)"
        ),
    )
    .await
    .expect_err("the composite foreign key refuses a member of another country");
    assert!(
        refused.contains("action_plans_local_member_fkey"),
        "{refused}"
    );
    let refused = raw_sql(
        &app,
        "INSERT INTO action_plans (country_code, local_member_slug, number, title, start_year, \
         end_year) VALUES ('GHA', 'nowhere', 2, 'No member', 2017, 2017)",
    )
    .await
    .expect_err("an unknown member is refused");
    assert!(
        refused.contains("action_plans_local_member_fkey"),
        "{refused}"
    );
    raw_sql(
        &app,
        "INSERT INTO local_members (slug, name, country_code, kind) VALUES ('Bad Slug', 'x', 'GHA', 'other')",
    )
    .await
    .expect_err("the slug check refuses a bad slug");
    raw_sql(
        &app,
        "INSERT INTO local_members (slug, name, country_code, kind, member_since) \
         VALUES ('early', 'x', 'GHA', 'other', 2015)",
    )
    .await
    .expect_err("no local member before 2016");
}

#[actix_web::test]
async fn plan_numbers_are_unique_per_country_for_national_plans_and_per_member_for_local_ones() {
    let app = ghana_and_mexico().await;
    app.create(
        "/api/v1/local-members",
        &local_member("elgeyo-marakwet-kenya", "GHA"),
    )
    .await;
    // Number 1 three times: Ghana's own, and each member's first.
    app.create("/api/v1/action-plans", &plan("GHA", 1)).await;
    app.create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
        .await;
    let other = app
        .create(
            "/api/v1/action-plans",
            &local_plan("GHA", "elgeyo-marakwet-kenya", 1),
        )
        .await;

    let twice = app.post("/api/v1/action-plans", &plan("GHA", 1)).await;
    twice.assert_problem(409);
    assert!(
        twice.body["detail"].as_str().unwrap().contains("national"),
        "{}",
        twice.body
    );
    let twice = app
        .post("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
        .await;
    twice.assert_problem(409);
    assert!(
        twice.body["detail"]
            .as_str()
            .unwrap()
            .contains("local member"),
        "{}",
        twice.body
    );
    // Moving a member's plan onto another member's taken number is refused too.
    app.patch(
        &format!("/api/v1/action-plans/{}", id_of(&other)),
        &json!({"local_member_slug": MEMBER}),
    )
    .await
    .assert_problem(409);
    // And the database's own indexes, bypassing the API.
    let refused = raw_sql(
        &app,
        &format!(
            "INSERT INTO action_plans (country_code, local_member_slug, number, title, start_year, \
             end_year) VALUES ('GHA', '{MEMBER}', 1, 'Again', 2017, 2017)"
        ),
    )
    .await
    .expect_err("unique per member");
    assert!(
        refused.contains("action_plans_local_number_key"),
        "{refused}"
    );
}

#[actix_web::test]
async fn deleting_a_local_member_with_plans_is_a_409_and_deletes_nothing() {
    let app = ghana_and_mexico().await;
    let plan = app
        .create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
        .await;
    let path = format!("/api/v1/local-members/{MEMBER}");
    let before = app.snapshot().await;
    app.delete(&path).await.assert_problem(409);
    assert_eq!(app.snapshot().await, before);
    app.delete(&format!("/api/v1/action-plans/{}", id_of(&plan)))
        .await
        .assert_status(204);
    app.delete(&path).await.assert_status(204);
    // A country with local members cannot go either.
    app.create("/api/v1/local-members", &local_member("accra-ghana", "GHA"))
        .await;
    app.delete("/api/v1/countries/GHA")
        .await
        .assert_problem(409);
}

#[actix_web::test]
async fn a_local_member_is_validated_field_by_field_and_put_by_slug() {
    let app = ghana_and_mexico().await;
    app.post(
        "/api/v1/local-members",
        &json!({"slug": "Bad--slug", "name": "", "country_code": "gha", "kind": "city",
                "member_since": 2015, "population": -1}),
    )
    .await
    .assert_invalid(&[
        "slug",
        "name",
        "country_code",
        "kind",
        "member_since",
        "population",
    ]);
    app.post("/api/v1/local-members", &local_member("lagos", "NGA"))
        .await
        .assert_invalid(&["country_code"]);
    app.post("/api/v1/local-members", &local_member(MEMBER, "GHA"))
        .await
        .assert_problem(409);

    // PUT by slug: creates, then replaces whole; the body's slug must be the path's.
    let put = |slug: &str, body: Value| {
        let request = TestRequest::put()
            .uri(&format!("/api/v1/local-members/{slug}"))
            .insert_header((CONTENT_TYPE, "application/json"))
            .set_json(body);
        app.send(app.authed(request))
    };
    let created = put("accra-ghana", local_member("accra-ghana", "GHA")).await;
    created.assert_status(201);
    assert_eq!(
        created.header("location"),
        Some("/api/v1/local-members/accra-ghana")
    );
    let replaced = put(
        "accra-ghana",
        json!({"name": "Accra", "country_code": "GHA", "kind": "municipality"}),
    )
    .await;
    replaced.assert_status(200);
    assert_eq!(replaced.body["member_since"], Value::Null);
    assert_eq!(replaced.body["version"], 2);
    put("accra-ghana", local_member("kumasi-ghana", "GHA"))
        .await
        .assert_invalid(&["slug"]);
}

#[actix_web::test]
async fn plans_filter_by_level_and_member_and_the_aliases_list_them() {
    let app = ghana_and_mexico().await;
    let national = id_of(&app.create("/api/v1/action-plans", &plan("GHA", 1)).await);
    let mexican = id_of(&app.create("/api/v1/action-plans", &plan("MEX", 1)).await);
    let local = id_of(
        &app.create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
            .await,
    );
    let page = |query: &str| {
        let app = &app;
        let path = format!("/api/v1/action-plans{query}");
        async move {
            let response = app.get(&path).await;
            response.assert_status(200);
            ids(&response.body)
        }
    };
    assert_eq!(page("?level=local").await, [local]);
    assert_eq!(page("?level=national").await, [national, mexican]);
    assert_eq!(
        page("?level=national,local").await,
        [national, mexican, local]
    );
    assert_eq!(page(&format!("?local_member_slug={MEMBER}")).await, [local]);
    assert_eq!(page("?country_code=GHA&level=national").await, [national]);
    app.get("/api/v1/action-plans?level=regional")
        .await
        .assert_problem(400);

    let alias = app
        .get(&format!("/api/v1/local-members/{MEMBER}/action-plans"))
        .await;
    alias.assert_status(200);
    assert_eq!(ids(&alias.body), [local]);
    app.get("/api/v1/local-members/nowhere/action-plans")
        .await
        .assert_problem(404);
    app.get("/api/v1/local-members/NOT%20A%20SLUG/action-plans")
        .await
        .assert_problem(404);

    let members = app.get("/api/v1/countries/GHA/local-members").await;
    members.assert_status(200);
    assert_eq!(members.body["items"][0]["slug"], MEMBER);
    assert_eq!(
        app.get("/api/v1/countries/MEX/local-members").await.body["items"],
        json!([])
    );
    app.get("/api/v1/countries/ZZZ/local-members")
        .await
        .assert_problem(404);

    // Embedding both ways, and the member list's own filters and search.
    let countries = app
        .get("/api/v1/countries?code=GHA&include=local_members")
        .await;
    assert_eq!(
        countries.body["items"][0]["local_members"][0]["slug"],
        MEMBER
    );
    let with_plans = app.get("/api/v1/local-members?include=action_plans").await;
    assert_eq!(with_plans.body["items"][0]["action_plans"][0]["id"], local);
    for query in [
        "kind=municipality",
        "member_since_gte=2016",
        "country_code=GHA",
        "membership_status=active",
        "q=sekondi",
    ] {
        let found = app.get(&format!("/api/v1/local-members?{query}")).await;
        assert_eq!(found.body["items"][0]["slug"], MEMBER, "{query}");
    }
    for query in [
        "kind=region",
        "member_since_gte=2020",
        "country_code=MEX",
        "q=accra",
    ] {
        let found = app.get(&format!("/api/v1/local-members?{query}")).await;
        assert_eq!(found.body["items"], json!([]), "{query}");
    }
    app.get("/api/v1/local-members?kind=city")
        .await
        .assert_problem(400);
    // The CSV export of plans carries the member.
    let csv = app
        .send(TestRequest::get().uri("/api/v1/action-plans?level=local&format=csv"))
        .await;
    csv.assert_status(200);
    assert!(csv
        .text
        .lines()
        .next()
        .unwrap()
        .contains("local_member_slug"));
    assert!(csv.text.contains(MEMBER), "{}", csv.text);
}

#[actix_web::test]
async fn a_local_member_has_a_history_and_is_in_the_change_feed() {
    let app = ghana_and_mexico().await;
    app.patch(
        &format!("/api/v1/local-members/{MEMBER}"),
        &json!({"population": 559548}),
    )
    .await
    .assert_status(200);
    let history = app
        .get(&format!("/api/v1/local-members/{MEMBER}/history"))
        .await;
    history.assert_status(200);
    let actions: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(history.body["items"][1]["data"]["population"], 559548);
    let feed = app.get("/api/v1/changes?resource=local-members").await;
    feed.assert_status(200);
    let items = feed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items
        .iter()
        .all(|c| c["resource"] == "local-members" && c["key"] == MEMBER));
}

/// A bundle with a country, its member, a national and a local plan with the same number, and
/// children under each.
fn local_bundle() -> Value {
    json!({
        "format": "ogp-api.bundle", "version": 1,
        "countries": [country("GHA")],
        "local_members": [local_member(MEMBER, "GHA")],
        "action_plans": [plan("GHA", 1), local_plan("GHA", MEMBER, 1)],
        "commitments": [
            {"country_code": "GHA", "plan_number": 1, "number": 1, "title": "National"},
            {"country_code": "GHA", "local_member_slug": MEMBER, "plan_number": 1, "number": 1,
             "title": "Local"}
        ],
        "milestones": [{"country_code": "GHA", "local_member_slug": MEMBER, "plan_number": 1,
                        "commitment_number": 1, "position": 1, "title": "Local step"}],
        "irm_findings": [{"country_code": "GHA", "local_member_slug": MEMBER, "plan_number": 1,
                          "commitment_number": 1, "report": "end_of_term_report",
                          "kind": "assessment", "did_it_open_government": "major"}]
    })
}

async fn import(app: &TestApp, bundle: &Value) -> crate::helpers::TestResponse {
    let request = TestRequest::post()
        .uri("/api/v1/imports")
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(bundle.to_string());
    app.send(app.authed(request)).await
}

#[actix_web::test]
async fn a_bundle_with_local_plans_round_trips() {
    let source = spawn_app().await;
    let imported = import(&source, &local_bundle()).await;
    imported.assert_status(200);
    assert_eq!(imported.body["local_members"]["created"], 1);
    assert_eq!(imported.body["action_plans"]["created"], 2);
    // The local plan's commitment went under the local plan, not the national one.
    let local = source
        .get(&format!(
            "/api/v1/action-plans?local_member_slug={MEMBER}&include=commitments"
        ))
        .await;
    assert_eq!(local.body["items"][0]["commitments"][0]["title"], "Local");
    let national = source
        .get("/api/v1/action-plans?level=national&include=commitments,irm_findings")
        .await;
    assert_eq!(
        national.body["items"][0]["commitments"][0]["title"],
        "National"
    );
    assert_eq!(national.body["items"][0]["irm_findings"], json!([]));

    let first = source.get("/api/v1/exports/bundle").await.text;
    let exported: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(exported["local_members"][0]["slug"], MEMBER);
    // A national plan's children carry no member; a local plan's do.
    assert!(exported["commitments"][0]
        .get("local_member_slug")
        .is_none());
    assert_eq!(exported["commitments"][1]["local_member_slug"], MEMBER);

    let target = spawn_app().await;
    import(&target, &exported).await.assert_status(200);
    assert_eq!(target.get("/api/v1/exports/bundle").await.text, first);
    // Again: nothing changes.
    let again = import(&target, &exported).await;
    assert_eq!(again.body["local_members"]["unchanged"], 1);
    assert_eq!(again.body["milestones"]["unchanged"], 1);
    // Pruning by a bundle of the country alone: its local members are in its scope, after
    // their plans.
    let country_only = json!({"format": "ogp-api.bundle", "version": 1,
                              "countries": [country("GHA")]});
    let request = TestRequest::post()
        .uri("/api/v1/imports?prune=true")
        .insert_header((CONTENT_TYPE, "application/json"))
        .set_payload(country_only.to_string());
    let pruned = target.send(target.authed(request)).await;
    pruned.assert_status(200);
    assert_eq!(pruned.body["local_members"]["deleted"], 1);
    assert_eq!(pruned.body["action_plans"]["deleted"], 2);
    target
        .get(&format!("/api/v1/local-members/{MEMBER}"))
        .await
        .assert_problem(404);

    // A bundle's member of another country, or a child naming no such local plan, is refused
    // with pointers, and nothing is written.
    let mut bad = local_bundle();
    bad["countries"] = json!([country("GHA"), country("MEX")]);
    bad["action_plans"][1]["country_code"] = json!("MEX");
    bad["commitments"][1]["local_member_slug"] = json!("elsewhere");
    let fresh = spawn_app().await;
    let refused = import(&fresh, &bad).await;
    refused.assert_problem(422);
    let pointers: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(
        pointers.contains(&"/action_plans/1/local_member_slug"),
        "{pointers:?}"
    );
    assert!(
        pointers.contains(&"/commitments/1/plan_number"),
        "{pointers:?}"
    );
    assert_eq!(
        fresh
            .sql_text("SELECT count(*)::text AS value FROM countries")
            .await,
        "0"
    );
}

#[actix_web::test]
async fn stats_group_by_local_member_and_level() {
    let app = spawn_app().await;
    import(&app, &local_bundle()).await.assert_status(200);
    let mexican = app.create("/api/v1/countries", &country("MEX")).await;
    let plan_id = id_of(&app.create("/api/v1/action-plans", &plan("MEX", 1)).await);
    app.create("/api/v1/commitments", &commitment(plan_id, 1))
        .await;
    app.create("/api/v1/commitments", &commitment(plan_id, 2))
        .await;
    assert_eq!(mexican["code"], "MEX");

    let by_level = app.get("/api/v1/stats/commitments?group_by=level").await;
    by_level.assert_status(200);
    let groups: Vec<(String, i64)> = by_level.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["commitments"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [("local".to_string(), 1), ("national".to_string(), 3)]
    );

    let by_member = app
        .get("/api/v1/stats/commitments?group_by=local_member")
        .await;
    by_member.assert_status(200);
    let groups: Vec<(Value, i64)> = by_member.body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["group"].clone(), g["commitments"].as_i64().unwrap()))
        .collect();
    // National plans' commitments are the `null` group: counted, not dropped.
    assert_eq!(groups, [(json!(MEMBER), 1), (Value::Null, 3)]);
    // The same with a filter (the per-commitment path rather than the plain scan).
    let filtered = app
        .get("/api/v1/stats/commitments?group_by=local_member&country_code=GHA")
        .await;
    assert_eq!(filtered.body["groups"][0]["group"], MEMBER);
    assert_eq!(filtered.body["groups"][1]["commitments"], 1);
    // And per report: each assessment in its report.
    let per_report = app
        .get("/api/v1/stats/commitments?group_by=level&report=end_of_term_report")
        .await;
    per_report.assert_status(200);
    assert_eq!(per_report.body["groups"][0]["group"], "local");
    assert_eq!(per_report.body["groups"][0]["assessed"], 1);

    let local_only = app
        .get("/api/v1/stats/commitments?group_by=country&level=local")
        .await;
    local_only.assert_status(200);
    assert_eq!(local_only.body["groups"][0]["group"], "GHA");
    assert_eq!(local_only.body["groups"][0]["commitments"], 1);
    assert_eq!(local_only.body["groups"].as_array().unwrap().len(), 1);
    app.get("/api/v1/stats/commitments?level=regional")
        .await
        .assert_problem(400);

    // The IRM page of a local plan works as a national one's.
    let local_plan_id = app
        .get(&format!("/api/v1/action-plans?local_member_slug={MEMBER}"))
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let summary = app
        .get(&format!(
            "/api/v1/action-plans/{local_plan_id}/irm-summary?report=end_of_term_report"
        ))
        .await;
    summary.assert_status(200);
    assert_eq!(summary.body["action_plan"]["local_member_slug"], MEMBER);
    assert_eq!(
        summary.body["highlights"][0]["did_it_open_government"],
        "major"
    );
}

/// The migration over a database of national plans only: every plan becomes national, nothing
/// is lost, and the old key still refuses a second national plan with the same number.
#[actix_web::test]
async fn the_local_members_migration_keeps_every_plan_as_a_national_one() {
    let app = spawn_app().await;
    loop {
        let reverted = ogp_api::db::revert_last_migration(&app.url).await.unwrap();
        if reverted.contains("20261130000020") {
            break;
        }
        assert!(
            reverted.as_str() > "20261130000020",
            "passed it: {reverted}"
        );
    }
    for statement in [
        "INSERT INTO countries (code, name, region) VALUES ('MEX', 'Mexico', 'americas'), \
         ('GHA', 'Ghana', 'africa_middle_east')",
        "INSERT INTO action_plans (country_code, number, title, start_year, end_year, status) \
         VALUES ('MEX', 3, 'Third', 2016, 2018, 'completed'), ('MEX', 1, 'First', 2012, 2013, 'completed'), \
         ('GHA', 1, 'Ghana first', 2013, 2014, 'completed')",
        "INSERT INTO commitments (action_plan_id, number, title, ogp_values) VALUES (1, 1, 'A', '{}')",
    ] {
        raw_sql(&app, statement).await.unwrap();
    }
    let plans = "SELECT json_agg(json_build_array(id, country_code, number, title, start_year, \
                 end_year, status, version) ORDER BY id)::text AS value FROM action_plans";
    let before = app.sql_text(plans).await;
    // This migration's tables only: the later migrations it re-runs are not its doing
    // (…000030 names the stored countries with an UPDATE, which the feed logs).
    let its_changes = "SELECT count(*)::text AS value FROM changes \
                       WHERE resource IN ('action-plans', 'local-members', 'commitments')";
    let changes_before = app.sql_text(its_changes).await;
    ogp_api::db::run_migrations(&app.url).await.unwrap();
    assert_eq!(
        app.sql_text(plans).await,
        before,
        "every plan kept as it was"
    );
    assert_eq!(
        app.sql_text(
            "SELECT count(*)::text AS value FROM action_plans WHERE local_member_slug IS NOT NULL"
        )
        .await,
        "0",
        "every existing plan is national"
    );
    assert_eq!(
        app.sql_text(its_changes).await,
        changes_before,
        "the migration writes no change-feed entry"
    );
    let listed = app.get("/api/v1/action-plans?level=national").await;
    assert_eq!(ids(&listed.body), [1, 2, 3]);
    app.post("/api/v1/action-plans", &plan("MEX", 3))
        .await
        .assert_problem(409);
    // And the new shape works on the old rows.
    app.create("/api/v1/local-members", &local_member(MEMBER, "GHA"))
        .await;
    app.create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
        .await;
    let milestone_parent = app
        .create(
            "/api/v1/commitments",
            &with(commitment(1, 2), json!({"title": "B"})),
        )
        .await;
    app.create(
        "/api/v1/milestones",
        &milestone(id_of(&milestone_parent), 1),
    )
    .await;
}

/// `include=local_member` on plans (added with `include=` parents): the member as its own GET
/// answers it, `null` for a national plan, on lists and item GETs alike.
#[actix_web::test]
async fn plans_embed_their_local_member_as_its_own_get_answers_it() {
    let app = ghana_and_mexico().await;
    let national = id_of(&app.create("/api/v1/action-plans", &plan("GHA", 1)).await);
    let local = id_of(
        &app.create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
            .await,
    );
    let member = app
        .get(&format!("/api/v1/local-members/{MEMBER}"))
        .await
        .body;
    assert_eq!(member["slug"], MEMBER);

    let page = app
        .get("/api/v1/action-plans?include=local_member,country")
        .await;
    page.assert_status(200);
    let item = |id: i64| {
        page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| id_of(p) == id)
            .unwrap_or_else(|| panic!("plan {id} in {}", page.body))
            .clone()
    };
    assert_eq!(item(local)["local_member"], member);
    assert_eq!(item(national)["local_member"], Value::Null);
    assert_eq!(item(local)["country"]["code"], "GHA");
    // Without the include, no such field.
    let plain = app.get("/api/v1/action-plans").await;
    assert!(plain.body["items"][0].get("local_member").is_none());

    let one = app
        .get(&format!(
            "/api/v1/action-plans/{local}?include=local_member"
        ))
        .await;
    one.assert_status(200);
    assert_eq!(one.body["local_member"], member);
    let one = app
        .get(&format!(
            "/api/v1/action-plans/{national}?include=local_member"
        ))
        .await;
    assert_eq!(one.body["local_member"], Value::Null);
    // A path the plans do not offer is a 400 naming what they do.
    let refused = app
        .get("/api/v1/action-plans?include=local_member.country")
        .await;
    refused.assert_problem(400);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("local_member"),
        "{}",
        refused.body
    );
    // A member's item GET takes its children's include too.
    let with_plans = app
        .get(&format!(
            "/api/v1/local-members/{MEMBER}?include=action_plans"
        ))
        .await;
    with_plans.assert_status(200);
    assert_eq!(
        with_plans.body["action_plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect::<Vec<_>>(),
        [local]
    );
}

/// The new enums are vocabularies with en/es/fr labels, and `lang=` labels a member's fields,
/// embedded ones too.
#[actix_web::test]
async fn local_member_kinds_and_plan_levels_are_labelled() {
    let app = ghana_and_mexico().await;
    app.create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
        .await;
    let kinds = app.get("/api/v1/vocabularies/local_member_kind").await;
    kinds.assert_status(200);
    let municipality = &kinds.body["values"][0];
    assert_eq!(municipality["value"], "municipality");
    assert_eq!(municipality["labels"]["fr"]["text"], "Municipalité");
    assert_eq!(municipality["labels"]["es"]["source"], "project");
    let levels = app.get("/api/v1/vocabularies/plan_level").await;
    levels.assert_status(200);
    assert_eq!(levels.body["values"][0]["value"], "national");
    assert_eq!(levels.body["values"][0]["labels"]["es"]["text"], "Nacional");

    let page = app.get("/api/v1/local-members?lang=fr").await;
    page.assert_status(200);
    assert_eq!(page.body["items"][0]["kind_label"], "Municipalité");
    assert_eq!(page.body["items"][0]["membership_status_label"], "Actif");
    let plans = app
        .get("/api/v1/action-plans?include=local_member&lang=es")
        .await;
    plans.assert_status(200);
    assert_eq!(
        plans.body["items"][0]["local_member"]["kind_label"],
        "Municipio"
    );
}

/// French search (migration …000031) covers local members: a member stored before it ran is
/// found by French stemming only once it has run (the migration recomputes its document).
#[actix_web::test]
async fn local_members_are_searched_in_french_once_the_french_migration_has_run() {
    let app = ghana_and_mexico().await;
    app.patch(
        &format!("/api/v1/local-members/{MEMBER}"),
        &json!({"name": "Les journaux de la ville"}),
    )
    .await
    .assert_status(200);
    async fn found(app: &TestApp) -> usize {
        let page = app.get("/api/v1/local-members?q=journal").await;
        page.assert_status(200);
        page.body["items"].as_array().unwrap().len()
    }
    assert_eq!(found(&app).await, 1, "French stems journaux to journal");
    // Back to just before it (and any later migration).
    while ogp_api::db::revert_last_migration(&app.url).await.unwrap() != "20261130000031" {}
    // The API needs the newest schema (every list reads the data version, migration …000032),
    // so the state in between is searched as the list searches, in SQL.
    assert_eq!(
        app.sql_text(
            "SELECT count(*)::text AS value FROM local_members m \
             WHERE m.search @@ ogp_search_query('journal')"
        )
        .await,
        "0",
        "English and Spanish alone do not match: the French config is what finds it"
    );
    ogp_api::db::run_migrations(&app.url).await.unwrap();
    assert_eq!(found(&app).await, 1, "the stored document was recomputed");
}

/// The streamed import checks a local plan against a member the database holds (not only one
/// of the bundle), names a member's plan number given twice as the member's, and a bundle of
/// children only finds a stored local plan by its member.
#[actix_web::test]
async fn a_bundle_names_stored_local_members_and_their_plans() {
    let app = ghana_and_mexico().await;
    app.create("/api/v1/local-members", &local_member("guadalajara", "MEX"))
        .await;
    let before = app.snapshot().await;
    let bundle = json!({
        "format": "ogp-api.bundle", "version": 1,
        "action_plans": [local_plan("GHA", MEMBER, 1), local_plan("GHA", MEMBER, 1),
                         local_plan("GHA", "guadalajara", 2), local_plan("GHA", "nowhere", 3)],
    });
    let refused = import(&app, &bundle).await;
    refused.assert_problem(422);
    let errors: Vec<(String, String)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                "/action_plans/1/number".to_string(),
                "this local member's plan number is given twice (first at /action_plans/0)"
                    .to_string()
            ),
            (
                "/action_plans/2/local_member_slug".to_string(),
                "this local member belongs to MEX, not to the plan's country".to_string()
            ),
            (
                "/action_plans/3/local_member_slug".to_string(),
                "no local member has this slug, in the bundle or the database".to_string()
            ),
        ]
    );
    assert_eq!(app.snapshot().await, before, "a refused bundle wrote");

    // The stored member's plan, then a bundle of its children alone: they go under it, not
    // under the national plan of the same number.
    let national = id_of(&app.create("/api/v1/action-plans", &plan("GHA", 1)).await);
    let plans = json!({"format": "ogp-api.bundle", "version": 1,
                       "action_plans": [local_plan("GHA", MEMBER, 1)]});
    let created = import(&app, &plans).await;
    created.assert_status(200);
    assert_eq!(created.body["action_plans"]["created"], 1);
    let children = json!({
        "format": "ogp-api.bundle", "version": 1,
        "commitments": [{"country_code": "GHA", "local_member_slug": MEMBER, "plan_number": 1,
                         "number": 1, "title": "Local"}],
        "milestones": [{"country_code": "GHA", "local_member_slug": MEMBER, "plan_number": 1,
                        "commitment_number": 1, "position": 1, "title": "Step"}],
    });
    let written = import(&app, &children).await;
    written.assert_status(200);
    assert_eq!(written.body["milestones"]["created"], 1);
    let national_commitments = app
        .get(&format!("/api/v1/action-plans/{national}/commitments"))
        .await;
    assert_eq!(national_commitments.body["items"], json!([]));
    let local = app
        .get(&format!(
            "/api/v1/action-plans?local_member_slug={MEMBER}&include=commitments"
        ))
        .await;
    assert_eq!(local.body["items"][0]["commitments"][0]["title"], "Local");
}

/// `/local-members/groups` (main's groups, added for every collection) counts members, and
/// plans group by their level.
#[actix_web::test]
async fn local_members_and_plan_levels_have_groups() {
    let app = ghana_and_mexico().await;
    app.create("/api/v1/local-members", &local_member("accra-ghana", "GHA"))
        .await;
    app.create("/api/v1/local-members", &local_member("guadalajara", "MEX"))
        .await;
    app.create("/api/v1/action-plans", &local_plan("GHA", MEMBER, 1))
        .await;
    app.create("/api/v1/action-plans", &plan("GHA", 1)).await;
    app.create("/api/v1/action-plans", &plan("GHA", 2)).await;
    let members = app
        .get("/api/v1/local-members/groups?group_by=country_code")
        .await;
    members.assert_status(200);
    assert_eq!(
        members.body["groups"],
        json!([{"key": {"country_code": "GHA"}, "count": 2},
               {"key": {"country_code": "MEX"}, "count": 1}])
    );
    let levels = app.get("/api/v1/action-plans/groups?group_by=level").await;
    levels.assert_status(200);
    assert_eq!(
        levels.body["groups"],
        json!([{"key": {"level": "national"}, "count": 2},
               {"key": {"level": "local"}, "count": 1}])
    );
    // A member's item still answers beside `/groups`; `level_null` is not offered.
    app.get(&format!("/api/v1/local-members/{MEMBER}"))
        .await
        .assert_status(200);
    app.get("/api/v1/action-plans?level_null=true")
        .await
        .assert_problem(400);
}

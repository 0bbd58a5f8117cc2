//! The change feed: a copy rebuilt from the feed alone equals the tables.

use crate::fixtures::{a_plan, commitment, country, id_of, milestone};
use crate::helpers::spawn_app;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A small deterministic generator (no dependency needed for a test's dice).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % sides
    }
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    resource: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    data: Value,
}

#[actix_web::test]
async fn a_copy_rebuilt_from_the_feed_equals_the_tables() {
    let app = spawn_app().await;
    let plan_id = a_plan(&app).await;
    let mut dice = Dice(42);
    let mut commitments: Vec<i64> = Vec::new();
    let mut milestones: Vec<i64> = Vec::new();
    let mut next_number = 1;
    for step in 0..120 {
        match dice.roll(6) {
            0 | 1 => {
                let id = id_of(
                    &app.create("/api/v1/commitments", &commitment(plan_id, next_number))
                        .await,
                );
                next_number += 1;
                commitments.push(id);
            }
            2 if !commitments.is_empty() => {
                let id = commitments[dice.roll(commitments.len() as u64) as usize];
                app.patch(
                    &format!("/api/v1/commitments/{id}"),
                    &json!({"title": format!("Step {step}")}),
                )
                .await
                .assert_status(200);
            }
            3 if !commitments.is_empty() => {
                let id = commitments[dice.roll(commitments.len() as u64) as usize];
                let position = 1 + dice.roll(1000) as i32;
                let response = app
                    .post("/api/v1/milestones", &milestone(id, position))
                    .await;
                if response.status == 201 {
                    milestones.push(id_of(&response.body));
                }
            }
            4 if !milestones.is_empty() => {
                let id = milestones.remove(dice.roll(milestones.len() as u64) as usize);
                app.delete(&format!("/api/v1/milestones/{id}"))
                    .await
                    .assert_status(204);
            }
            5 => {
                let code = format!(
                    "Q{}{}",
                    (b'A' + (step / 26) as u8) as char,
                    (b'A' + (step % 26) as u8) as char
                );
                app.create("/api/v1/countries", &country(&code)).await;
                if dice.roll(2) == 0 {
                    app.delete(&format!("/api/v1/countries/{code}"))
                        .await
                        .assert_status(204);
                }
            }
            _ => {}
        }
    }
    // Failed writes leave no trace in the feed.
    app.post("/api/v1/commitments", &commitment(plan_id, 1))
        .await
        .assert_problem(409);

    let mut copy: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = app
            .get(&format!("/api/v1/changes?after={after}&limit=37"))
            .await;
        page.assert_status(200);
        for change in page.body["items"].as_array().unwrap() {
            let id = (
                change["resource"].as_str().unwrap().to_string(),
                change["key"].as_str().unwrap().to_string(),
            );
            assert!(change["seq"].as_i64().unwrap() > after, "feed goes forward");
            match change["action"].as_str().unwrap() {
                "delete" => {
                    assert!(change["data"].is_null(), "a tombstone");
                    assert!(copy.remove(&id).is_some(), "deleted what existed");
                }
                _ => {
                    copy.insert(id, change["data"].clone());
                }
            }
        }
        after = page.body["next_after"].as_i64().unwrap();
        if !page.body["has_more"].as_bool().unwrap() {
            break;
        }
    }

    let mut conn = ogp_api::db::conn(&app.pool).await.unwrap();
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT 'countries' AS resource, code AS key, to_jsonb(t) - 'search' AS data FROM countries t
         UNION ALL SELECT 'action-plans', id::text, to_jsonb(t) - 'search' FROM action_plans t
         UNION ALL SELECT 'commitments', id::text, to_jsonb(t) - 'search' FROM commitments t
         UNION ALL SELECT 'milestones', id::text, to_jsonb(t) - 'search' FROM milestones t
         UNION ALL SELECT 'irm-findings', id::text, to_jsonb(t) - 'search' FROM irm_findings t",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let tables: BTreeMap<(String, String), Value> = rows
        .into_iter()
        .map(|r| ((r.resource, r.key), r.data))
        .collect();
    assert!(tables.len() > 20);
    assert_eq!(copy, tables);
}

#[actix_web::test]
async fn history_lists_every_change_of_one_item_even_after_delete() {
    let app = spawn_app().await;
    app.create("/api/v1/countries", &country("KEN")).await;
    app.create("/api/v1/countries", &country("PER")).await;
    app.patch("/api/v1/countries/KEN", &json!({"name": "Kenya"}))
        .await;
    app.delete("/api/v1/countries/KEN").await.assert_status(204);
    let history = app.get("/api/v1/countries/KEN/history").await;
    let actions: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert_eq!(history.body["items"][1]["data"]["name"], "Kenya");
    let only_plans = app.get("/api/v1/changes?resource=action-plans").await;
    assert_eq!(only_plans.body["items"], json!([]));
    app.get("/api/v1/changes?resource=people")
        .await
        .assert_problem(400);
    app.get("/api/v1/changes?after=-1")
        .await
        .assert_problem(400);
}

//! The demo data: IRM report pages as API create bodies (`data/*.json`, compiled in): the
//! "Mexico Mid-Term Report 2016-2018" (2016–2019 era) and the "Ghana Action Plan Review
//! 2021-2023" (2021+ products), loaded through the same validation and queries as the API, in
//! one transaction.

use crate::body::FromFields;
use crate::db::keyed::Keyed;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::flow::store_new;
use crate::resources::action_plans::model::{ActionPlan, NewActionPlan};
use crate::resources::commitments::model::{Commitment, NewCommitment};
use crate::resources::countries::model::{Country, NewCountry};
use crate::resources::irm_findings::model::{IrmFinding, NewIrmFinding};
use crate::resources::milestones::model::{Milestone, NewMilestone};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Name of the database the embedded cluster serves.
pub const EMBEDDED_DATABASE: &str = "ogp";

/// The demo data file of the 2016–2019 era, as shipped in the repository.
pub const DEMO_JSON: &str = include_str!("../data/mexico-2016-2018-mid-term.json");

/// Every demo data file, one IRM report each, in loading order.
pub const DEMO_FILES: &[&str] = &[
    DEMO_JSON,
    include_str!("../data/ghana-2021-2023-action-plan-review.json"),
];

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Creates `name` on the server behind `admin_url` unless it exists.
pub async fn ensure_database(admin_url: &str, name: &str) -> Result<(), BoxError> {
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

fn records<'a>(demo: &'a Value, key: &str) -> impl Iterator<Item = Map<String, Value>> + 'a {
    demo.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_object().cloned())
}

/// Replaces the demo file's `<x>_ref` link with the id the referenced record got.
fn resolve_ref(
    body: &mut Map<String, Value>,
    ref_key: &str,
    id_key: &str,
    ids: &HashMap<String, i64>,
) -> Result<(), ApiError> {
    if let Some(reference) = body.remove(ref_key) {
        let reference = reference.as_str().unwrap_or_default();
        let id = ids.get(reference).ok_or_else(|| {
            ApiError::invalid_field(
                ref_key,
                format!("demo data names unknown record `{reference}`"),
            )
        })?;
        body.insert(id_key.to_string(), Value::from(*id));
    }
    Ok(())
}

/// Loads every record of the demo file through the API's own validation; returns how many.
async fn load(conn: &mut AsyncPgConnection, demo: &Value) -> Result<usize, ApiError> {
    let mut ids = HashMap::new();
    let mut created = 0;
    for body in records(demo, "countries") {
        store_new::<Country>(conn, NewCountry::from_create(body)?).await?;
        created += 1;
    }
    for mut body in records(demo, "action_plans") {
        let reference = body.remove("ref");
        let plan = store_new::<ActionPlan>(conn, NewActionPlan::from_create(body)?).await?;
        if let Some(Value::String(reference)) = reference {
            ids.insert(reference, plan.id);
        }
        created += 1;
    }
    for mut body in records(demo, "commitments") {
        let reference = body.remove("ref");
        resolve_ref(&mut body, "action_plan_ref", "action_plan_id", &ids)?;
        let commitment = store_new::<Commitment>(conn, NewCommitment::from_create(body)?).await?;
        if let Some(Value::String(reference)) = reference {
            ids.insert(reference, commitment.id);
        }
        created += 1;
    }
    for mut body in records(demo, "milestones") {
        resolve_ref(&mut body, "commitment_ref", "commitment_id", &ids)?;
        store_new::<Milestone>(conn, NewMilestone::from_create(body)?).await?;
        created += 1;
    }
    for mut body in records(demo, "irm_findings") {
        resolve_ref(&mut body, "action_plan_ref", "action_plan_id", &ids)?;
        resolve_ref(&mut body, "commitment_ref", "commitment_id", &ids)?;
        store_new::<IrmFinding>(conn, NewIrmFinding::from_create(body)?).await?;
        created += 1;
    }
    Ok(created)
}

/// Loads the demo data in one transaction: each file whose country is not there yet. Returns
/// what it did.
pub async fn load_demo(pool: &DbPool) -> Result<String, BoxError> {
    let files = DEMO_FILES
        .iter()
        .map(|text| serde_json::from_str::<Value>(text))
        .collect::<Result<Vec<_>, _>>()?;
    let mut conn = db::conn(pool).await.map_err(|e| e.to_string())?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            db::set_actor(conn, "seed").await?;
            let mut created = 0;
            let mut present = Vec::new();
            for demo in &files {
                let country = records(demo, "countries")
                    .next()
                    .and_then(|c| c.get("code").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_default();
                if Country::exists(conn, &country).await? {
                    present.push(country);
                } else {
                    created += load(conn, demo).await?;
                }
            }
            Ok(if created == 0 {
                format!(
                    "demo data already present (countries {})",
                    present.join(", ")
                )
            } else {
                format!("demo data loaded: {created} records")
            })
        })
        .await;
    outcome.map_err(|e| e.to_string().into())
}

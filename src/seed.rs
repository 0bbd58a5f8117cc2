//! The demo data: IRM report pages as bundles (`data/*.bundle.json`, compiled in, their sources
//! in `data/README.md`): the "Mexico Mid-Term Report 2016-2018" (2016–2019 era), the "Ghana
//! Action Plan Review 2021-2023" (2021+ products) and the "Sekondi-Takoradi Final Report 2017"
//! (an OGP Local member's pilot plan), loaded through the bundle import
//! (`bundle::apply`) in one transaction: the API's own validation, and an upsert by natural key,
//! so loading them again changes nothing.

use crate::bundle::apply::{apply, ImportOptions, NoProgress};
use crate::bundle::format::COLLECTIONS;
use crate::bundle::source::Source;
use crate::bundle::upsert::ImportOutcome;
use crate::db::{self, DbPool};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};

/// Name of the database the embedded cluster serves.
pub const EMBEDDED_DATABASE: &str = "ogp";

/// The demo bundle of the 2016–2019 era, as shipped in the repository.
pub const DEMO_JSON: &str = include_str!("../data/mexico-2016-2018-mid-term.bundle.json");

/// Every demo bundle, one IRM report each, in loading order.
pub const DEMO_FILES: &[&str] = &[
    DEMO_JSON,
    include_str!("../data/ghana-2021-2023-action-plan-review.bundle.json"),
    // After Ghana's: its local member belongs to the country that file holds.
    include_str!("../data/sekondi-takoradi-2017-final-report.bundle.json"),
];

/// The actor the change feed records for the demo data.
const SEED_ACTOR: &str = "seed";

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

/// The demo bundles as one: each collection the concatenation of theirs, in file order (so one
/// import, one transaction, and parents always before their children).
fn demo_bundle() -> Result<Value, BoxError> {
    let mut merged = Map::new();
    for text in DEMO_FILES {
        let Value::Object(bundle) = serde_json::from_str::<Value>(text)? else {
            return Err("a demo data file is not a JSON object".into());
        };
        for (key, value) in bundle {
            match (merged.get_mut(&key), value) {
                (Some(Value::Array(records)), Value::Array(more))
                    if COLLECTIONS.contains(&key.as_str()) =>
                {
                    records.extend(more)
                }
                (_, value) => {
                    merged.insert(key, value);
                }
            }
        }
    }
    Ok(Value::Object(merged))
}

/// What a seed did, in one line.
fn report(outcome: &ImportOutcome) -> String {
    let all = [
        outcome.countries,
        outcome.local_members,
        outcome.action_plans,
        outcome.commitments,
        outcome.milestones,
        outcome.irm_findings,
    ];
    let created: u64 = all.iter().map(|c| c.created).sum();
    let updated: u64 = all.iter().map(|c| c.updated).sum();
    let unchanged: u64 = all.iter().map(|c| c.unchanged).sum();
    match (created, updated) {
        (0, 0) => format!("demo data already present ({unchanged} records unchanged)"),
        (created, 0) if unchanged == 0 => format!("demo data loaded: {created} records"),
        _ => format!(
            "demo data loaded: {created} records created, {updated} updated (back to the demo \
             version), {unchanged} unchanged"
        ),
    }
}

/// Loads the demo data in one transaction, upserting each record by its natural key. Returns
/// what it did.
pub async fn load_demo(pool: &DbPool) -> Result<String, BoxError> {
    let bundle = serde_json::to_vec(&demo_bundle()?)?;
    let mut conn = db::conn(pool).await.map_err(|e| e.to_string())?;
    let outcome = apply(
        &mut conn,
        SEED_ACTOR,
        Source::Memory(bundle.into()),
        ImportOptions::default(),
        std::sync::Arc::new(NoProgress),
    )
    .await
    .map_err(|e| {
        let mut message = e.to_string();
        for field in &e.errors {
            message.push_str(&format!(
                "\n  {}{}: {}",
                field.pointer.as_deref().unwrap_or(""),
                if field.field.is_empty() { "" } else { "/" },
                field.message
            ));
        }
        message
    })?;
    Ok(report(&outcome))
}

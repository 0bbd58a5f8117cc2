//! CSV import, one resource at a time: the columns the CSV export of that collection writes,
//! read back, for people who edit the corpus in spreadsheets (export CSV → edit → import).
//!
//! Each data row becomes a bundle record (`columns.rs` says what each column is, `rows.rs`
//! reads the cells, `records.rs` builds the records, `parents.rs` looks parent ids up) and the records go through
//! the bundle import itself (`bundle::apply`: the same validation, upsert, dry run and change
//! feed), inside one transaction that also runs the CSV's prune (`prune.rs`). Every error is
//! placed back on the CSV: `row 14, column title` (`report.rs`), the header being row 1.
//!
//! Columns: a record's writable fields, as the create body names them, each required in the
//! header (an empty cell is `null`); its parents by natural key (`country_code`,
//! `local_member_slug`, `plan_number`, `commitment_number`; without a `local_member_slug`
//! column, or with an empty cell, the plan named is a national one) or by the id the export
//! writes (`action_plan_id`, `commitment_id`), or both when they agree; and the read-only columns the export writes (`id`, `version`,
//! `created_at`, `updated_at`, the verdicts' `*_basis`), accepted and ignored. A verdict cell
//! whose `*_basis` cell is `derived` or `not_applicable` is the server's derivation and is
//! ignored too (the server derives it again); to publish a verdict, set its basis to
//! `published` (or leave the basis empty). Any other column is a 422 naming it.

pub mod cli;
pub mod columns;
pub mod parents;
pub mod prune;
pub mod records;
pub mod report;
pub mod rows;

use self::columns::{Columns, Role};
use self::parents::ById;
use self::records::{build, check_header, parent_id};
use self::report::Placed;
use super::apply::{apply, ImportOptions, ImportProgress};
use super::source::Source;
use super::upsert::ImportOutcome;
use crate::error::ApiError;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A collection a CSV can be imported into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `countries`.
    Countries,
    /// `local-members`.
    LocalMembers,
    /// `action-plans`.
    ActionPlans,
    /// `commitments`.
    Commitments,
    /// `milestones`.
    Milestones,
    /// `irm-findings`.
    IrmFindings,
}

impl Resource {
    /// Every one, parents first.
    pub const ALL: [Resource; 6] = [
        Resource::Countries,
        Resource::LocalMembers,
        Resource::ActionPlans,
        Resource::Commitments,
        Resource::Milestones,
        Resource::IrmFindings,
    ];

    /// Its name in the URLs (`action-plans`), the value of `?resource=` and `--resource`.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Countries => "countries",
            Resource::LocalMembers => "local-members",
            Resource::ActionPlans => "action-plans",
            Resource::Commitments => "commitments",
            Resource::Milestones => "milestones",
            Resource::IrmFindings => "irm-findings",
        }
    }

    /// Its collection in a bundle (`action_plans`).
    pub fn collection(self) -> &'static str {
        match self {
            Resource::Countries => "countries",
            Resource::LocalMembers => "local_members",
            Resource::ActionPlans => "action_plans",
            Resource::Commitments => "commitments",
            Resource::Milestones => "milestones",
            Resource::IrmFindings => "irm_findings",
        }
    }

    /// The resource named `name` (its URL name); a 400 listing the names otherwise.
    pub fn parse(name: &str) -> Result<Self, ApiError> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "`resource` must be one of {}; got `{name}`",
                    Self::names()
                ))
            })
    }

    /// The names, for messages.
    pub fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }
}

/// Why the import's transaction ended without committing.
enum Abort {
    Failed(ApiError),
    /// A dry run: everything was checked and counted, and is rolled back.
    DryRun(ImportOutcome),
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Abort::Failed(error.into())
    }
}

impl From<ApiError> for Abort {
    fn from(error: ApiError) -> Self {
        Abort::Failed(error)
    }
}

/// Imports `text`, a CSV of `resource`, as `actor`: all or nothing, like a bundle.
pub async fn import(
    conn: &mut AsyncPgConnection,
    actor: &str,
    resource: Resource,
    text: &[u8],
    options: ImportOptions,
    progress: Arc<dyn ImportProgress>,
) -> Result<ImportOutcome, ApiError> {
    let table = rows::parse(text)?;
    let columns = Columns::of(resource);
    check_header(resource, &columns, &table.header)?;
    let mut plan_ids = Vec::new();
    let mut commitment_ids = Vec::new();
    for (i, name) in table.header.iter().enumerate() {
        let ids = match name.as_str() {
            _ if columns.role(name) != Some(Role::ParentId) => continue,
            "action_plan_id" => &mut plan_ids,
            _ => &mut commitment_ids,
        };
        ids.extend(table.rows.iter().filter_map(|(_, c)| parent_id(&c[i]).ok()));
    }
    let header = table.header.clone();
    let outcome = conn
        .transaction::<_, Abort, _>(async move |conn| {
            let by_id = ById::load(conn, plan_ids, commitment_ids).await?;
            let built = build(resource, &columns, table, &by_id);
            let scope = prune::Scope::of(resource, &built.records);
            let mut bundle = Map::new();
            bundle.insert("format".into(), Value::from(super::format::FORMAT));
            bundle.insert("version".into(), Value::from(super::format::VERSION));
            bundle.insert(resource.collection().into(), Value::Array(built.records));
            // The bundle import, in a savepoint of this transaction: committed with it, or
            // rolled back with it (a dry run, a bad row, a failed prune).
            let plain = ImportOptions {
                dry_run: false,
                prune: false,
            };
            let placed = Placed {
                columns: &columns,
                header: &header,
                rows: &built.rows,
            };
            let mut report = built.report;
            let outcome = match apply(conn, actor, bundle_source(bundle)?, plain, progress).await {
                Ok(outcome) => Some(outcome),
                Err(error) => {
                    report.absorb(error, &placed)?;
                    None
                }
            };
            report.into_result()?;
            let Some(mut outcome) = outcome else {
                return Err(Abort::Failed(ApiError::internal(
                    "a failed CSV import reported no error",
                )));
            };
            if options.prune {
                prune::prune(conn, resource, &scope, &mut outcome).await?;
            }
            if options.dry_run {
                outcome.dry_run = true;
                return Err(Abort::DryRun(outcome));
            }
            Ok(outcome)
        })
        .await;
    match outcome {
        Ok(outcome) => Ok(outcome),
        Err(Abort::DryRun(outcome)) => Ok(outcome),
        Err(Abort::Failed(error)) => Err(error),
    }
}

/// The bundle the rows became, as the text `apply` reads (a CSV is small enough to hold).
fn bundle_source(bundle: Map<String, Value>) -> Result<Source, ApiError> {
    let text = serde_json::to_vec(&Value::Object(bundle))
        .map_err(|e| ApiError::internal(format!("cannot write the CSV's bundle: {e}")))?;
    Ok(Source::Memory(text.into()))
}

//! CSV import, one resource at a time: the columns the CSV export of that collection writes,
//! read back, for people who edit the corpus in spreadsheets (export CSV → edit → import).
//!
//! Each data row becomes a bundle record (`columns.rs` says what each column is, `rows.rs`
//! reads the cells, `parents.rs` turns parent ids into natural keys) and the records go through
//! the bundle import itself (`bundle::apply`: the same validation, upsert, dry run and change
//! feed), inside one transaction that also runs the CSV's prune (`prune.rs`). Every error is
//! placed back on the CSV: `row 14, column title` (`report.rs`), the header being row 1.
//!
//! Columns: a record's writable fields, as the create body names them, each required in the
//! header (an empty cell is `null`); its parents by natural key (`country_code`, `plan_number`,
//! `commitment_number`) or by the id the export writes (`action_plan_id`, `commitment_id`), or
//! both when they agree; and the read-only columns the export writes (`id`, `version`,
//! `created_at`, `updated_at`, the verdicts' `*_basis`), accepted and ignored. A verdict cell
//! whose `*_basis` cell is `derived` or `not_applicable` is the server's derivation and is
//! ignored too (the server derives it again); to publish a verdict, set its basis to
//! `published` (or leave the basis empty). Any other column is a 422 naming it.

pub mod cli;
pub mod columns;
pub mod parents;
pub mod prune;
pub mod report;
pub mod rows;

use self::columns::{Columns, Role, VERDICTS};
use self::parents::ById;
use self::report::{Placed, Report};
use self::rows::Table;
use super::apply::{apply, ImportOptions, ImportProgress};
use super::upsert::ImportOutcome;
use crate::error::ApiError;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A collection a CSV can be imported into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Countries,
    ActionPlans,
    Commitments,
    Milestones,
    IrmFindings,
}

impl Resource {
    /// Every one, parents first.
    pub const ALL: [Resource; 5] = [
        Resource::Countries,
        Resource::ActionPlans,
        Resource::Commitments,
        Resource::Milestones,
        Resource::IrmFindings,
    ];

    /// Its name in the URLs (`action-plans`), the value of `?resource=` and `--resource`.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Countries => "countries",
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

/// The header's columns, checked: every column known, none twice, none missing.
fn check_header(resource: Resource, columns: &Columns, header: &[String]) -> Result<(), ApiError> {
    let mut report = Report::new(resource);
    let mut seen = HashSet::new();
    for name in header {
        if !seen.insert(name.as_str()) {
            report.cell(1, name, "this column is given twice in the header");
        } else if columns.role(name).is_none() {
            report.cell(
                1,
                name,
                format!(
                    "is not a column of a {} CSV (read-only columns, accepted and ignored: {})",
                    resource.name(),
                    columns.read_only().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    for (name, role) in &columns.roles {
        let present = seen.contains(name.as_str());
        match role {
            Role::Field(_) if !present => report.cell(
                1,
                name,
                "the header lacks this column: every writable column is required (an empty \
                 cell is null), so that a missing column never empties a field unseen",
            ),
            Role::Key(_) if !present => {
                let id = columns.id_for(name).unwrap_or_default();
                if !seen.contains(id) {
                    report.cell(
                        1,
                        name,
                        format!("the header lacks this column (or `{id}`, the parent's id)"),
                    );
                }
            }
            _ => {}
        }
    }
    report.into_result()
}

/// The CSV's rows as bundle records, with the row of each and the rows' own errors.
struct Built {
    records: Vec<Value>,
    rows: Vec<usize>,
    report: Report,
}

/// The positive id in `cell`, or why not.
fn parent_id(cell: &str) -> Result<i64, &'static str> {
    cell.parse::<i64>()
        .ok()
        .filter(|id| *id >= 1)
        .ok_or("must be a positive id")
}

/// Sets the natural-key fields `implied` (a parent's key, from its id) in `record`, unless the
/// row's own cells say otherwise: then the fields that disagree, as an error message.
fn imply(record: &mut Map<String, Value>, implied: Vec<(&str, Value)>) -> Result<(), String> {
    let disagree: Vec<String> = implied
        .iter()
        .filter_map(|(key, value)| match record.get(*key) {
            Some(given) if !given.is_null() && given != value => {
                Some(format!("{key} {value}, where the row says {given}"))
            }
            _ => None,
        })
        .collect();
    if !disagree.is_empty() {
        return Err(format!(
            "names a parent of another natural key ({})",
            disagree.join("; ")
        ));
    }
    for (key, value) in implied {
        record.insert(key.to_string(), value);
    }
    Ok(())
}

fn build(resource: Resource, columns: &Columns, table: Table, by_id: &ById) -> Built {
    let roles: Vec<Option<Role>> = table.header.iter().map(|n| columns.role(n)).collect();
    let mut built = Built {
        records: Vec::with_capacity(table.rows.len()),
        rows: Vec::with_capacity(table.rows.len()),
        report: Report::new(resource),
    };
    for (row, cells) in table.rows {
        let mut record = Map::new();
        let mut ids = Vec::new();
        for ((name, role), cell) in table.header.iter().zip(&roles).zip(&cells) {
            match role {
                Some(Role::Field(field) | Role::Key(field)) => {
                    record.insert(name.clone(), rows::value(cell, *field));
                }
                Some(Role::ParentId) if !cell.is_empty() => ids.push((name.as_str(), cell)),
                _ => {}
            }
        }
        // A verdict the server derived is not the row's to publish.
        for (verdict, basis) in VERDICTS {
            let Some(i) = table.header.iter().position(|n| n == basis) else {
                continue;
            };
            if matches!(cells[i].as_str(), "derived" | "not_applicable") {
                record.insert(verdict.to_string(), Value::Null);
            }
        }
        let mut ok = true;
        for (column, cell) in ids {
            let implied: Vec<(&str, Value)> = match parent_id(cell) {
                Err(message) => {
                    built.report.cell(row, column, message);
                    ok = false;
                    continue;
                }
                Ok(id) if column == "action_plan_id" => match by_id.plans.get(&id) {
                    Some((code, number)) => vec![
                        ("country_code", Value::from(code.as_str())),
                        ("plan_number", Value::from(*number)),
                    ],
                    None => {
                        built.report.cell(row, column, "no action plan has this id");
                        ok = false;
                        continue;
                    }
                },
                Ok(id) => match by_id.commitments.get(&id) {
                    Some((code, plan, number)) => vec![
                        ("country_code", Value::from(code.as_str())),
                        ("plan_number", Value::from(*plan)),
                        ("commitment_number", Value::from(*number)),
                    ],
                    None => {
                        built.report.cell(row, column, "no commitment has this id");
                        ok = false;
                        continue;
                    }
                },
            };
            if let Err(message) = imply(&mut record, implied) {
                built.report.cell(row, column, message);
                ok = false;
            }
        }
        if ok {
            built.records.push(Value::Object(record));
            built.rows.push(row);
        }
    }
    built
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
    progress: &dyn ImportProgress,
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
            let outcome = match apply(conn, actor, Value::Object(bundle), plain, progress).await {
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

//! The CSV's rows as bundle records: the header checked against the resource's columns,
//! each cell decoded, each parent named by id replaced by its natural key, and the verdicts
//! the server derived left for it to derive again.

use super::columns::{Columns, Role, VERDICTS};
use super::parents::ById;
use super::report::Report;
use super::rows::{self, Table};
use super::Resource;
use crate::error::ApiError;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The header's columns, checked: every column known, none twice, none missing.
pub fn check_header(
    resource: Resource,
    columns: &Columns,
    header: &[String],
) -> Result<(), ApiError> {
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
            // A missing `local_member_slug` names national plans, as in a bundle (and as every
            // CSV written before OGP Local members did).
            Role::Key(_) if !present && name != "local_member_slug" => {
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
pub struct Built {
    /// The records, in row order; a row whose parent id could not be resolved is left out.
    pub records: Vec<Value>,
    /// The row of each record.
    pub rows: Vec<usize>,
    /// The rows' own problems (their parent ids).
    pub report: Report,
}

/// The positive id in `cell`, or why not.
pub fn parent_id(cell: &str) -> Result<i64, &'static str> {
    cell.parse::<i64>()
        .ok()
        .filter(|id| *id >= 1)
        .ok_or("must be a positive id")
}

/// Sets the natural-key fields `implied` (a parent's key, from its id) in `record`, unless the
/// row's own cells say otherwise: then the fields that disagree, as an error message.
/// The natural keys a plan id stands for. The member is always named, `null` for a national
/// plan, so that a row naming a member next to a national plan's id is a disagreement, not a
/// silently different plan.
fn plan_keys(code: &str, member: &Option<String>, number: i32) -> Vec<(&'static str, Value)> {
    vec![
        ("country_code", Value::from(code)),
        ("local_member_slug", Value::from(member.clone())),
        ("plan_number", Value::from(number)),
    ]
}

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

pub fn build(resource: Resource, columns: &Columns, table: Table, by_id: &ById) -> Built {
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
                    Some((code, member, number)) => plan_keys(code, member, *number),
                    None => {
                        built.report.cell(row, column, "no action plan has this id");
                        ok = false;
                        continue;
                    }
                },
                Ok(id) => match by_id.commitments.get(&id) {
                    Some((code, member, plan, number)) => {
                        let mut keys = plan_keys(code, member, *plan);
                        keys.push(("commitment_number", Value::from(*number)));
                        keys
                    }
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

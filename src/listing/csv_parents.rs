//! CSV exports with parents (`format=csv&include=action_plan.country`): each row's own columns,
//! then each embedded parent's, named by its path (`action_plan.title`,
//! `action_plan.country.name`). A parent the row names none of leaves its cells empty.

use super::csv_row::RowCells;
use super::include::{Source, Sources, MAX_DEPTH};
use super::spec::ListSpec;
use crate::error::ApiError;
use serde_json::{Map, Value};

/// The parents embedded under one list: `(name, their own list, the paths below them)`.
type Level = Vec<(&'static str, &'static Source, Vec<&'static str>)>;

/// The requested parents of `spec`, in declaration order, with their deeper paths.
fn level(
    sources: Sources,
    spec: &'static ListSpec,
    paths: &[&'static str],
) -> Result<Level, ApiError> {
    let mut out = Vec::new();
    for parent in spec.parents {
        let mut asked = false;
        let mut deeper = Vec::new();
        for path in paths {
            match path.split_once('.') {
                None if *path == parent.name => asked = true,
                Some((head, rest)) if head == parent.name => {
                    asked = true;
                    deeper.push(rest);
                }
                _ => {}
            }
        }
        if asked {
            out.push((parent.name, sources.source(parent.collection)?, deeper));
        }
    }
    Ok(out)
}

/// Encoded bytes kept before they are moved to the caller's buffer.
const DRAIN_BYTES: usize = 8 * 1024;

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(DRAIN_BYTES * 2))
}

/// Writes the CSV rows of a list with parents.
pub struct ParentRows {
    sources: Sources,
    spec: &'static ListSpec,
    includes: Vec<&'static str>,
    cells: RowCells,
    csv: csv::Writer<Vec<u8>>,
}

impl ParentRows {
    /// `columns` are the row's own (its type's schema); the parents' are added after them.
    pub fn new(
        sources: Sources,
        spec: &'static ListSpec,
        includes: &[&'static str],
        mut columns: Vec<String>,
    ) -> Result<Self, ApiError> {
        add_columns(sources, spec, includes, "", &mut columns, MAX_DEPTH)?;
        Ok(Self {
            sources,
            spec,
            includes: includes.to_vec(),
            cells: RowCells::new(columns),
            csv: writer(),
        })
    }

    /// Appends the header row to `out`.
    pub fn header(&mut self, out: &mut Vec<u8>) -> std::io::Result<()> {
        self.csv
            .write_record(self.cells.columns())
            .map_err(std::io::Error::other)?;
        self.finish(out)
    }

    /// Appends the row `row` (a JSON object with its parents embedded) to `out`.
    pub fn row(&mut self, row: Value, out: &mut Vec<u8>) -> std::io::Result<()> {
        let mut flat = Map::new();
        flatten(self.sources, self.spec, &self.includes, "", row, &mut flat)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let cells = self.cells.fill(&flat).map_err(std::io::Error::other)?;
        self.csv
            .write_record(cells)
            .map_err(std::io::Error::other)?;
        self.drain(out)
    }

    /// Moves the encoded rows to `out` once they are a few KiB (a writer per row, with its
    /// buffer, would cost more than the rows).
    fn drain(&mut self, out: &mut Vec<u8>) -> std::io::Result<()> {
        self.csv.flush()?;
        if self.csv.get_ref().len() >= DRAIN_BYTES {
            self.finish(out)?;
        }
        Ok(())
    }

    /// Moves every encoded row to `out`.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> std::io::Result<()> {
        let full = std::mem::replace(&mut self.csv, writer());
        out.extend(
            full.into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()))?,
        );
        Ok(())
    }
}

/// Adds the columns of the parents `paths` names, prefixed by their path.
fn add_columns(
    sources: Sources,
    spec: &'static ListSpec,
    paths: &[&'static str],
    prefix: &str,
    columns: &mut Vec<String>,
    depth: usize,
) -> Result<(), ApiError> {
    if depth == 0 {
        return Ok(());
    }
    for (name, source, deeper) in level(sources, spec, paths)? {
        let prefix = format!("{prefix}{name}.");
        columns.extend((source.columns)().iter().map(|c| format!("{prefix}{c}")));
        add_columns(sources, source.spec, &deeper, &prefix, columns, depth - 1)?;
    }
    Ok(())
}

/// Moves the fields of `row` into `flat`, the embedded parents' under their path.
fn flatten(
    sources: Sources,
    spec: &'static ListSpec,
    paths: &[&'static str],
    prefix: &str,
    row: Value,
    flat: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let Value::Object(mut fields) = row else {
        return Ok(());
    };
    for (name, source, deeper) in level(sources, spec, paths)? {
        if let Some(parent) = fields.remove(name) {
            let prefix = format!("{prefix}{name}.");
            flatten(sources, source.spec, &deeper, &prefix, parent, flat)?;
        }
    }
    flat.extend(fields.into_iter().map(|(k, v)| (format!("{prefix}{k}"), v)));
    Ok(())
}

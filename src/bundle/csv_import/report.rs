//! A CSV import's 422: every problem placed on the CSV as a spreadsheet shows it, `row 14,
//! column title` (the header is row 1), the bundle import's JSON pointers
//! (`/commitments/12/title`) turned back into the row and column they came from.

use super::columns::{Columns, Role};
use super::Resource;
use crate::error::{ApiError, FieldError, MAX_LISTED_ERRORS};
use actix_web::http::StatusCode;

/// Where each bundle record came from: its row, and the columns of the CSV.
pub struct Placed<'a> {
    /// The resource's columns.
    pub columns: &'a Columns,
    /// The CSV's header.
    pub header: &'a [String],
    /// The row of each record, by its index in the bundle's collection.
    pub rows: &'a [usize],
}

/// The problems found so far, each at its row.
pub struct Report {
    resource: Resource,
    errors: Vec<(usize, FieldError)>,
    /// Whether the bundle import left errors out of its list (more than it lists).
    truncated: bool,
}

impl Report {
    /// No problem yet, for a CSV of `resource`.
    pub fn new(resource: Resource) -> Self {
        Self {
            resource,
            errors: Vec::new(),
            truncated: false,
        }
    }

    /// A problem with the cell of `row` in `column`.
    pub fn cell(&mut self, row: usize, column: &str, message: impl std::fmt::Display) {
        let message = format!("row {row}, column {column}: {message}");
        self.errors.push((row, FieldError::new(column, message)));
    }

    /// Takes in the bundle import's error: a 422's entries placed on the CSV; any other error
    /// (a conflict while writing, a database failure) is handed back, its pointers rewritten.
    pub fn absorb(&mut self, mut error: ApiError, placed: &Placed) -> Result<(), ApiError> {
        let collection = self.resource.collection();
        if error.status != StatusCode::UNPROCESSABLE_ENTITY || error.errors.is_empty() {
            error.detail = rewrite(&error.detail, collection, placed.rows);
            return Err(error);
        }
        self.truncated |= error.errors.len() >= MAX_LISTED_ERRORS;
        for field in error.errors {
            let message = rewrite(&field.message, collection, placed.rows);
            let pointer = field.pointer.as_deref().unwrap_or_default();
            match locate(pointer, collection, placed) {
                Some((row, column)) if column.is_empty() => {
                    let message = format!("row {row}: {message}");
                    self.errors.push((row, FieldError::new("", message)));
                }
                Some((row, column)) => self.cell(row, &column, message),
                // Not under a record (the builder makes none such): kept as it is.
                None => self.errors.push((0, FieldError { message, ..field })),
            }
        }
        Ok(())
    }

    /// `Ok` when there is no problem, else the 422 listing them, by row.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let mut errors = self.errors;
        errors.sort_by_key(|(row, _)| *row);
        let mut error = ApiError::validation(errors.into_iter().map(|(_, e)| e).collect());
        if self.truncated {
            error.detail.push_str(
                " (the import stopped listing after the first hundred; more rows may be invalid)",
            );
        }
        Err(error)
    }
}

/// The row and column of `pointer` (`/commitments/12/title`); the column is empty for a
/// problem of the whole record. A natural-key field the CSV gave by id is placed on the id's
/// column.
fn locate(pointer: &str, collection: &str, placed: &Placed) -> Option<(usize, String)> {
    let rest = pointer.strip_prefix('/')?.strip_prefix(collection)?;
    let rest = rest.strip_prefix('/')?;
    let (index, field) = rest.split_once('/').unwrap_or((rest, ""));
    let row = *placed.rows.get(index.parse::<usize>().ok()?)?;
    let column = field.split('/').next().unwrap_or_default();
    let column = column.replace("~1", "/").replace("~0", "~");
    let column = match placed.columns.role(&column) {
        Some(Role::Key(_)) if !placed.header.contains(&column) => placed
            .columns
            .id_for(&column)
            .map_or(column.clone(), str::to_string),
        _ => column,
    };
    Some((row, column))
}

/// `text` with each pointer to a record (`/commitments/3`) replaced by its row (`row 5`).
fn rewrite(text: &str, collection: &str, rows: &[usize]) -> String {
    let needle = format!("/{collection}/");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|i| rows.get(i))
        {
            Some(row) => {
                out.push_str(&format!("row {row}"));
                rest = &after[digits..];
            }
            None => {
                out.push_str(&needle);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_rows() {
        assert_eq!(
            rewrite(
                "given twice (first at /commitments/1)",
                "commitments",
                &[2, 5]
            ),
            "given twice (first at row 5)"
        );
        assert_eq!(
            rewrite("/milestones/9", "milestones", &[2]),
            "/milestones/9"
        );
        let columns = Columns::of(Resource::Commitments);
        let header = vec!["action_plan_id".to_string(), "title".to_string()];
        let placed = Placed {
            columns: &columns,
            header: &header,
            rows: &[2, 4, 7],
        };
        assert_eq!(
            locate("/commitments/2/title", "commitments", &placed),
            Some((7, "title".to_string()))
        );
        assert_eq!(
            locate("/commitments/0", "commitments", &placed),
            Some((2, String::new()))
        );
        assert_eq!(
            locate("/commitments/1/plan_number", "commitments", &placed),
            Some((4, "action_plan_id".to_string()))
        );
        assert_eq!(locate("/countries/0/code", "commitments", &placed), None);
    }
}

//! A CSV body read into a header and rows, each row with its number as a spreadsheet shows it
//! (the header is row 1), and each cell turned into the JSON value the CSV export wrote it
//! from. Malformed CSV (invalid UTF-8, rows of another length than the header, a quote never
//! closed) is a 400 naming the row; a UTF-8 byte-order mark is skipped.

use super::columns::{FieldType, Kind};
use crate::error::ApiError;
use serde_json::Value;

/// The separator of a list's items in one cell, as the export joins them.
pub const LIST_SEPARATOR: char = ';';

/// A parsed CSV.
#[derive(Debug)]
pub struct Table {
    /// The column names of the first row.
    pub header: Vec<String>,
    /// Each data row: its number (the header is row 1) and its cells, as many as the header's.
    /// Rows whose every cell is empty (spreadsheets leave them) are not kept.
    pub rows: Vec<(usize, Vec<String>)>,
}

const UNCLOSED: &str = "a quote (\") is not closed, or stands alone inside an unquoted cell";

fn quotes(text: &[u8]) -> usize {
    text.iter().filter(|b| **b == b'"').count()
}

fn malformed(row: usize, what: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("the CSV is malformed at row {row}: {what}"))
}

/// Reads `text` (RFC 4180: comma-separated, `"`-quoted, CRLF or LF line ends).
pub fn parse(text: &[u8]) -> Result<Table, ApiError> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text);
    let mut records = Vec::new();
    let mut starts = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let row = records.len() + 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                return Err(match error.kind() {
                    // A quote left open swallows the rest of the text into one cell: say so
                    // rather than count the cells.
                    csv::ErrorKind::UnequalLengths { pos: Some(pos), .. }
                        if quotes(&text[pos.byte() as usize..]) % 2 == 1 =>
                    {
                        malformed(row, UNCLOSED)
                    }
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => malformed(
                        row,
                        format!("it has {len} cells where the header has {expected_len}"),
                    ),
                    _ => malformed(row, error),
                });
            }
        }
        starts.push(record.position().map_or(0, |p| p.byte() as usize));
        let mut cells = Vec::with_capacity(record.len());
        for (column, cell) in record.iter().enumerate() {
            let cell = std::str::from_utf8(cell)
                .map_err(|_| malformed(row, format!("cell {} is not valid UTF-8", column + 1)))?;
            cells.push(cell.to_string());
        }
        records.push(cells);
    }
    // The csv reader takes a quote that is never closed as running to the end of the text;
    // RFC 4180 doubles every quote inside a quoted cell, so each row's text holds an even
    // number of them: the row with an odd count is where a quote was left open.
    starts.push(text.len());
    for (i, span) in starts.windows(2).enumerate() {
        if quotes(&text[span[0]..span[1]]) % 2 == 1 {
            return Err(malformed(i + 1, UNCLOSED));
        }
    }
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Err(ApiError::bad_request(
            "the CSV is empty: its first row must be the header (the column names)",
        ));
    };
    let rows = records
        .enumerate()
        .map(|(i, cells)| (i + 2, cells))
        .filter(|(_, cells)| cells.iter().any(|cell| !cell.is_empty()))
        .collect();
    Ok(Table { header, rows })
}

/// The JSON value of `cell`, a field of type `field`: the inverse of the export's cells
/// (`listing::csv_row`). Text that is not of the field's type is passed on as a string, so
/// the resource's own validation names the problem as it does for a JSON body.
pub fn value(cell: &str, field: FieldType) -> Value {
    if cell.is_empty() {
        return if field.kind == Kind::List && !field.nullable {
            Value::Array(Vec::new())
        } else {
            Value::Null
        };
    }
    match field.kind {
        Kind::Text => Value::from(cell),
        Kind::Integer => cell
            .parse::<i64>()
            .map_or_else(|_| Value::from(cell), Value::from),
        Kind::Boolean if cell.eq_ignore_ascii_case("true") => Value::Bool(true),
        Kind::Boolean if cell.eq_ignore_ascii_case("false") => Value::Bool(false),
        Kind::Boolean => Value::from(cell),
        // `[]`: the empty list where an empty cell would be `null`.
        Kind::List if cell == "[]" => Value::Array(Vec::new()),
        Kind::List => Value::Array(cell.split(LIST_SEPARATOR).map(Value::from).collect()),
        Kind::Json => serde_json::from_str(cell).unwrap_or_else(|_| Value::from(cell)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(error: ApiError) -> String {
        error.detail
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let table =
            parse(b"\xEF\xBB\xBFa,b\r\n1,\"x\r\ny\"\r\n,\r\n3,\"q \"\"z\"\"\"\r\n").unwrap();
        assert_eq!(table.header, ["a", "b"]);
        assert_eq!(
            table.rows,
            [
                (2, vec!["1".to_string(), "x\r\ny".to_string()]),
                (4, vec!["3".to_string(), "q \"z\"".to_string()])
            ]
        );
    }

    #[test]
    fn malformed_csv_names_its_row() {
        let ragged = detail(parse(b"a,b\n1,2\n1,2,3\n").unwrap_err());
        assert!(ragged.contains("row 3"), "{ragged}");
        let open = detail(parse(b"a,b\n1,2\n3,\"four\n5,6\n").unwrap_err());
        assert!(open.contains("row 3") && open.contains("quote"), "{open}");
        let open = detail(parse(b"a,b\n1,2\n\"3,four\n5,6\n").unwrap_err());
        assert!(open.contains("row 3") && open.contains("quote"), "{open}");
        let utf8 = detail(parse(b"a,b\n1,2\n\xff,2\n").unwrap_err());
        assert!(utf8.contains("row 3") && utf8.contains("UTF-8"), "{utf8}");
        assert!(detail(parse(b"").unwrap_err()).contains("empty"));
    }

    #[test]
    fn cells_decode_as_the_export_encodes() {
        let field = |kind, nullable| FieldType { kind, nullable };
        assert_eq!(value("", field(Kind::Text, true)), Value::Null);
        assert_eq!(value("", field(Kind::List, false)), json!([]));
        assert_eq!(value("", field(Kind::List, true)), Value::Null);
        assert_eq!(value("[]", field(Kind::List, true)), json!([]));
        assert_eq!(value("a;b", field(Kind::List, false)), json!(["a", "b"]));
        assert_eq!(value("12", field(Kind::Integer, false)), json!(12));
        assert_eq!(value("x", field(Kind::Integer, false)), json!("x"));
        assert_eq!(value("TRUE", field(Kind::Boolean, true)), json!(true));
        assert_eq!(value("false", field(Kind::Boolean, true)), json!(false));
        assert_eq!(value(" a ", field(Kind::Text, true)), json!(" a "));
    }
}

//! CSV cells straight from a row's `Serialize` implementation: one cell per field, placed by the
//! header; `null` empty, arrays joined with `;`, anything nested (or a float) as its JSON text.
//! An empty list is an empty cell, except where the field may also be `null` (an IRM finding's
//! `relevance`: `[]` is "relevant to none", `null` "not rated"): there it is `[]`, so that the
//! CSV import (`bundle::csv_import`) reads back what was written.
//!
//! Why not `serde_json::to_value` and a lookup per column: that builds an ordered map with a
//! hashed key per field for every row, which was most of the CPU time of a CSV export (perf,
//! bench/README.md). Here the cells are reused from row to row.

use serde::ser::{self, Impossible, Serialize};
use std::fmt::{self, Display, Write};

/// Why a value could not be written as a cell.
#[derive(Debug)]
pub enum CellError {
    /// Not a scalar or a list of scalars: written as JSON text instead.
    NotScalar,
    /// A field the header does not name (the header comes from the same type's schema).
    UnknownField(String),
    /// The row is not a struct or a map.
    NotARecord,
    Custom(String),
}

impl Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellError::NotScalar => f.write_str("not a scalar"),
            CellError::UnknownField(name) => write!(f, "field `{name}` is not in the header"),
            CellError::NotARecord => f.write_str("a CSV row must be a struct or a map"),
            CellError::Custom(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CellError {}

impl ser::Error for CellError {
    fn custom<T: Display>(message: T) -> Self {
        CellError::Custom(message.to_string())
    }
}

/// The cells of one row, in header order, reused from row to row.
pub struct RowCells {
    columns: Vec<String>,
    cells: Vec<String>,
}

impl RowCells {
    pub fn new(columns: Vec<String>) -> Self {
        let cells = vec![String::new(); columns.len()];
        Self { columns, cells }
    }

    /// The header.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The cells of `row` (a struct or a map), in header order; missing fields are empty.
    pub fn fill<T: Serialize + ?Sized>(&mut self, row: &T) -> Result<&[String], CellError> {
        for cell in &mut self.cells {
            cell.clear();
        }
        row.serialize(RowSerializer {
            row: self,
            key: String::new(),
        })?;
        Ok(&self.cells)
    }

    fn put<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), CellError> {
        let index = self
            .columns
            .iter()
            .position(|column| column == name)
            .ok_or_else(|| CellError::UnknownField(name.to_string()))?;
        let cell = &mut self.cells[index];
        cell.clear();
        match value.serialize(CellSerializer::new(cell)) {
            Err(CellError::NotScalar) => {
                cell.clear();
                let json = serde_json::to_string(value).map_err(ser::Error::custom)?;
                cell.push_str(&json);
                Ok(())
            }
            other => other,
        }
    }
}

/// Serializes a record into its cells.
struct RowSerializer<'a> {
    row: &'a mut RowCells,
    key: String,
}

macro_rules! not_a_record {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, CellError> {
            Err(CellError::NotARecord)
        })*
    };
}

impl<'a> ser::Serializer for RowSerializer<'a> {
    type Ok = ();
    type Error = CellError;
    type SerializeSeq = Impossible<(), CellError>;
    type SerializeTuple = Impossible<(), CellError>;
    type SerializeTupleStruct = Impossible<(), CellError>;
    type SerializeTupleVariant = Impossible<(), CellError>;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), CellError>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, CellError> {
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, CellError> {
        Ok(self)
    }

    not_a_record! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), CellError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), CellError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), CellError> {
        Err(CellError::NotARecord)
    }
}

impl ser::SerializeStruct for RowSerializer<'_> {
    type Ok = ();
    type Error = CellError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), CellError> {
        self.row.put(name, value)
    }

    fn end(self) -> Result<(), CellError> {
        Ok(())
    }
}

impl ser::SerializeMap for RowSerializer<'_> {
    type Ok = ();
    type Error = CellError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), CellError> {
        self.key.clear();
        key.serialize(CellSerializer::new(&mut self.key))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CellError> {
        let key = std::mem::take(&mut self.key);
        let result = self.row.put(&key, value);
        self.key = key;
        result
    }

    fn end(self) -> Result<(), CellError> {
        Ok(())
    }
}

/// Serializes one value into a cell's text.
struct CellSerializer<'a> {
    out: &'a mut String,
    /// Inside an `Option`: an empty list is written `[]`, to tell it from `null`.
    optional: bool,
}

impl<'a> CellSerializer<'a> {
    fn new(out: &'a mut String) -> Self {
        Self {
            out,
            optional: false,
        }
    }

    fn display(self, value: impl Display) -> Result<(), CellError> {
        write!(self.out, "{value}").map_err(ser::Error::custom)
    }
}

macro_rules! displayed {
    ($($method:ident($ty:ty);)*) => {
        $(fn $method(self, value: $ty) -> Result<(), CellError> {
            self.display(value)
        })*
    };
}

macro_rules! not_scalar {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, CellError> {
            Err(CellError::NotScalar)
        })*
    };
}

impl<'a> ser::Serializer for CellSerializer<'a> {
    type Ok = ();
    type Error = CellError;
    type SerializeSeq = ListCell<'a>;
    type SerializeTuple = Impossible<(), CellError>;
    type SerializeTupleStruct = Impossible<(), CellError>;
    type SerializeTupleVariant = Impossible<(), CellError>;
    type SerializeMap = Impossible<(), CellError>;
    type SerializeStruct = Impossible<(), CellError>;
    type SerializeStructVariant = Impossible<(), CellError>;

    displayed! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_char(char);
    }

    // Floats: JSON's own formatting (serde_json), as in the JSON form of the row.
    not_scalar! {
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_str(self, value: &str) -> Result<(), CellError> {
        self.out.push_str(value);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), CellError> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), CellError> {
        value.serialize(CellSerializer {
            out: self.out,
            optional: true,
        })
    }

    fn serialize_unit(self) -> Result<(), CellError> {
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), CellError> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), CellError> {
        self.out.push_str(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), CellError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), CellError> {
        Err(CellError::NotScalar)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<ListCell<'a>, CellError> {
        Ok(ListCell {
            out: self.out,
            first: true,
            optional: self.optional,
        })
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), CellError> {
        self.display(value)
    }
}

/// A list in one cell: items joined with `;`.
struct ListCell<'a> {
    out: &'a mut String,
    first: bool,
    /// The list is a nullable field's value: empty, it is written `[]`.
    optional: bool,
}

impl ser::SerializeSeq for ListCell<'_> {
    type Ok = ();
    type Error = CellError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CellError> {
        if !self.first {
            self.out.push(';');
        }
        self.first = false;
        value.serialize(CellSerializer::new(self.out))
    }

    fn end(self) -> Result<(), CellError> {
        if self.first && self.optional {
            self.out.push_str("[]");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Value {
        AccessToInformation,
        CivicParticipation,
    }

    #[derive(Serialize)]
    struct Row {
        id: i64,
        title: String,
        note: Option<String>,
        values: Vec<Value>,
        day: chrono::NaiveDate,
        nested: serde_json::Value,
        ratio: f64,
    }

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn struct_fields_land_in_header_order() {
        let mut cells = RowCells::new(columns(&[
            "values", "id", "title", "note", "day", "nested", "ratio",
        ]));
        let row = Row {
            id: 7,
            title: "a, \"b\"".into(),
            note: None,
            values: vec![Value::AccessToInformation, Value::CivicParticipation],
            day: chrono::NaiveDate::from_ymd_opt(2017, 3, 1).unwrap(),
            nested: json!({"a": [1, 2]}),
            ratio: 0.5,
        };
        assert_eq!(
            cells.fill(&row).unwrap(),
            [
                "access_to_information;civic_participation",
                "7",
                "a, \"b\"",
                "",
                "2017-03-01",
                "{\"a\":[1,2]}",
                "0.5"
            ]
        );
        // Reused: a second row leaves nothing of the first behind.
        let row = Row {
            note: Some("n".into()),
            values: vec![],
            ..row
        };
        assert_eq!(cells.fill(&row).unwrap()[0], "");
        assert_eq!(cells.fill(&row).unwrap()[3], "n");
    }

    #[test]
    fn an_empty_nullable_list_is_told_from_null() {
        #[derive(Serialize)]
        struct Rated {
            relevance: Option<Vec<Value>>,
            values: Vec<Value>,
        }
        let mut cells = RowCells::new(columns(&["relevance", "values"]));
        let row = |relevance| Rated {
            relevance,
            values: vec![],
        };
        assert_eq!(cells.fill(&row(None)).unwrap(), ["", ""]);
        assert_eq!(cells.fill(&row(Some(vec![]))).unwrap(), ["[]", ""]);
        let one = row(Some(vec![Value::CivicParticipation]));
        assert_eq!(cells.fill(&one).unwrap(), ["civic_participation", ""]);
    }

    #[test]
    fn maps_work_and_unknown_fields_are_errors() {
        let mut cells = RowCells::new(columns(&["a", "b"]));
        assert_eq!(
            cells.fill(&json!({"b": true, "a": null})).unwrap(),
            ["", "true"]
        );
        assert!(matches!(
            cells.fill(&json!({"c": 1})),
            Err(CellError::UnknownField(name)) if name == "c"
        ));
        assert!(matches!(cells.fill(&3), Err(CellError::NotARecord)));
    }
}

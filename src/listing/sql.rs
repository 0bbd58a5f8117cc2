//! SQL text with positional binds, for the queries whose shape depends on the request (filters,
//! sorts, keyset conditions). Values are always bound, never spliced into the text.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, Bool, Date, Float4, Integer, Text, Timestamptz};

/// One bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Texts(Vec<String>),
    Ints(Vec<i32>),
    BigInts(Vec<i64>),
    Dates(Vec<NaiveDate>),
    Bools(Vec<bool>),
    Text(String),
    Int(i32),
    BigInt(i64),
    Date(NaiveDate),
    Bool(bool),
    Timestamp(DateTime<Utc>),
    Real(f32),
}

impl Bind {
    /// The single value of a one-element array bind. `col = $1` lets PostgreSQL walk a
    /// `(col, key)` index in key order, which `col = ANY($1)` does not.
    pub fn single(&self) -> Option<Bind> {
        Some(match self {
            Bind::Texts(v) if v.len() == 1 => Bind::Text(v[0].clone()),
            Bind::Ints(v) if v.len() == 1 => Bind::Int(v[0]),
            Bind::BigInts(v) if v.len() == 1 => Bind::BigInt(v[0]),
            Bind::Dates(v) if v.len() == 1 => Bind::Date(v[0]),
            Bind::Bools(v) if v.len() == 1 => Bind::Bool(v[0]),
            _ => return None,
        })
    }
}

/// SQL under construction: text plus the values its `$n` placeholders stand for.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            binds: Vec::new(),
        }
    }

    /// Appends raw SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Adds a value; returns its placeholder (`$n`).
    pub fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// The diesel query, binds applied in order.
    pub fn into_query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut query = diesel::sql_query(self.text).into_boxed::<Pg>();
        for bind in self.binds {
            query = match bind {
                Bind::Texts(v) => query.bind::<Array<Text>, _>(v),
                Bind::Ints(v) => query.bind::<Array<Integer>, _>(v),
                Bind::BigInts(v) => query.bind::<Array<BigInt>, _>(v),
                Bind::Dates(v) => query.bind::<Array<Date>, _>(v),
                Bind::Bools(v) => query.bind::<Array<Bool>, _>(v),
                Bind::Text(v) => query.bind::<Text, _>(v),
                Bind::Int(v) => query.bind::<Integer, _>(v),
                Bind::BigInt(v) => query.bind::<BigInt, _>(v),
                Bind::Date(v) => query.bind::<Date, _>(v),
                Bind::Bool(v) => query.bind::<Bool, _>(v),
                Bind::Timestamp(v) => query.bind::<Timestamptz, _>(v),
                Bind::Real(v) => query.bind::<Float4, _>(v),
            };
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_up() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        let first = sql.bind(Bind::Int(1));
        sql.push(&first).push(" AND b = ");
        let second = sql.bind(Bind::Text("x".into()));
        sql.push(&second);
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b = $2");
        assert_eq!(sql.binds.len(), 2);
    }
}

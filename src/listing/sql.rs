//! SQL text with positional binds, for the queries whose shape depends on the request (filters,
//! sorts, keyset conditions). Values are always bound, never spliced into the text.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Untyped;
use diesel::sql_types::{Array, BigInt, Bool, Date, Float4, Integer, Text, Timestamptz};
use diesel::QueryResult;

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
    /// Whether and among which texts it is kept prepared.
    caching: Caching,
}

/// Which texts a statement is kept prepared among.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Caching {
    /// Among the first [`CACHED_SHAPES`] texts of lists, exports and statistics.
    #[default]
    Shapes,
    /// Among the first [`CACHED_PROJECTIONS`] `fields=` texts (see [`Sql::projection`]).
    Projections,
    /// Never (see [`Sql::uncached`]).
    Never,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            binds: Vec::new(),
            caching: Caching::Shapes,
        }
    }

    /// Marks a statement whose text varies too much to keep prepared: it is planned every
    /// time and takes no place among the [`CACHED_SHAPES`]. `fields=` exports are so (one text
    /// per combination of fields, up to 2^39 of them on findings; an export's planning is
    /// nothing beside its run), so that they cannot crowd the common lists' statements out of
    /// the cache; `fields=` pages and items are kept among their own texts ([`Sql::projection`]).
    pub fn uncached(mut self) -> Self {
        self.caching = Caching::Never;
        self
    }

    /// Marks a `fields=` statement: kept prepared when its text is one of the first
    /// [`CACHED_PROJECTIONS`] projection texts seen, a set apart from the [`CACHED_SHAPES`], so
    /// that a client cycling through combinations of fields fills only that set (and its later
    /// combinations are planned every time, as all of them were before) while the common
    /// projections a dashboard repeats skip PostgreSQL's parse and plan.
    pub fn projection(mut self) -> Self {
        self.caching = Caching::Projections;
        self
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

    /// The statement, ready to run: binds applied in order, prepared and cached per connection
    /// when its text is one of the first [`CACHED_SHAPES`] texts seen (see [`Statement`]).
    pub fn into_query(self) -> Statement {
        let cached = match self.caching {
            Caching::Shapes => may_cache(&SHAPES, CACHED_SHAPES, &self.text),
            Caching::Projections => may_cache(&PROJECTIONS, CACHED_PROJECTIONS, &self.text),
            Caching::Never => false,
        };
        Statement {
            text: self.text,
            binds: self.binds,
            cached,
        }
    }
}

/// How many distinct statement texts are prepared and kept per connection. A text depends on
/// which filters and sort a request uses, never on their values (values are bound; lists are
/// one array bind), so common requests repeat a few texts. The cap bounds what a client
/// trying many combinations could make every PostgreSQL backend keep.
pub const CACHED_SHAPES: usize = 256;

/// How many distinct `fields=` statement texts are prepared and kept per connection, apart
/// from the [`CACHED_SHAPES`] (see [`Sql::projection`]).
pub const CACHED_PROJECTIONS: usize = 64;

/// A process-wide set of statement texts kept prepared.
type TextSet = std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<String>>>;

static SHAPES: TextSet = std::sync::LazyLock::new(Default::default);
static PROJECTIONS: TextSet = std::sync::LazyLock::new(Default::default);

/// Whether `text` is, or now becomes, one of the first `cap` texts of `set`.
fn may_cache(set: &TextSet, cap: usize, text: &str) -> bool {
    let mut shapes = set.lock().unwrap_or_else(|e| e.into_inner());
    if shapes.contains(text) {
        return true;
    }
    if shapes.len() < cap {
        shapes.insert(text.to_string());
        return true;
    }
    false
}

/// A statement built at run time. Unlike diesel's `sql_query` (never cached: every call parses
/// and plans again, and costs an extra round trip to describe the statement), it lets the
/// connection's statement cache keep it prepared, keyed by its text: with prepared statements
/// the list-of-a-plan query ran at 2.1× the rate of re-planning it every time (pgbench,
/// bench/README.md).
pub struct Statement {
    text: String,
    binds: Vec<Bind>,
    cached: bool,
}

impl QueryId for Statement {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Statement {
    type SqlType = Untyped;
}

impl QueryFragment<Pg> for Statement {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if !self.cached {
            out.unsafe_to_cache_prepared();
        }
        // diesel numbers placeholders itself as values are pushed: hand it the text between
        // our `$n`s and, at each, the value `$n` stands for (a repeated `$n` is bound twice).
        let mut rest = self.text.as_str();
        while let Some(at) = rest.find('$') {
            let digits = rest[at + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            if digits == 0 {
                out.push_sql(&rest[..=at]);
                rest = &rest[at + 1..];
                continue;
            }
            out.push_sql(&rest[..at]);
            let bind = rest[at + 1..at + 1 + digits]
                .parse::<usize>()
                .ok()
                .and_then(|n| self.binds.get(n.checked_sub(1)?))
                .ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(
                        format!("placeholder {} has no value", &rest[at..at + 1 + digits]).into(),
                    )
                })?;
            push_bind(&mut out, bind)?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

fn push_bind<'b>(out: &mut AstPass<'_, 'b, Pg>, bind: &'b Bind) -> QueryResult<()> {
    match bind {
        Bind::Texts(v) => out.push_bind_param::<Array<Text>, _>(v)?,
        Bind::Ints(v) => out.push_bind_param::<Array<Integer>, _>(v)?,
        Bind::BigInts(v) => out.push_bind_param::<Array<BigInt>, _>(v)?,
        Bind::Dates(v) => out.push_bind_param::<Array<Date>, _>(v)?,
        Bind::Bools(v) => out.push_bind_param::<Array<Bool>, _>(v)?,
        Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
        Bind::Int(v) => out.push_bind_param::<Integer, _>(v)?,
        Bind::BigInt(v) => out.push_bind_param::<BigInt, _>(v)?,
        Bind::Date(v) => out.push_bind_param::<Date, _>(v)?,
        Bind::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
        Bind::Timestamp(v) => out.push_bind_param::<Timestamptz, _>(v)?,
        Bind::Real(v) => out.push_bind_param::<Float4, _>(v)?,
    }
    Ok(())
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

    #[test]
    fn only_the_first_shapes_are_cached() {
        let seen: Vec<bool> = (0..=CACHED_SHAPES)
            .map(|i| {
                may_cache(
                    &SHAPES,
                    CACHED_SHAPES,
                    &format!("SELECT {i} -- shape cap test"),
                )
            })
            .collect();
        assert!(
            !seen[CACHED_SHAPES],
            "past the cap, new texts are not cached"
        );
        assert!(seen[0], "the first text fits");
        assert!(
            may_cache(&SHAPES, CACHED_SHAPES, "SELECT 0 -- shape cap test"),
            "a cached text stays cached"
        );
    }

    #[test]
    fn projections_are_cached_apart_up_to_their_own_cap() {
        let statement = |i: usize| {
            Sql::new(format!("SELECT {i} -- projection cap test"))
                .projection()
                .into_query()
                .cached
        };
        let seen: Vec<bool> = (0..=CACHED_PROJECTIONS).map(statement).collect();
        assert!(seen[0], "the first projection is kept prepared");
        assert!(
            !seen[CACHED_PROJECTIONS],
            "past their cap, new projections are planned every time"
        );
        assert!(statement(0), "a kept projection stays kept");
        assert!(
            !SHAPES
                .lock()
                .unwrap()
                .contains("SELECT 0 -- projection cap test"),
            "projections take no place among the shapes"
        );
    }

    #[test]
    fn uncached_statements_are_never_kept() {
        let statement = Sql::new("SELECT 1 -- uncached probe")
            .uncached()
            .into_query();
        assert!(!statement.cached);
    }

    #[test]
    fn statements_hand_diesel_each_placeholder_with_its_value_in_text_order() {
        let mut sql = Sql::new("SELECT ");
        let first = sql.bind(Bind::Int(1));
        let second = sql.bind(Bind::Text("x".into()));
        sql.push(&format!("{second}, {first}, {second}, '$' || 2"));
        let rendered = diesel::debug_query::<Pg, _>(&sql.into_query()).to_string();
        assert_eq!(
            rendered,
            "SELECT $1, $2, $3, '$' || 2 -- binds: [\"x\", 1, \"x\"]"
        );
    }
}

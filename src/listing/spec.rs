//! What a list offers, declared once per resource: its filterable and sortable fields, how each
//! maps to SQL, its search document and its embeddable children. The same declaration parses
//! the query string, builds the SQL and writes the spec's parameter list, so they cannot drift.

/// The type of a field's values in the query string (and its SQL bind type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `int4`: years, numbers, positions.
    Int,
    /// `int8`: ids.
    BigInt,
    /// Free text, matched exactly.
    Text,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Bool,
    /// One of a controlled vocabulary.
    Enum(&'static [&'static str]),
    /// A `text[]` column of a vocabulary: matches rows holding any of the given values.
    Values(&'static [&'static str]),
}

impl Kind {
    /// What the query string accepts, for error messages and the spec.
    pub fn expected(self) -> String {
        match self {
            Kind::Int => "a whole number from -2147483648 to 2147483647".to_string(),
            Kind::BigInt => "a positive whole number".to_string(),
            Kind::Text => "text".to_string(),
            Kind::Date => "a date YYYY-MM-DD in years 1 to 9999".to_string(),
            Kind::Bool => "`true` or `false`".to_string(),
            Kind::Enum(values) | Kind::Values(values) => format!("one of: {}", values.join(", ")),
        }
    }
}

/// One filterable (and possibly sortable) field of a list.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Query parameter name (and JSON field name, for sortable fields).
    pub name: &'static str,
    /// SQL expression (over the list's row alias, or the group's alias for grouped fields).
    pub sql: &'static str,
    pub kind: Kind,
    /// Whether the column may hold NULL (changes the keyset comparisons).
    pub nullable: bool,
    /// Offered in `sort`.
    pub sortable: bool,
    /// Offers `<name>_gte` / `<name>_lte`.
    pub range: bool,
    /// Name of the [`Group`] whose subquery the condition goes into, if any.
    pub group: Option<&'static str>,
    /// One line for the spec.
    pub doc: &'static str,
}

impl Field {
    /// A plain column filter (exact / any-of), not sortable, no range.
    pub const fn filter(
        name: &'static str,
        sql: &'static str,
        kind: Kind,
        doc: &'static str,
    ) -> Self {
        Self {
            name,
            sql,
            kind,
            nullable: true,
            sortable: false,
            range: false,
            group: None,
            doc,
        }
    }

    /// Also offered in `sort`; `nullable` says whether the column may be NULL.
    pub const fn sortable(mut self, nullable: bool) -> Self {
        self.sortable = true;
        self.nullable = nullable;
        self
    }

    /// Also offers `_gte` / `_lte`.
    pub const fn ranged(mut self) -> Self {
        self.range = true;
        self
    }

    /// The column is `NOT NULL`: no `<name>_null` filter (it could only ever be all or none).
    pub const fn required(mut self) -> Self {
        self.nullable = false;
        self
    }

    /// The condition goes into the named group's subquery.
    pub const fn in_group(mut self, group: &'static str) -> Self {
        self.group = Some(group);
        self
    }
}

/// Conditions on a related table, combined into one subquery so that they hold for the same
/// related row (e.g. "an assessment with completion X *and* impact Y").
#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub name: &'static str,
    /// SQL with `{}` where the AND-joined conditions go.
    pub template: &'static str,
    /// For a to-one parent (a commitment's plan): the `JOIN` that brings the group's alias into
    /// the row query, so that its fields can be sorted by (`sort=-plan_start_year`). `None`
    /// for a to-many relation (a commitment's assessments), whose fields are filters only.
    pub join: Option<&'static str>,
}

/// The list of one resource.
#[derive(Debug, Clone, Copy)]
pub struct ListSpec {
    /// `FROM` clause, with the row alias used by the field expressions (e.g. `commitments c`).
    pub from: &'static str,
    /// Columns selected, listed one by one: `*` would also ship the stored search documents,
    /// which are large and which the API never reads.
    pub select: &'static str,
    /// The key: JSON name, SQL expression and kind. Breaks ties in every sort.
    pub key: Field,
    pub fields: &'static [Field],
    pub groups: &'static [Group],
    /// SQL of the row's stored search document (a `tsvector` column), when the list offers `q`.
    pub search: Option<&'static str>,
    /// What `include=` accepts: child collections (`milestones`) and parent paths
    /// (`action_plan`, `action_plan.country`; at most `include::MAX_DEPTH` segments).
    pub includes: &'static [&'static str],
    /// The parents the rows name, embedded as objects (`listing::include`).
    pub parents: &'static [super::include::Parent],
    /// Name of the timestamp column `updated_since` filters on.
    pub updated_at: &'static str,
}

impl ListSpec {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// A field by its query name, the key included (`id=1,2,3`, `code=MEX,BRA`).
    pub fn field_or_key(&'static self, name: &str) -> Option<&'static Field> {
        self.field(name)
            .or_else(|| (name == self.key.name).then_some(&self.key))
    }

    pub fn group(&self, name: &str) -> Option<&'static Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// The sortable field names, key included.
    pub fn sortable(&self) -> Vec<&'static str> {
        std::iter::once(self.key.name)
            .chain(self.fields.iter().filter(|f| f.sortable).map(|f| f.name))
            .collect()
    }
}

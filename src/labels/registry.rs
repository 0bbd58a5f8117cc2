//! The enums `GET /vocabularies` serves and the `*_label` fields use: one line each.

use super::{Labelled, ValueLabels};
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, FindingKind, GroupBy, LocalMemberKind,
    MembershipStatus, MilestoneStatus, OgpValue, PlanLevel, PlanStatus, PotentialForResults,
    PotentialImpact, PublicInfluence, Region, Report, Specificity, VerdictBasis,
};

/// One value of a vocabulary with its labels.
#[derive(Debug, Clone, Copy)]
pub struct LabelledValue {
    /// The wire form.
    pub value: &'static str,
    /// The API's own description of it (its doc comment in `vocab.rs`).
    pub description: &'static str,
    /// Its labels and definition.
    pub labels: ValueLabels,
}

/// One enum of the API.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// The enum's schema name (`Completion`).
    pub schema: &'static str,
    values: fn() -> Vec<LabelledValue>,
}

impl Vocabulary {
    /// Its name in URLs and responses: the schema name in snake_case (`did_it_open_government`).
    pub fn name(&self) -> String {
        let mut name = String::new();
        for (i, c) in self.schema.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        }
        name
    }

    /// Every value, in the order of the scale.
    pub fn values(&self) -> Vec<LabelledValue> {
        (self.values)()
    }
}

fn values_of<T: Labelled>(descriptions: &'static [&'static str]) -> Vec<LabelledValue> {
    T::all()
        .iter()
        .zip(descriptions)
        .map(|(value, description)| LabelledValue {
            value: value.wire(),
            description: description.trim(),
            labels: value.labels(),
        })
        .collect()
}

macro_rules! registry {
    ($($name:ident),+ $(,)?) => {
        /// Every vocabulary, in the order of `vocab.rs`.
        pub fn vocabularies() -> &'static [Vocabulary] {
            &[$(Vocabulary {
                schema: stringify!($name),
                values: || values_of::<$name>($name::DESCRIPTIONS),
            }),+]
        }
    };
}

// To add an enum: one line here, and its `impl Labelled` in `data.rs` (the compiler then asks
// for a label of every value).
registry!(
    Region,
    MembershipStatus,
    LocalMemberKind,
    PlanLevel,
    PlanStatus,
    PublicInfluence,
    OgpValue,
    MilestoneStatus,
    Report,
    FindingKind,
    Specificity,
    PotentialImpact,
    PotentialForResults,
    Completion,
    DidItOpenGovernment,
    EarlyResults,
    VerdictBasis,
    GroupBy,
);

/// The vocabulary named `name` (snake_case), if there is one.
pub fn find(name: &str) -> Option<&'static Vocabulary> {
    vocabularies().iter().find(|v| v.name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_of_the_api_is_registered() {
        for (schema, values, _) in crate::vocab::DESCRIBED {
            let vocabulary = vocabularies()
                .iter()
                .find(|v| v.schema == *schema)
                .unwrap_or_else(|| panic!("{schema} is not in labels::registry"));
            let labelled: Vec<&str> = vocabulary.values().iter().map(|v| v.value).collect();
            assert_eq!(&labelled, values, "{schema}");
            assert!(vocabulary
                .values()
                .iter()
                .all(|v| !v.description.is_empty()));
        }
    }

    #[test]
    fn names_are_snake_case() {
        assert_eq!(
            find("did_it_open_government").map(|v| v.schema),
            Some("DidItOpenGovernment")
        );
        assert!(find("nothing").is_none());
    }
}

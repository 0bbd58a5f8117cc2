//! Which field of which collection holds which vocabulary, for the `*_label` fields `lang=` and
//! `Accept-Language` add. A new resource with enum fields adds its rows here (and its nesting
//! keys to [`NESTED`]).

/// `(collection, field, vocabulary)`: the enum fields of each collection.
pub const FIELDS: &[(&str, &str, &str)] = &[
    ("countries", "region", "region"),
    ("countries", "membership_status", "membership_status"),
    ("local_members", "kind", "local_member_kind"),
    ("local_members", "membership_status", "membership_status"),
    ("action_plans", "status", "plan_status"),
    ("action_plans", "public_influence", "public_influence"),
    ("commitments", "ogp_values", "ogp_value"),
    ("milestones", "status", "milestone_status"),
    ("irm_findings", "report", "report"),
    ("irm_findings", "kind", "finding_kind"),
    ("irm_findings", "specificity", "specificity"),
    ("irm_findings", "relevance", "ogp_value"),
    ("irm_findings", "potential_impact", "potential_impact"),
    (
        "irm_findings",
        "potential_for_results",
        "potential_for_results",
    ),
    ("irm_findings", "completion", "completion"),
    (
        "irm_findings",
        "did_it_open_government",
        "did_it_open_government",
    ),
    ("irm_findings", "early_results", "early_results"),
    ("irm_findings", "well_designed_basis", "verdict_basis"),
    ("irm_findings", "starred_basis", "verdict_basis"),
    ("irm_findings", "potentially_starred_basis", "verdict_basis"),
    ("irm_findings", "promising_basis", "verdict_basis"),
    (
        "irm_findings",
        "acted_contrary_to_process_basis",
        "verdict_basis",
    ),
];

/// `(collection, field)`: the enum fields that hold a list of values (labelled `<field>_labels`).
pub const LIST_FIELDS: &[(&str, &str)] =
    &[("commitments", "ogp_values"), ("irm_findings", "relevance")];

/// Whether `field` of `collection` holds a list of values.
pub fn is_list(collection: &str, field: &str) -> bool {
    LIST_FIELDS.contains(&(collection, field))
}

/// `(key, collection)`: the keys (in a response, and as a path segment or a CSV column prefix)
/// under which items of a collection appear.
pub const NESTED: &[(&str, &str)] = &[
    ("countries", "countries"),
    ("country", "countries"),
    ("local_members", "local_members"),
    ("local-members", "local_members"),
    ("local_member", "local_members"),
    ("action_plans", "action_plans"),
    ("action-plans", "action_plans"),
    ("action_plan", "action_plans"),
    ("commitments", "commitments"),
    ("commitment", "commitments"),
    ("milestones", "milestones"),
    ("milestone", "milestones"),
    ("irm_findings", "irm_findings"),
    ("irm-findings", "irm_findings"),
];

/// The vocabulary of `field` in `collection`, if it is an enum field.
pub fn vocabulary_of(collection: &str, field: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .find(|(c, f, _)| *c == collection && *f == field)
        .map(|(_, _, vocabulary)| *vocabulary)
}

/// The collection whose items appear under `key`.
pub fn collection_under(key: &str) -> Option<&'static str> {
    NESTED
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, collection)| *collection)
}

/// The collection a resource path answers with (`/api/v1/countries/MEX/action-plans` →
/// `action_plans`; `{code}` in a spec path is a key like `MEX`), or `None` for anything else
/// (views, the change feed, the docs): the paths whose GET `lang=` labels.
pub fn collection_of(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/api/v1/")?;
    let mut collection = None;
    let mut key_next = false;
    for segment in rest.split('/').filter(|s| !s.is_empty()) {
        if let Some(found) = collection_under(segment).filter(|_| !key_next) {
            collection = Some(found);
            key_next = true;
        } else if key_next {
            key_next = false;
        } else {
            return None;
        }
    }
    collection
}

/// The name of the label field next to `field`: `<field>_label`, or `<field>_labels` for an
/// array of values.
pub fn label_field(field: &str, array: bool) -> String {
    if array {
        format!("{field}_labels")
    } else {
        format!("{field}_label")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_names_a_registered_vocabulary() {
        for (collection, field, vocabulary) in FIELDS {
            assert!(
                super::super::find(vocabulary).is_some(),
                "{collection}.{field}: no vocabulary `{vocabulary}`"
            );
            assert!(NESTED.iter().any(|(_, c)| c == collection), "{collection}");
        }
    }
}

//! Which fields an IRM finding may carry: by its kind (ratings on assessments, criteria on
//! process findings, a body on narratives) and by its report's era (docs/irm-method.md). Each
//! refusal names the field and where it belongs.

use super::eras::{self, ALL_CRITERIA, INDICATORS, VERDICTS};
use crate::body::Fields;
use crate::vocab::{FindingKind, Report};

/// Every field only an assessment carries: indicators and verdicts.
const ASSESSMENT_ONLY: &[&str] = &[
    "specificity",
    "relevance",
    "potential_impact",
    "potential_for_results",
    "completion",
    "did_it_open_government",
    "verifiable",
    "open_government_lens",
    "early_results",
    "well_designed",
    "starred",
    "potentially_starred",
    "promising",
];

/// The ratings a non-verifiable commitment does not get (the IRM "does not assess these
/// commitments further", glossary "verifiability").
const ASSESSED_FURTHER: &[&str] = &[
    "specificity",
    "relevance",
    "potential_impact",
    "potential_for_results",
    "completion",
    "did_it_open_government",
    "open_government_lens",
    "early_results",
];

/// Records an error on `field` unless it is absent or already has one.
fn refuse(f: &mut Fields, field: &str, message: impl FnOnce() -> String) {
    if f.has(field) && !f.has_error(field) {
        f.error(field, message());
    }
}

/// The per-kind rules: which fields a kind requires and which it refuses.
pub fn check_kind(f: &mut Fields, kind: FindingKind) {
    if kind == FindingKind::Assessment {
        if !f.has("commitment_id") && !f.has_error("commitment_id") {
            f.error("commitment_id", "is required for an assessment");
        }
    } else {
        for field in ASSESSMENT_ONLY {
            refuse(f, field, || {
                format!("only an assessment carries it (kind is `{kind}`)")
            });
        }
    }
    if kind != FindingKind::Process {
        for field in ALL_CRITERIA.iter().chain(&["acted_contrary_to_process"]) {
            refuse(f, field, || {
                format!("only a process finding carries it (kind is `{kind}`)")
            });
        }
    }
    let needs_body = matches!(
        kind,
        FindingKind::Performance | FindingKind::Recommendation | FindingKind::Summary
    );
    if needs_body && !f.has("body") && !f.has_error("body") {
        f.error("body", format!("is required for a `{kind}` finding"));
    }
    if kind == FindingKind::Recommendation && !f.has("position") && !f.has_error("position") {
        f.error("position", "is required for a recommendation (its number)");
    }
}

/// The per-era rules: each indicator and verdict only on the report types that gave it, each
/// process criterion only in its era, and no assessments in a co-creation brief.
pub fn check_era(f: &mut Fields, kind: FindingKind, report: Report) {
    if kind == FindingKind::Assessment {
        if report == Report::CoCreationBrief && !f.has_error("kind") {
            f.error(
                "kind",
                "a co_creation_brief holds no assessments (it comes before the commitments)",
            );
        }
        for (field, reports) in INDICATORS {
            if !reports.contains(&report) {
                refuse(f, field, || {
                    format!(
                        "is not an indicator of a {report}; the IRM rated it in a {}",
                        eras::names(reports)
                    )
                });
            }
        }
        for (field, reports) in VERDICTS {
            if !reports.contains(&report) {
                refuse(f, field, || {
                    format!(
                        "is not applicable: the IRM gave no `{field}` verdict in a {report}, only \
                         in a {}",
                        eras::names(reports)
                    )
                });
            }
        }
    }
    if kind == FindingKind::Process {
        let era = eras::criteria(report);
        for field in ALL_CRITERIA {
            if !era.contains(field) {
                refuse(f, field, || {
                    format!(
                        "is not a process criterion of a {report}'s era; it is one in a {}",
                        eras::names(&eras::reports_with_criterion(field))
                    )
                });
            }
        }
    }
}

/// A commitment the IRM found not verifiable carries no further ratings.
pub fn check_not_assessed_further(f: &mut Fields) {
    for field in ASSESSED_FURTHER {
        refuse(f, field, || {
            "the IRM does not assess a commitment that is not verifiable further \
             (`verifiable` is false)"
                .to_string()
        });
    }
}

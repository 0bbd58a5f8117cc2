//! The "at a glance" box of an IRM report page: the lines the IRM prints for each type of
//! report (docs/irm-method.md cites a page of each), counted over the plan's commitments from
//! the stored assessments.

use super::{GlanceCount, Highlight};
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, PotentialForResults, PotentialImpact, Report,
};

/// One line: its name, the IRM's wording, and which highlights it counts.
type Line = (&'static str, &'static str, fn(&Highlight) -> bool);

fn transformative(h: &Highlight) -> bool {
    h.potential_impact == Some(PotentialImpact::Transformative)
}

fn completed(h: &Highlight) -> bool {
    h.completion == Some(Completion::Complete)
}

fn substantial_or_complete(h: &Highlight) -> bool {
    matches!(
        h.completion,
        Some(Completion::Substantial | Completion::Complete)
    )
}

fn major_dig(h: &Highlight) -> bool {
    h.did_it_open_government == Some(DidItOpenGovernment::Major)
}

fn outstanding_dig(h: &Highlight) -> bool {
    h.did_it_open_government == Some(DidItOpenGovernment::Outstanding)
}

/// The lines of a report type, in the order its page prints them.
fn lines(report: Report) -> &'static [Line] {
    match report {
        Report::ProgressReport | Report::MidTermReport => &[
            (
                "transformative",
                "Transformative potential impact",
                transformative,
            ),
            (
                "substantial_or_complete",
                "Substantial or complete implementation",
                substantial_or_complete,
            ),
            ("well_designed", "Well-designed", |h| {
                h.well_designed == Some(true)
            }),
            ("starred", "Starred commitments", |h| {
                h.starred == Some(true)
            }),
        ],
        Report::EndOfTermReport => &[
            (
                "transformative",
                "Transformative potential impact",
                transformative,
            ),
            (
                "substantial_or_complete",
                "Substantial or complete implementation",
                substantial_or_complete,
            ),
            (
                "major_did_it_open_government",
                "Major \"did it open government?\"",
                major_dig,
            ),
            (
                "outstanding_did_it_open_government",
                "Outstanding \"did it open government?\"",
                outstanding_dig,
            ),
            ("well_designed", "Well-designed", |h| {
                h.well_designed == Some(true)
            }),
            ("starred", "Starred commitments", |h| {
                h.starred == Some(true)
            }),
        ],
        Report::DesignReport => &[
            ("verifiable", "Verifiable commitments", |h| {
                h.verifiable == Some(true)
            }),
            ("transformative", "Transformative", transformative),
            ("potentially_starred", "Potentially starred", |h| {
                h.potentially_starred == Some(true)
            }),
        ],
        Report::ImplementationReport | Report::TransitionalResultsReport => &[
            ("completed", "Completed commitments", completed),
            (
                "major_did_it_open_government",
                "Commitments with Major DIOG",
                major_dig,
            ),
            (
                "outstanding_did_it_open_government",
                "Commitments with Outstanding DIOG",
                outstanding_dig,
            ),
            ("starred", "Starred commitments", |h| {
                h.starred == Some(true)
            }),
        ],
        Report::CoCreationBrief => &[],
        Report::ActionPlanReview => &[
            (
                "open_government_lens",
                "Commitments with an open government lens",
                |h| h.open_government_lens == Some(true),
            ),
            (
                "substantial_potential_for_results",
                "Commitments with substantial potential for results",
                |h| h.potential_for_results == Some(PotentialForResults::Substantial),
            ),
            ("promising", "Promising commitments", |h| {
                h.promising == Some(true)
            }),
        ],
        Report::ResultsReport => &[
            ("completed", "Completed commitments", completed),
            (
                "substantial_or_complete",
                "Substantial or complete implementation",
                substantial_or_complete,
            ),
            (
                "moderate_early_results",
                "Commitments with moderate early results",
                |h| h.early_results == Some(EarlyResults::Moderate),
            ),
            (
                "significant_early_results",
                "Commitments with significant early results",
                |h| h.early_results == Some(EarlyResults::Significant),
            ),
            (
                "major_did_it_open_government",
                "Commitments with Major DIOG",
                major_dig,
            ),
        ],
    }
}

/// The report's "at a glance" counts: the number of commitments, then each line of its type.
pub fn counts(report: Report, highlights: &[Highlight]) -> Vec<GlanceCount> {
    let commitments = GlanceCount {
        indicator: "commitments",
        label: "Number of commitments",
        count: highlights.len() as i64,
    };
    std::iter::once(commitments)
        .chain(
            lines(report)
                .iter()
                .map(|(indicator, label, counts)| GlanceCount {
                    indicator,
                    label,
                    count: highlights.iter().filter(|h| counts(h)).count() as i64,
                }),
        )
        .collect()
}

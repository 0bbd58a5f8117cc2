//! The IRM's eras (docs/irm-method.md, with the IRM page of each fact): which report types
//! belong to which era, which indicators each report type rates, which process criteria each
//! era used, and the year a report belongs to. The database holds the same rules in migration
//! `…_irm_eras` (`ogp_report_year` and the `*_era_check` constraints).

use crate::vocab::Report;
use chrono::{Datelike, NaiveDate};

/// The years of the plan a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanYears {
    pub start: i32,
    pub end: i32,
}

/// Results reports of plans starting in this year or later rate `early_results`; earlier plans'
/// results reports still rate `did_it_open_government` (glossary "early results"; Liberia
/// results report 2020–2022).
pub const EARLY_RESULTS_FROM_PLAN_YEAR: i32 = 2021;

const BEFORE_2021: &[Report] = &[
    Report::ProgressReport,
    Report::MidTermReport,
    Report::EndOfTermReport,
    Report::DesignReport,
    Report::ImplementationReport,
    Report::TransitionalResultsReport,
];

/// The report types on which the IRM rated each assessment indicator. `completion` is rated on
/// every report type that holds assessments.
pub const INDICATORS: &[(&str, &[Report])] = &[
    (
        "specificity",
        &[
            Report::ProgressReport,
            Report::MidTermReport,
            Report::EndOfTermReport,
            Report::ImplementationReport,
            Report::TransitionalResultsReport,
        ],
    ),
    ("relevance", BEFORE_2021),
    ("potential_impact", BEFORE_2021),
    (
        "did_it_open_government",
        &[
            Report::EndOfTermReport,
            Report::ImplementationReport,
            Report::TransitionalResultsReport,
            Report::ResultsReport,
        ],
    ),
    (
        "verifiable",
        &[
            Report::DesignReport,
            Report::ActionPlanReview,
            Report::ResultsReport,
        ],
    ),
    (
        "open_government_lens",
        &[Report::ActionPlanReview, Report::ResultsReport],
    ),
    (
        "potential_for_results",
        &[Report::ActionPlanReview, Report::ResultsReport],
    ),
    ("early_results", &[Report::ResultsReport]),
];

/// The report types on which the IRM gave each published-or-derived verdict at all (the year
/// can still make it not applicable: [`well_designed_applies`], [`starred_applies`]).
pub const VERDICTS: &[(&str, &[Report])] = &[
    (
        "well_designed",
        &[
            Report::ProgressReport,
            Report::MidTermReport,
            Report::EndOfTermReport,
        ],
    ),
    (
        "starred",
        &[
            Report::ProgressReport,
            Report::MidTermReport,
            Report::EndOfTermReport,
            Report::ImplementationReport,
            Report::TransitionalResultsReport,
        ],
    ),
    ("potentially_starred", &[Report::DesignReport]),
    ("promising", &[Report::ActionPlanReview]),
];

/// Every process criterion of any era.
pub const ALL_CRITERIA: &[&str] = &[
    "no_public_engagement",
    "irm_not_engaged",
    "late_action_plan",
    "iap2_minimum_not_met",
    "no_online_repository",
    "co_creation_minimum_not_met",
    "no_progress_on_any_commitment",
];

/// The process criteria of a report's era: 2014–2017 (IRM report pages), the 2017–2021
/// procedural review, and the rules in force from 2022.
pub fn criteria(report: Report) -> &'static [&'static str] {
    match report {
        Report::ProgressReport | Report::MidTermReport | Report::EndOfTermReport => &[
            "no_public_engagement",
            "irm_not_engaged",
            "no_progress_on_any_commitment",
        ],
        Report::DesignReport | Report::ImplementationReport | Report::TransitionalResultsReport => {
            &[
                "late_action_plan",
                "iap2_minimum_not_met",
                "no_online_repository",
                "no_progress_on_any_commitment",
            ]
        }
        Report::CoCreationBrief | Report::ActionPlanReview | Report::ResultsReport => &[
            "late_action_plan",
            "co_creation_minimum_not_met",
            "no_progress_on_any_commitment",
        ],
    }
}

/// The era of a report type, as the statistics group by it (`group_by=era`): the years of the
/// IRM's products the type belongs to (docs/irm-method.md).
pub fn era(report: Report) -> &'static str {
    match report {
        Report::ProgressReport => "2012-2016",
        Report::MidTermReport | Report::EndOfTermReport => "2016-2019",
        Report::DesignReport | Report::ImplementationReport | Report::TransitionalResultsReport => {
            "2019-2021"
        }
        Report::CoCreationBrief | Report::ActionPlanReview | Report::ResultsReport => "2021-",
    }
}

/// The report types listed in `reports`, for messages: "a, b or c".
pub fn names(reports: &[Report]) -> String {
    let names: Vec<&str> = reports.iter().map(|r| r.as_str()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The report types whose era used process criterion `field`.
pub fn reports_with_criterion(field: &str) -> Vec<Report> {
    Report::ALL
        .iter()
        .copied()
        .filter(|report| criteria(*report).contains(&field))
        .collect()
}

/// The year a report belongs to: the year it was published, else the year the report type
/// would have been published for the plan (an API choice, docs/irm-method.md): co-creation
/// briefs and action plan reviews in the plan's first year, progress, mid-term and design
/// reports the year after, the others the year after the plan ends.
pub fn report_year(report: Report, published_on: Option<NaiveDate>, plan: PlanYears) -> i32 {
    if let Some(date) = published_on {
        return date.year();
    }
    match report {
        Report::CoCreationBrief | Report::ActionPlanReview => plan.start,
        Report::ProgressReport | Report::MidTermReport | Report::DesignReport => plan.start + 1,
        Report::EndOfTermReport
        | Report::ImplementationReport
        | Report::TransitionalResultsReport
        | Report::ResultsReport => plan.end + 1,
    }
}

/// The report types listed for `field` in `table` (empty when it is not listed).
pub fn reports_for(table: &[(&str, &'static [Report])], field: &str) -> &'static [Report] {
    table
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(&[], |(_, reports)| reports)
}

/// The well-designed asterisk: on progress, mid-term and end-of-term report pages of 2016–2019.
pub fn well_designed_applies(report: Report, year: i32) -> bool {
    reports_for(VERDICTS, "well_designed").contains(&report) && (2016..=2019).contains(&year)
}

/// Stars: awarded from 2014 ("since 2014") until the 2021 products, on the report types that
/// carried them.
pub fn starred_applies(report: Report, year: i32) -> bool {
    reports_for(VERDICTS, "starred").contains(&report) && (2014..=2021).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN_2016: PlanYears = PlanYears {
        start: 2016,
        end: 2018,
    };

    #[test]
    fn the_report_year_is_the_publication_year_else_the_types_usual_one() {
        let published = NaiveDate::from_ymd_opt(2017, 11, 3);
        assert_eq!(
            report_year(Report::MidTermReport, published, PLAN_2016),
            2017
        );
        assert_eq!(report_year(Report::MidTermReport, None, PLAN_2016), 2017);
        assert_eq!(report_year(Report::EndOfTermReport, None, PLAN_2016), 2019);
        assert_eq!(report_year(Report::ActionPlanReview, None, PLAN_2016), 2016);
    }

    #[test]
    fn stars_from_2014_to_2021_on_the_reports_that_carried_them() {
        assert!(!starred_applies(Report::ProgressReport, 2013));
        assert!(starred_applies(Report::ProgressReport, 2014));
        assert!(starred_applies(Report::ImplementationReport, 2021));
        assert!(!starred_applies(Report::DesignReport, 2020));
        assert!(!starred_applies(Report::ResultsReport, 2021));
        assert!(!starred_applies(Report::EndOfTermReport, 2022));
    }

    #[test]
    fn well_designed_on_2016_to_2019_report_pages() {
        assert!(!well_designed_applies(Report::ProgressReport, 2015));
        assert!(well_designed_applies(Report::MidTermReport, 2017));
        assert!(!well_designed_applies(Report::DesignReport, 2019));
        assert!(!well_designed_applies(Report::ActionPlanReview, 2022));
        assert!(!well_designed_applies(Report::EndOfTermReport, 2020));
    }

    #[test]
    fn each_era_has_its_own_criteria() {
        assert_eq!(criteria(Report::MidTermReport).len(), 3);
        assert!(criteria(Report::DesignReport).contains(&"iap2_minimum_not_met"));
        assert!(criteria(Report::ActionPlanReview).contains(&"co_creation_minimum_not_met"));
        assert_eq!(
            names(&reports_with_criterion("irm_not_engaged")),
            "progress_report, mid_term_report or end_of_term_report"
        );
        for criterion in ALL_CRITERIA {
            assert!(!reports_with_criterion(criterion).is_empty(), "{criterion}");
        }
    }
}

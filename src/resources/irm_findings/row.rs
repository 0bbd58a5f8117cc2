//! From a validated body to the row written: the rules that need the plan's years (the
//! report's era), and each verdict resolved as published, derived, or not applicable.

use super::eras::{self, PlanYears, EARLY_RESULTS_FROM_PLAN_YEAR};
use super::model::{IrmFindingRow, NewIrmFinding};
use super::verdicts::{self, Ratings, Verdict};
use crate::error::{ApiError, FieldError};
use crate::vocab::{FindingKind, Report};

/// Resolves one verdict: not applicable (and then none may be published), else the published
/// value unless the ratings contradict it, else the derived one.
fn resolve(
    errors: &mut Vec<FieldError>,
    field: &str,
    applies: bool,
    published: Option<bool>,
    derived: Option<bool>,
    why_not: impl FnOnce() -> String,
) -> Verdict {
    if !applies {
        if published.is_some() {
            errors.push(FieldError::new(field, why_not()));
        }
        return Verdict::NOT_APPLICABLE;
    }
    verdicts::resolve(published, derived).unwrap_or_else(|derived| {
        errors.push(FieldError::new(
            field,
            format!(
                "contradicts the ratings, which make it {derived}; omit it to use the derived verdict"
            ),
        ));
        Verdict::UNKNOWN
    })
}

impl NewIrmFinding {
    /// The row to write, with each verdict resolved by the rules of the report's era (which
    /// needs the plan's years). A published verdict the ratings contradict, or one the IRM did
    /// not give on this report, is a 422 on that field; so is a results report's indicator of
    /// the wrong generation for the plan.
    pub fn into_row(self, plan: PlanYears) -> Result<IrmFindingRow, ApiError> {
        let year = eras::report_year(self.report, self.published_on, plan);
        let assessment = self.kind == FindingKind::Assessment;
        let mut errors = Vec::new();
        if assessment && self.report == Report::ResultsReport {
            if plan.start >= EARLY_RESULTS_FROM_PLAN_YEAR && self.did_it_open_government.is_some() {
                errors.push(FieldError::new(
                    "did_it_open_government",
                    format!(
                        "results reports of plans starting in {EARLY_RESULTS_FROM_PLAN_YEAR} or \
                         later rate `early_results` instead (this plan starts in {})",
                        plan.start
                    ),
                ));
            }
            if plan.start < EARLY_RESULTS_FROM_PLAN_YEAR && self.early_results.is_some() {
                errors.push(FieldError::new(
                    "early_results",
                    format!(
                        "results reports of plans starting before {EARLY_RESULTS_FROM_PLAN_YEAR} \
                         rate `did_it_open_government` (this plan starts in {})",
                        plan.start
                    ),
                ));
            }
        }
        let ratings = Ratings {
            specificity: self.specificity,
            relevance: self.relevance.as_deref(),
            potential_impact: self.potential_impact,
            completion: self.completion,
        };
        // `potentially_starred` and `promising` are published only, and `rules::check_era`
        // already refused them outside their report type; their basis is generated.
        let (well, star) = if assessment {
            let report = self.report;
            (
                resolve(
                    &mut errors,
                    "well_designed",
                    eras::well_designed_applies(report, year),
                    self.well_designed,
                    verdicts::well_designed(&ratings),
                    || {
                        format!(
                            "is not applicable: the IRM printed well-designed verdicts only in \
                             progress, mid-term and end-of-term reports of 2016–2019 (this {report} \
                             is of {year})"
                        )
                    },
                ),
                resolve(
                    &mut errors,
                    "starred",
                    eras::starred_applies(report, year),
                    self.starred,
                    verdicts::starred(&ratings, year),
                    || {
                        format!(
                            "is not applicable: the IRM awarded stars in reports of 2014–2021 that \
                             carried them, not in this {report} of {year}"
                        )
                    },
                ),
            )
        } else {
            (Verdict::UNKNOWN, Verdict::UNKNOWN)
        };
        let process = if self.kind == FindingKind::Process {
            let criteria: Vec<Option<bool>> = eras::criteria(self.report)
                .iter()
                .map(|field| self.criterion(field))
                .collect();
            resolve(
                &mut errors,
                "acted_contrary_to_process",
                true,
                self.acted_contrary_to_process,
                verdicts::acted_contrary(&criteria),
                String::new,
            )
        } else {
            Verdict::UNKNOWN
        };
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        Ok(IrmFindingRow {
            action_plan_id: self.action_plan_id,
            commitment_id: self.commitment_id,
            report: self.report,
            kind: self.kind,
            title: self.title,
            body: self.body,
            position: self.position,
            published_on: self.published_on,
            source_url: self.source_url,
            specificity: self.specificity,
            relevance: self.relevance,
            potential_impact: self.potential_impact,
            potential_for_results: self.potential_for_results,
            completion: self.completion,
            did_it_open_government: self.did_it_open_government,
            verifiable: self.verifiable,
            open_government_lens: self.open_government_lens,
            early_results: self.early_results,
            well_designed: well.value,
            well_designed_basis: well.basis,
            starred: star.value,
            starred_basis: star.basis,
            potentially_starred: self.potentially_starred,
            promising: self.promising,
            no_public_engagement: self.no_public_engagement,
            irm_not_engaged: self.irm_not_engaged,
            late_action_plan: self.late_action_plan,
            iap2_minimum_not_met: self.iap2_minimum_not_met,
            no_online_repository: self.no_online_repository,
            co_creation_minimum_not_met: self.co_creation_minimum_not_met,
            no_progress_on_any_commitment: self.no_progress_on_any_commitment,
            acted_contrary_to_process: process.value,
            acted_contrary_to_process_basis: process.basis,
        })
    }

    /// The value of process criterion `field`.
    fn criterion(&self, field: &str) -> Option<bool> {
        match field {
            "no_public_engagement" => self.no_public_engagement,
            "irm_not_engaged" => self.irm_not_engaged,
            "late_action_plan" => self.late_action_plan,
            "iap2_minimum_not_met" => self.iap2_minimum_not_met,
            "no_online_repository" => self.no_online_repository,
            "co_creation_minimum_not_met" => self.co_creation_minimum_not_met,
            "no_progress_on_any_commitment" => self.no_progress_on_any_commitment,
            _ => None,
        }
    }
}

//! The IRM's verdicts (API.md, docs/irm-method.md): `well_designed`, `starred` and the process
//! verdict, derived from the ratings or criteria by the rule of the report's era, or recorded as
//! published, and checked against each other. Whether a verdict applies at all to a report is
//! [`super::eras`]' business.
//!
//! Every rule is a three-valued AND over its conditions: any condition the ratings present
//! make false decides `false`; otherwise a missing rating leaves the verdict unknown (`None`).

use crate::vocab::{Completion, OgpValue, PotentialImpact, Specificity, VerdictBasis};

/// Reports written before this year star `moderate` potential impact too ("starting in 2015"
/// only potentially transformative commitments qualify).
pub const STARRED_MODERATE_BEFORE: i32 = 2015;

/// The ratings the verdicts depend on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ratings<'a> {
    pub specificity: Option<Specificity>,
    pub relevance: Option<&'a [OgpValue]>,
    pub potential_impact: Option<PotentialImpact>,
    pub completion: Option<Completion>,
}

/// Three-valued AND: `false` if any is false, else unknown if any is unknown, else `true`.
fn all(conditions: &[Option<bool>]) -> Option<bool> {
    if conditions.contains(&Some(false)) {
        Some(false)
    } else if conditions.contains(&None) {
        None
    } else {
        Some(true)
    }
}

fn specific_enough(r: &Ratings) -> Option<bool> {
    r.specificity
        .map(|s| matches!(s, Specificity::Medium | Specificity::High))
}

/// Relevant in the IRM's sense: to access to information, civic participation or public
/// accountability; technology and innovation counts only together with one of them.
fn relevant(r: &Ratings) -> Option<bool> {
    r.relevance.map(|values| {
        values
            .iter()
            .any(|v| *v != OgpValue::TechnologyAndInnovation)
    })
}

/// Well-designed: specificity medium or high, relevant, and transformative potential impact.
pub fn well_designed(r: &Ratings) -> Option<bool> {
    all(&[
        specific_enough(r),
        relevant(r),
        r.potential_impact
            .map(|p| p == PotentialImpact::Transformative),
    ])
}

/// Starred: specificity medium or high; relevant; transformative potential impact (moderate
/// also qualifies in reports written before 2015); substantial or complete completion.
pub fn starred(r: &Ratings, report_year: i32) -> Option<bool> {
    let impact_qualifies = |p: PotentialImpact| {
        p == PotentialImpact::Transformative
            || (report_year < STARRED_MODERATE_BEFORE && p == PotentialImpact::Moderate)
    };
    all(&[
        specific_enough(r),
        relevant(r),
        r.potential_impact.map(impact_qualifies),
        r.completion
            .map(|c| matches!(c, Completion::Substantial | Completion::Complete)),
    ])
}

/// A verdict as served: its value and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub value: Option<bool>,
    pub basis: Option<VerdictBasis>,
}

/// The process verdict from the criteria of the report's era: any true → acted contrary to
/// process; all known and false → did not; else unknown.
pub fn acted_contrary(criteria: &[Option<bool>]) -> Option<bool> {
    if criteria.contains(&Some(true)) {
        Some(true)
    } else if criteria.contains(&None) {
        None
    } else {
        Some(false)
    }
}

impl Verdict {
    /// A verdict not (yet) known, or not given at all on this kind of finding.
    pub const UNKNOWN: Verdict = Verdict {
        value: None,
        basis: None,
    };

    /// The verdict of a report on which the IRM did not give it.
    pub const NOT_APPLICABLE: Verdict = Verdict {
        value: None,
        basis: Some(VerdictBasis::NotApplicable),
    };
}

/// Combines a published verdict (if recorded) with the one the ratings give. `Err(derived)`
/// when the ratings decide the opposite of what was published.
pub fn resolve(published: Option<bool>, derived: Option<bool>) -> Result<Verdict, bool> {
    match (published, derived) {
        (Some(p), Some(d)) if p != d => Err(d),
        (Some(p), _) => Ok(Verdict {
            value: Some(p),
            basis: Some(VerdictBasis::Published),
        }),
        (None, Some(d)) => Ok(Verdict {
            value: Some(d),
            basis: Some(VerdictBasis::Derived),
        }),
        (None, None) => Ok(Verdict {
            value: None,
            basis: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Completion as C;
    use OgpValue as V;
    use PotentialImpact as P;
    use Specificity as S;

    const AI: &[OgpValue] = &[V::AccessToInformation];
    const TECH_ONLY: &[OgpValue] = &[V::TechnologyAndInnovation];
    const NONE: &[OgpValue] = &[];

    fn ratings(
        specificity: Option<S>,
        relevance: Option<&'static [OgpValue]>,
        potential_impact: Option<P>,
        completion: Option<C>,
    ) -> Ratings<'static> {
        Ratings {
            specificity,
            relevance,
            potential_impact,
            completion,
        }
    }

    #[test]
    fn well_designed_needs_all_three() {
        let full = ratings(Some(S::High), Some(AI), Some(P::Transformative), None);
        assert_eq!(well_designed(&full), Some(true));
        let medium = ratings(
            Some(S::Medium),
            Some(TECH_ONLY),
            Some(P::Transformative),
            None,
        );
        assert_eq!(
            well_designed(&medium),
            Some(false),
            "technology and innovation alone is not relevant"
        );
        let not_relevant = ratings(Some(S::High), Some(NONE), Some(P::Transformative), None);
        assert_eq!(well_designed(&not_relevant), Some(false));
        let moderate = ratings(Some(S::High), Some(AI), Some(P::Moderate), None);
        assert_eq!(well_designed(&moderate), Some(false));
    }

    #[test]
    fn low_specificity_decides_both_whatever_is_missing() {
        for specificity in [S::None, S::Low] {
            let r = ratings(Some(specificity), None, None, None);
            assert_eq!(well_designed(&r), Some(false));
            assert_eq!(starred(&r, 2016), Some(false));
            assert_eq!(starred(&r, 2012), Some(false));
        }
    }

    #[test]
    fn missing_inputs_leave_the_verdict_unknown() {
        let no_impact = ratings(Some(S::High), Some(AI), None, Some(C::Complete));
        assert_eq!(well_designed(&no_impact), None);
        assert_eq!(starred(&no_impact, 2016), None);
        let no_relevance = ratings(
            Some(S::High),
            None,
            Some(P::Transformative),
            Some(C::Complete),
        );
        assert_eq!(well_designed(&no_relevance), None);
        let no_completion = ratings(Some(S::High), Some(AI), Some(P::Transformative), None);
        assert_eq!(well_designed(&no_completion), Some(true));
        assert_eq!(starred(&no_completion, 2016), None);
        assert_eq!(well_designed(&Ratings::default()), None);
        assert_eq!(starred(&Ratings::default(), 2016), None);
    }

    #[test]
    fn starred_needs_a_core_value_and_completion() {
        let full = ratings(
            Some(S::Medium),
            Some(AI),
            Some(P::Transformative),
            Some(C::Substantial),
        );
        assert_eq!(starred(&full, 2016), Some(true));
        let complete = ratings(
            Some(S::High),
            Some(AI),
            Some(P::Transformative),
            Some(C::Complete),
        );
        assert_eq!(starred(&complete, 2016), Some(true));
        let tech = ratings(
            Some(S::High),
            Some(TECH_ONLY),
            Some(P::Transformative),
            Some(C::Complete),
        );
        assert_eq!(
            starred(&tech, 2016),
            Some(false),
            "technology alone does not qualify"
        );
        let limited = ratings(
            Some(S::High),
            Some(AI),
            Some(P::Transformative),
            Some(C::Limited),
        );
        assert_eq!(starred(&limited, 2016), Some(false));
        // Completion decides `false` even when other ratings are missing.
        let limited_only = ratings(None, None, None, Some(C::Limited));
        assert_eq!(starred(&limited_only, 2016), Some(false));
    }

    #[test]
    fn moderate_impact_stars_only_reports_written_before_2015() {
        let moderate = ratings(
            Some(S::High),
            Some(AI),
            Some(P::Moderate),
            Some(C::Complete),
        );
        assert_eq!(starred(&moderate, 2014), Some(true));
        assert_eq!(starred(&moderate, 2015), Some(false));
        assert_eq!(starred(&moderate, 2018), Some(false));
        let minor = ratings(Some(S::High), Some(AI), Some(P::Minor), Some(C::Complete));
        assert_eq!(starred(&minor, 2012), Some(false));
        let transformative = ratings(
            Some(S::High),
            Some(AI),
            Some(P::Transformative),
            Some(C::Complete),
        );
        assert_eq!(starred(&transformative, 2012), Some(true));
    }

    #[test]
    fn any_criterion_makes_a_plan_contrary_to_process() {
        assert_eq!(acted_contrary(&[Some(false), Some(true), None]), Some(true));
        assert_eq!(acted_contrary(&[Some(false), None]), None);
        assert_eq!(acted_contrary(&[Some(false), Some(false)]), Some(false));
        assert_eq!(acted_contrary(&[None, None, None]), None);
    }

    #[test]
    fn published_verdicts_win_unless_contradicted() {
        use VerdictBasis::{Derived, Published};
        assert_eq!(
            resolve(Some(false), None),
            Ok(Verdict {
                value: Some(false),
                basis: Some(Published)
            })
        );
        assert_eq!(
            resolve(Some(true), Some(true)),
            Ok(Verdict {
                value: Some(true),
                basis: Some(Published)
            })
        );
        assert_eq!(
            resolve(None, Some(false)),
            Ok(Verdict {
                value: Some(false),
                basis: Some(Derived)
            })
        );
        assert_eq!(
            resolve(None, None),
            Ok(Verdict {
                value: None,
                basis: None
            })
        );
        assert_eq!(resolve(Some(true), Some(false)), Err(false));
    }
}

//! The controlled vocabularies of the API (API.md): every enum a client sends or reads.
//!
//! Each is a `snake_case` string on the wire and a CHECKed `text` column in the database; the
//! `text_enum!` macro keeps the Rust type, its JSON form, its spec and its SQL form as one.

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// Defines a string enum with serde, utoipa and diesel (`text`) support.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        // `rename_all`, not a per-variant rename: utoipa reads it, and the unit test
        // `wire_form_round_trips` checks it agrees with the SQL form below.
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in the order of the scale.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every wire form, in the order of the scale.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// What each value means (its doc comment), in the order of [`Self::NAMES`]; the
            /// spec lists them per value (`x-enumDescriptions`).
            pub const DESCRIPTIONS: &'static [&'static str] = &[$(concat!($($vdoc, "\n",)*)),+];

            /// The wire (and database) form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The wire forms, comma-separated, for error messages.
            pub fn allowed() -> String {
                Self::NAMES.join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("must be one of: {}", $name::allowed())),
                }
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                text.parse().map_err(Into::into)
            }
        }
    };
}

text_enum! {
    /// OGP region of a member country.
    Region {
        /// Africa and the Middle East (e.g. Ghana, Kenya, Morocco).
        AfricaMiddleEast = "africa_middle_east",
        /// North, Central and South America and the Caribbean (e.g. Mexico, Brazil).
        Americas = "americas",
        /// Asia and the Pacific (e.g. Indonesia, the Philippines).
        AsiaPacific = "asia_pacific",
        /// Europe (e.g. Ukraine, Spain).
        Europe = "europe",
    }
}

text_enum! {
    /// A country's standing in OGP.
    MembershipStatus {
        /// A participating member in good standing.
        Active = "active",
        /// Designated inactive by the OGP Steering Committee (e.g. for acting contrary to the process).
        Inactive = "inactive",
        /// Under procedural review by the Criteria and Standards Subcommittee.
        UnderReview = "under_review",
        /// Has left OGP.
        Withdrawn = "withdrawn",
    }
}

text_enum! {
    /// What kind of subnational government an OGP Local member is.
    LocalMemberKind {
        /// A city, town, metropolitan assembly or other municipal government.
        Municipality = "municipality",
        /// A state or province of a federal or provincial country.
        StateOrProvince = "state_or_province",
        /// A region, county or other intermediate government.
        Region = "region",
        /// Any other subnational government.
        Other = "other",
    }
}

text_enum! {
    /// Whether an action plan is a country's own (national) or one of its local members'.
    PlanLevel {
        /// A country's plan (`local_member_slug` is null).
        National = "national",
        /// An OGP Local member's plan (`local_member_slug` is set).
        Local = "local",
    }
}

text_enum! {
    /// Where an action plan is in its two-year cycle.
    PlanStatus {
        /// Being co-created; not yet submitted to OGP.
        Draft = "draft",
        /// Submitted to OGP; implementation not started.
        Submitted = "submitted",
        /// Within its implementation period.
        Implementing = "implementing",
        /// Its implementation period has ended.
        Completed = "completed",
    }
}

text_enum! {
    /// The IAP2 level of public influence reached while co-creating the plan.
    PublicInfluence {
        /// No consultation with the public.
        NoConsultation = "no_consultation",
        /// The public was informed about the plan.
        Inform = "inform",
        /// The public could give input.
        Consult = "consult",
        /// The government gave feedback on how public input was taken into account.
        Involve = "involve",
        /// Iterative dialogue: the public helped set the agenda.
        Collaborate = "collaborate",
        /// The government handed decision-making power to the public.
        Empower = "empower",
    }
}

text_enum! {
    /// One of the four OGP values.
    OgpValue {
        /// Access to information held by the government.
        AccessToInformation = "access_to_information",
        /// Opportunities for the public to inform or influence decisions.
        CivicParticipation = "civic_participation",
        /// Rules and mechanisms that hold officials answerable for their actions.
        PublicAccountability = "public_accountability",
        /// Technology and innovation for openness and accountability.
        TechnologyAndInnovation = "technology_and_innovation",
    }
}

text_enum! {
    /// Progress of one milestone.
    MilestoneStatus {
        /// Work has not begun.
        NotStarted = "not_started",
        /// Work has begun and is not finished.
        InProgress = "in_progress",
        /// Done.
        Completed = "completed",
    }
}

text_enum! {
    /// The IRM report a finding comes from, by era (docs/irm-method.md): `progress_report`
    /// (2012–2016), `mid_term_report` and `end_of_term_report` (2016–2019), `design_report`,
    /// `implementation_report` and `transitional_results_report` (2019–2021),
    /// `co_creation_brief`, `action_plan_review` and `results_report` (IRM products from 2021).
    Report {
        /// Year-one progress report (2012–2016; the first cohort's only report).
        ProgressReport = "progress_report",
        /// Mid-term (year 1) report, 2016–2019.
        MidTermReport = "mid_term_report",
        /// End-of-term (year 2) report, 2016–2019.
        EndOfTermReport = "end_of_term_report",
        /// Design report on a plan's commitments, 2019–2021.
        DesignReport = "design_report",
        /// Implementation report, 2019–2021 (plans of 2017–2019).
        ImplementationReport = "implementation_report",
        /// Transitional results report, 2020–2021 (plans of 2018–2020/21).
        TransitionalResultsReport = "transitional_results_report",
        /// Co-creation brief, before a plan is written (from 2021); holds no assessments.
        CoCreationBrief = "co_creation_brief",
        /// Action plan review, after a plan is submitted (from 2021).
        ActionPlanReview = "action_plan_review",
        /// Results report, after a plan ends (from 2021).
        ResultsReport = "results_report",
    }
}

text_enum! {
    /// What an IRM finding states: a commitment assessment, the process verdict, the performance
    /// narrative, a numbered recommendation, or the report's headline summary.
    FindingKind {
        /// The IRM's ratings and verdicts on one commitment.
        Assessment = "assessment",
        /// The verdict on the plan's co-creation process (e.g. public influence, acted contrary to process).
        Process = "process",
        /// The report's narrative on how the plan performed.
        Performance = "performance",
        /// One numbered recommendation of the report.
        Recommendation = "recommendation",
        /// The report's headline summary.
        Summary = "summary",
    }
}

text_enum! {
    /// IRM rating: how specific and measurable the commitment is.
    Specificity {
        /// Nothing verifiable or measurable.
        None = "none",
        /// Describes an activity that can be read as measurable with some interpretation.
        Low = "low",
        /// Verifiable activities, but no clearly measurable deliverables.
        Medium = "medium",
        /// Clear, measurable and verifiable activities and deliverables.
        High = "high",
    }
}

text_enum! {
    /// IRM rating: the change the commitment could bring if fully implemented.
    PotentialImpact {
        /// Would not change how the government works.
        None = "none",
        /// An incremental but positive step.
        Minor = "minor",
        /// A major step forward in the policy area, though limited in scale or scope.
        Moderate = "moderate",
        /// Could transform 'business as usual' in the policy area.
        Transformative = "transformative",
    }
}

text_enum! {
    /// IRM rating (2020+ method): the commitment's potential for results.
    PotentialForResults {
        /// The expected results are not clear.
        Unclear = "unclear",
        /// A positive but stand-alone initiative or change.
        Modest = "modest",
        /// Could change rules, practices or policies in a binding or lasting way.
        Substantial = "substantial",
    }
}

text_enum! {
    /// IRM rating: how far the commitment was implemented, on the IRM's five-point scale (a
    /// commitment taken out of its plan is the commitment's `withdrawn`, not a level here).
    Completion {
        /// No evidence was available to assess completion.
        NoEvidence = "no_evidence",
        /// Implementation had not started.
        NotStarted = "not_started",
        /// Limited implementation.
        Limited = "limited",
        /// Substantially implemented.
        Substantial = "substantial",
        /// Fully implemented.
        Complete = "complete",
    }
}

text_enum! {
    /// IRM rating: "did it open government?"
    DidItOpenGovernment {
        /// Government openness got worse.
        Worsened = "worsened",
        /// Government practice did not change.
        DidNotChange = "did_not_change",
        /// A marginal change in government openness.
        Marginal = "marginal",
        /// A step forward for government openness, but limited in scope or scale.
        Major = "major",
        /// A reform that has transformed 'business as usual'.
        Outstanding = "outstanding",
    }
}

text_enum! {
    /// IRM rating (results reports of plans from 2021): the commitment's early results. Only the
    /// levels seen in the IRM's published reports are accepted; the full list of the indicator's
    /// levels could not be confirmed (docs/irm-method.md).
    EarlyResults {
        /// "moderate early results" (Ghana and Brazil results reports 2021–2023).
        Moderate = "moderate",
        /// "significant" results (the Commitment Tracker's key; Brazil results report).
        Significant = "significant",
        /// "outstanding" results (Mexico results report 2019–2022).
        Outstanding = "outstanding",
    }
}

text_enum! {
    /// Where a verdict comes from: recorded as the IRM `published` it, `derived` by the server
    /// from the ratings by the rule of its era, or `not_applicable` (the IRM did not give this
    /// verdict on this report; the value is then `null`).
    VerdictBasis {
        /// Recorded as the IRM printed it.
        Published = "published",
        /// Computed from the ratings by the rule of the report's era.
        Derived = "derived",
        /// The IRM did not give this verdict on this kind of report in that era.
        NotApplicable = "not_applicable",
    }
}

text_enum! {
    /// How `/stats/commitments` groups commitments.
    GroupBy {
        /// The plan's country (its code).
        Country = "country",
        /// The plan (its id).
        ActionPlan = "action_plan",
        /// The commitment's theme.
        Theme = "theme",
        /// The IRM report type: every assessment counts in its report.
        Report = "report",
        /// The IRM's era (`2012-2016`, `2016-2019`, `2019-2021`, `2021-`): each commitment
        /// counts once per era, with its latest assessment of that era.
        Era = "era",
        /// The plan's OGP Local member (its slug); `null`: national plans.
        LocalMember = "local_member",
        /// The plan's level: `national` (a country's plan) or `local` (an OGP Local member's).
        Level = "level",
    }
}

/// Each enum of the spec: its schema name, its values and what each value means.
pub type Described = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

macro_rules! described {
    ($($name:ident),+ $(,)?) => {
        /// Every enum of this module, for the spec's per-value descriptions.
        pub const DESCRIBED: &[Described] =
            &[$((stringify!($name), $name::NAMES, $name::DESCRIPTIONS)),+];
    };
}

described!(
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

/// Whether `code` has the form of an ISO 3166-1 alpha-3 country code (`^[A-Z]{3}$`), the key
/// of a country.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Whether `slug` has the form of a local member's slug (`^[a-z0-9]+(-[a-z0-9]+)*$`, at most
/// 100 characters), the key of a local member.
/// The one slug no local member may take: `/local-members/groups` is the groupings' route.
pub const RESERVED_SLUG: &str = "groups";

pub fn is_local_member_slug(slug: &str) -> bool {
    // `groups` is the name of a route beside `/local-members/{slug}` (`/local-members/groups`):
    // a member by that name could not be read back.
    slug != RESERVED_SLUG
        && !slug.is_empty()
        && slug.len() <= 100
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_described() {
        for (name, values, descriptions) in DESCRIBED {
            assert_eq!(values.len(), descriptions.len(), "{name}");
            for (value, description) in values.iter().zip(descriptions.iter()) {
                assert!(
                    !description.trim().is_empty(),
                    "{name}::{value} has no doc comment"
                );
            }
        }
    }

    #[test]
    fn wire_form_round_trips() {
        fn check<T: serde::Serialize + std::fmt::Display>(values: &[T]) {
            for value in values {
                let json = serde_json::to_string(value).unwrap();
                assert_eq!(json, format!("\"{value}\""));
            }
        }
        check(Region::ALL);
        check(MembershipStatus::ALL);
        check(LocalMemberKind::ALL);
        check(PlanLevel::ALL);
        check(PlanStatus::ALL);
        check(PublicInfluence::ALL);
        check(OgpValue::ALL);
        check(MilestoneStatus::ALL);
        check(Report::ALL);
        check(FindingKind::ALL);
        check(Specificity::ALL);
        check(PotentialImpact::ALL);
        check(PotentialForResults::ALL);
        check(DidItOpenGovernment::ALL);
        check(EarlyResults::ALL);
        check(VerdictBasis::ALL);
        for value in Completion::ALL {
            assert_eq!(value.as_str().parse::<Completion>(), Ok(*value));
            let json = serde_json::to_string(value).unwrap();
            assert_eq!(json, format!("\"{}\"", value.as_str()));
        }
    }

    #[test]
    fn unknown_value_lists_the_allowed_ones() {
        let error = "subtantial".parse::<Completion>().unwrap_err();
        assert!(error.contains("no_evidence, not_started, limited, substantial"));
    }
}

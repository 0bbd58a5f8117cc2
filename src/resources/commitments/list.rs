//! What the commitment list offers (its own fields, its plan's, and its IRM assessments'),
//! and its embedded children.

use super::model::Commitment;
use crate::error::ApiError;
use crate::listing::group_by;
use crate::listing::groups::{GroupsSpec, Pick, Rollup};
use crate::listing::include::{self, Parent, Source};
use crate::listing::spec::{Field, Group, Kind, ListSpec};
use crate::resources::irm_findings::{self, model::IrmFinding};
use crate::resources::milestones::{self, model::Milestone};
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, OgpValue, PlanLevel, PotentialForResults,
    PotentialImpact, Report, Specificity, VerdictBasis,
};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

/// Filters on the commitment's plan.
const PLAN: &str = "plan";
/// Filters on one IRM assessment of the commitment: all must hold for the same assessment.
const ASSESSMENT: &str = "assessment";

pub static SPEC: ListSpec = ListSpec {
    from: "commitments c",
    // Every column but the stored search document, which only the database reads.
    select: concat!(
        "c.id, c.action_plan_id, c.number, c.reference, c.title, c.description, c.theme, ",
        "c.lead_institution, c.ogp_values, c.start_date, c.end_date, c.withdrawn, ",
        "c.created_at, c.updated_at, c.version",
    ),
    key: Field::filter("id", "c.id", Kind::BigInt, "Id").sortable(false),
    fields: &[
        Field::filter(
            "action_plan_id",
            "c.action_plan_id",
            Kind::BigInt,
            "Action plan",
        )
        .required(),
        Field::filter("number", "c.number", Kind::Int, "Number within the plan")
            .sortable(false)
            .ranged(),
        Field::filter("reference", "c.reference", Kind::Text, "OGP commitment id"),
        Field::filter("title", "c.title", Kind::Text, "Title").sortable(false),
        Field::filter("theme", "c.theme", Kind::Text, "Theme").sortable(true),
        Field::filter(
            "lead_institution",
            "c.lead_institution",
            Kind::Text,
            "Lead institution",
        ),
        Field::filter(
            "ogp_values",
            "c.ogp_values",
            Kind::Values(OgpValue::NAMES),
            "OGP values",
        )
        .required(),
        Field::filter("start_date", "c.start_date", Kind::Date, "Planned start")
            .sortable(true)
            .ranged(),
        Field::filter("end_date", "c.end_date", Kind::Date, "Planned end")
            .sortable(true)
            .ranged(),
        Field::filter(
            "withdrawn",
            "c.withdrawn",
            Kind::Bool,
            "Taken out of its plan during implementation",
        )
        .required(),
        Field::filter(
            "country_code",
            "p.country_code",
            Kind::Text,
            "The plan's country",
        )
        .sortable(false)
        .in_group(PLAN),
        Field::filter(
            "local_member_slug",
            "p.local_member_slug",
            Kind::Text,
            "The plan's OGP Local member (its slug)",
        )
        .in_group(PLAN),
        Field::filter(
            "level",
            "(CASE WHEN p.local_member_slug IS NULL THEN 'national' ELSE 'local' END)",
            Kind::Enum(PlanLevel::NAMES),
            "The plan's level: `national` (a country's) or `local` (an OGP Local member's)",
        )
        // Never null: a plan without a member is a national one.
        .required()
        .in_group(PLAN),
        Field::filter(
            "plan_start_year",
            "p.start_year",
            Kind::Int,
            "The plan's first year",
        )
        .sortable(false)
        .ranged()
        .in_group(PLAN),
        Field::filter(
            "plan_end_year",
            "p.end_year",
            Kind::Int,
            "The plan's last year",
        )
        .sortable(false)
        .ranged()
        .in_group(PLAN),
        Field::filter(
            "report",
            "f.report",
            Kind::Enum(Report::NAMES),
            "Assessed in this IRM report",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "specificity",
            "f.specificity",
            Kind::Enum(Specificity::NAMES),
            "IRM specificity",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "potential_impact",
            "f.potential_impact",
            Kind::Enum(PotentialImpact::NAMES),
            "IRM potential impact",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "potential_for_results",
            "f.potential_for_results",
            Kind::Enum(PotentialForResults::NAMES),
            "IRM potential for results",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "completion",
            "f.completion",
            Kind::Enum(Completion::NAMES),
            "IRM completion",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "did_it_open_government",
            "f.did_it_open_government",
            Kind::Enum(DidItOpenGovernment::NAMES),
            "IRM \"did it open government?\"",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "well_designed",
            "f.well_designed",
            Kind::Bool,
            "IRM verdict: well-designed",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "well_designed_basis",
            "f.well_designed_basis",
            Kind::Enum(VerdictBasis::NAMES),
            "Where the IRM well-designed verdict comes from",
        )
        .in_group(ASSESSMENT),
        Field::filter("starred", "f.starred", Kind::Bool, "IRM verdict: starred")
            .in_group(ASSESSMENT),
        Field::filter(
            "starred_basis",
            "f.starred_basis",
            Kind::Enum(VerdictBasis::NAMES),
            "Where the IRM starred verdict comes from",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "verifiable",
            "f.verifiable",
            Kind::Bool,
            "IRM rating: verifiable",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "open_government_lens",
            "f.open_government_lens",
            Kind::Bool,
            "IRM rating: open government lens",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "early_results",
            "f.early_results",
            Kind::Enum(EarlyResults::NAMES),
            "IRM early results",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "potentially_starred",
            "f.potentially_starred",
            Kind::Bool,
            "IRM verdict: potentially starred",
        )
        .in_group(ASSESSMENT),
        Field::filter(
            "promising",
            "f.promising",
            Kind::Bool,
            "IRM verdict: promising commitment",
        )
        .in_group(ASSESSMENT),
    ],
    groups: &[
        Group {
            name: PLAN,
            template: "c.action_plan_id IN (SELECT p.id FROM action_plans p WHERE {})",
            join: Some("JOIN action_plans p ON p.id = c.action_plan_id"),
        },
        Group {
            name: ASSESSMENT,
            template: "EXISTS (SELECT 1 FROM irm_findings f WHERE f.commitment_id = c.id \
                       AND f.kind = 'assessment' AND {})",
            join: None,
        },
    ],
    search: Some("c.search"),
    includes: &[
        "milestones",
        "irm_findings",
        "action_plan",
        "country",
        "action_plan.country",
    ],
    parents: &[
        Parent::by("action_plan", "action_plans", "action_plan_id"),
        Parent::through("country", "countries", "action_plan", "country_code"),
    ],
    updated_at: "c.updated_at",
};

crate::listing::docs::list_params!(CommitmentListParams, SPEC);
crate::listing::docs::item_params!(CommitmentItemParams, SPEC);

/// Commitments embedded as parents (`include=commitment` on milestones and findings).
pub const SOURCE: Source = Source {
    collection: "commitments",
    spec: &SPEC,
    fetch: include::fetch::<Commitment>,
    columns: crate::listing::export::columns::<Commitment>,
};

/// What `/commitments/groups` offers: the commitment's own fields, its plan's, and its
/// assessment's: the latest one (in report order), or with `report=` (`report_not=`) the
/// latest of those reports, as `/stats/commitments` counts them.
pub static GROUPS: GroupsSpec = GroupsSpec {
    list: &SPEC,
    picks: &[Pick {
        group: ASSESSMENT,
        lateral: "LEFT JOIN LATERAL (SELECT f.* FROM irm_findings f WHERE f.commitment_id = c.id \
                  AND f.kind = 'assessment' AND {} ORDER BY ogp_report_rank(f.report) DESC \
                  LIMIT 1) f ON true",
        choosers: &["report"],
        // An assessment is unique per commitment and report (`irm_findings_assessment_key`).
        unique: Some(
            "LEFT JOIN irm_findings f ON f.commitment_id = c.id AND f.kind = 'assessment' \
             AND {}",
        ),
        // The trigger-kept latest assessment (migration `…_commitment_facts`).
        kept: Some((
            "LEFT JOIN commitment_facts f ON f.commitment_id = c.id",
            &[
                "report",
                "completion",
                "potential_impact",
                "well_designed",
                "starred",
            ],
        )),
    }],
    // Unfiltered groupings by these sum the trigger-kept rollup (≈ 70 000 rows for a million
    // commitments) instead of reading every commitment.
    rollup: Some(Rollup {
        from: "commitment_rollup r",
        count: "r.commitments",
        fields: &[
            ("country_code", "r.country_code"),
            ("theme", "r.theme"),
            ("completion", "r.completion"),
            ("potential_impact", "r.potential_impact"),
            ("well_designed", "r.well_designed"),
            ("starred", "r.starred"),
        ],
    }),
};

crate::listing::groups::groups_params!(CommitmentGroupsParams, GROUPS);

/// A commitment in a list, with the children named by `include=`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentListItem {
    #[serde(flatten)]
    pub commitment: Commitment,
    /// The commitment's milestones, by position (only with `include=milestones`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<Milestone>>,
    /// The IRM's findings about the commitment, by id (only with `include=irm_findings`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub irm_findings: Option<Vec<IrmFinding>>,
    /// The commitment's plan (`include=action_plan`), embedded by `listing::include` after
    /// serialization: always `None` here, declared for the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = action_plan_schema)]
    pub action_plan: Option<Value>,
    /// Its plan's country (`include=country`), embedded as `action_plan` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = country_schema)]
    pub country: Option<Value>,
}

fn action_plan_schema() -> RefOr<Schema> {
    include::parent_schema(
        "ActionPlan",
        &[("country", "Country")],
        "The commitment's action plan, as its own GET answers it (only with \
         `include=action_plan` or `action_plan.country`)",
    )
}

fn country_schema() -> RefOr<Schema> {
    include::parent_schema(
        "Country",
        &[],
        "The country of the commitment's plan, as its own GET answers it (only with \
         `include=country`)",
    )
}

/// Adds the requested children to a page of commitments: one query per collection.
pub async fn embed(
    conn: &mut AsyncPgConnection,
    rows: Vec<Commitment>,
    includes: &[&'static str],
) -> Result<Vec<CommitmentListItem>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut milestones = match includes.contains(&"milestones") {
        true => Some(group_by(
            milestones::query::of_commitments(conn, &ids).await?,
            |m| m.commitment_id,
        )),
        false => None,
    };
    let mut findings = match includes.contains(&"irm_findings") {
        true => Some(group_by(
            irm_findings::query::of_commitments(conn, &ids).await?,
            |f| f.commitment_id.unwrap_or_default(),
        )),
        false => None,
    };
    Ok(rows
        .into_iter()
        .map(|commitment| CommitmentListItem {
            milestones: milestones
                .as_mut()
                .map(|by_commitment| by_commitment.remove(&commitment.id).unwrap_or_default()),
            irm_findings: findings
                .as_mut()
                .map(|by_commitment| by_commitment.remove(&commitment.id).unwrap_or_default()),
            commitment,
            action_plan: None,
            country: None,
        })
        .collect())
}

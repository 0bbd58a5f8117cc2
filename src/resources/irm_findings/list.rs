//! What the IRM finding list offers.

use super::model::IrmFinding;
use crate::error::ApiError;
use crate::listing::groups::GroupsSpec;
use crate::listing::include::{self, Parent};
use crate::listing::spec::{Field, Kind, ListSpec};
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, FindingKind, OgpValue, PotentialForResults,
    PotentialImpact, Report, Specificity, VerdictBasis,
};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

pub static SPEC: ListSpec = ListSpec {
    from: "irm_findings f",
    // Every column but the stored search document, which only the database reads.
    select: concat!(
        "f.id, f.action_plan_id, f.commitment_id, f.report, f.kind, f.title, f.body, ",
        "f.position, f.published_on, f.source_url, f.specificity, f.relevance, ",
        "f.potential_impact, f.potential_for_results, f.completion, ",
        "f.did_it_open_government, f.verifiable, f.open_government_lens, f.early_results, ",
        "f.well_designed, f.well_designed_basis, f.starred, f.starred_basis, ",
        "f.potentially_starred, f.potentially_starred_basis, f.promising, f.promising_basis, ",
        "f.no_public_engagement, f.irm_not_engaged, f.late_action_plan, ",
        "f.iap2_minimum_not_met, f.no_online_repository, f.co_creation_minimum_not_met, ",
        "f.no_progress_on_any_commitment, f.acted_contrary_to_process, ",
        "f.acted_contrary_to_process_basis, f.created_at, f.updated_at, f.version",
    ),
    key: Field::filter("id", "f.id", Kind::BigInt, "Id").sortable(false),
    fields: &[
        Field::filter(
            "action_plan_id",
            "f.action_plan_id",
            Kind::BigInt,
            "Action plan",
        )
        .required(),
        Field::filter(
            "commitment_id",
            "f.commitment_id",
            Kind::BigInt,
            "Commitment",
        ),
        Field::filter(
            "report",
            "f.report",
            Kind::Enum(Report::NAMES),
            "IRM report",
        )
        .required(),
        Field::filter(
            "kind",
            "f.kind",
            Kind::Enum(FindingKind::NAMES),
            "Kind of finding",
        )
        .required(),
        Field::filter("title", "f.title", Kind::Text, "Title").sortable(true),
        Field::filter(
            "position",
            "f.position",
            Kind::Int,
            "Position within the report",
        )
        .sortable(true)
        .ranged(),
        Field::filter(
            "published_on",
            "f.published_on",
            Kind::Date,
            "Publication date",
        )
        .sortable(true)
        .ranged(),
        Field::filter(
            "specificity",
            "f.specificity",
            Kind::Enum(Specificity::NAMES),
            "Specificity",
        ),
        Field::filter(
            "relevance",
            "f.relevance",
            Kind::Values(OgpValue::NAMES),
            "Relevance",
        ),
        Field::filter(
            "potential_impact",
            "f.potential_impact",
            Kind::Enum(PotentialImpact::NAMES),
            "Potential impact",
        ),
        Field::filter(
            "potential_for_results",
            "f.potential_for_results",
            Kind::Enum(PotentialForResults::NAMES),
            "Potential for results",
        ),
        Field::filter(
            "completion",
            "f.completion",
            Kind::Enum(Completion::NAMES),
            "Completion",
        ),
        Field::filter(
            "did_it_open_government",
            "f.did_it_open_government",
            Kind::Enum(DidItOpenGovernment::NAMES),
            "Did it open government?",
        ),
        Field::filter(
            "verifiable",
            "f.verifiable",
            Kind::Bool,
            "Verifiable (2019+ reports)",
        ),
        Field::filter(
            "open_government_lens",
            "f.open_government_lens",
            Kind::Bool,
            "Open government lens (2021+ reports)",
        ),
        Field::filter(
            "early_results",
            "f.early_results",
            Kind::Enum(EarlyResults::NAMES),
            "Early results (results reports of plans from 2021)",
        ),
        Field::filter(
            "well_designed",
            "f.well_designed",
            Kind::Bool,
            "Well-designed verdict",
        ),
        Field::filter(
            "well_designed_basis",
            "f.well_designed_basis",
            Kind::Enum(VerdictBasis::NAMES),
            "Where `well_designed` comes from",
        ),
        Field::filter("starred", "f.starred", Kind::Bool, "Starred verdict"),
        Field::filter(
            "starred_basis",
            "f.starred_basis",
            Kind::Enum(VerdictBasis::NAMES),
            "Where `starred` comes from",
        ),
        Field::filter(
            "potentially_starred",
            "f.potentially_starred",
            Kind::Bool,
            "Potentially starred verdict (design reports)",
        ),
        Field::filter(
            "potentially_starred_basis",
            "f.potentially_starred_basis",
            Kind::Enum(VerdictBasis::NAMES),
            "Where `potentially_starred` comes from",
        ),
        Field::filter(
            "promising",
            "f.promising",
            Kind::Bool,
            "Promising commitment (action plan reviews)",
        ),
        Field::filter(
            "promising_basis",
            "f.promising_basis",
            Kind::Enum(VerdictBasis::NAMES),
            "Where `promising` comes from",
        ),
        Field::filter(
            "no_public_engagement",
            "f.no_public_engagement",
            Kind::Bool,
            "Process criterion: no public engagement",
        ),
        Field::filter(
            "irm_not_engaged",
            "f.irm_not_engaged",
            Kind::Bool,
            "Process criterion: IRM not engaged",
        ),
        Field::filter(
            "late_action_plan",
            "f.late_action_plan",
            Kind::Bool,
            "Process criterion: late action plan",
        ),
        Field::filter(
            "iap2_minimum_not_met",
            "f.iap2_minimum_not_met",
            Kind::Bool,
            "Process criterion: IAP2 minimum not met",
        ),
        Field::filter(
            "no_online_repository",
            "f.no_online_repository",
            Kind::Bool,
            "Process criterion: no online repository",
        ),
        Field::filter(
            "co_creation_minimum_not_met",
            "f.co_creation_minimum_not_met",
            Kind::Bool,
            "Process criterion: co-creation standards' minimum not met",
        ),
        Field::filter(
            "no_progress_on_any_commitment",
            "f.no_progress_on_any_commitment",
            Kind::Bool,
            "Process criterion: no progress on any commitment",
        ),
        Field::filter(
            "acted_contrary_to_process",
            "f.acted_contrary_to_process",
            Kind::Bool,
            "Process verdict: acted contrary to OGP process",
        ),
        Field::filter(
            "acted_contrary_to_process_basis",
            "f.acted_contrary_to_process_basis",
            Kind::Enum(VerdictBasis::NAMES),
            "Where `acted_contrary_to_process` comes from",
        ),
    ],
    groups: &[],
    search: Some("f.search"),
    includes: &[
        "commitment",
        "action_plan",
        "country",
        "commitment.action_plan",
        "commitment.country",
        "action_plan.country",
    ],
    parents: &[
        Parent::by("commitment", "commitments", "commitment_id"),
        Parent::by("action_plan", "action_plans", "action_plan_id"),
        Parent::through("country", "countries", "action_plan", "country_code"),
    ],
    updated_at: "f.updated_at",
};

crate::listing::docs::list_params!(IrmFindingListParams, SPEC);
crate::listing::docs::item_params!(IrmFindingItemParams, SPEC);

/// A finding in a list (or an item GET with `include`), with the parents `include=` names.
#[derive(Debug, Serialize, ToSchema)]
pub struct IrmFindingListItem {
    #[serde(flatten)]
    pub finding: IrmFinding,
    /// The finding's commitment (`include=commitment`; `null` for a finding about a whole
    /// plan), embedded by `listing::include` after serialization: always `None` here.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = commitment_schema)]
    pub commitment: Option<Value>,
    /// The finding's plan (`include=action_plan`), embedded as `commitment` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = action_plan_schema)]
    pub action_plan: Option<Value>,
    /// The plan's country (`include=country`), embedded as `commitment` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = country_schema)]
    pub country: Option<Value>,
}

fn commitment_schema() -> RefOr<Schema> {
    include::parent_schema(
        "Commitment",
        &[("action_plan", "ActionPlan"), ("country", "Country")],
        "The finding's commitment, as its own GET answers it; `null` for a finding about a \
         whole plan (only with `include=commitment` or a path under it)",
    )
}

fn action_plan_schema() -> RefOr<Schema> {
    include::parent_schema(
        "ActionPlan",
        &[("country", "Country")],
        "The finding's action plan, as its own GET answers it (only with `include=action_plan` \
         or `action_plan.country`)",
    )
}

fn country_schema() -> RefOr<Schema> {
    include::parent_schema(
        "Country",
        &[],
        "The country of the finding's plan, as its own GET answers it (only with \
         `include=country`)",
    )
}

/// Findings have no children: their rows as list items (parents come after serialization).
pub async fn embed(
    _: &mut AsyncPgConnection,
    rows: Vec<IrmFinding>,
    _: &[&'static str],
) -> Result<Vec<IrmFindingListItem>, ApiError> {
    Ok(rows
        .into_iter()
        .map(|finding| IrmFindingListItem {
            finding,
            commitment: None,
            action_plan: None,
            country: None,
        })
        .collect())
}

/// What `/irm-findings/groups` offers: every field of the list.
pub static GROUPS: GroupsSpec = GroupsSpec::plain(&SPEC);

crate::listing::groups::groups_params!(IrmFindingGroupsParams, GROUPS);

//! What the action plan list offers, and its embedded children.

use super::model::ActionPlan;
use crate::error::ApiError;
use crate::listing::group_by;
use crate::listing::groups::GroupsSpec;
use crate::listing::include::{self, Parent, Source};
use crate::listing::spec::{Field, Kind, ListSpec};
use crate::resources::commitments::{self, model::Commitment};
use crate::resources::irm_findings::{self, model::IrmFinding};
use crate::vocab::{PlanLevel, PlanStatus, PublicInfluence};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

pub static SPEC: ListSpec = ListSpec {
    from: "action_plans p",
    // Every column but the stored search document, which only the database reads.
    select: concat!(
        "p.id, p.country_code, p.local_member_slug, p.number, p.title, p.start_year, p.end_year, p.status, ",
        "p.submitted_on, p.public_influence, p.multistakeholder_forum, p.source_url, ",
        "p.created_at, p.updated_at, p.version",
    ),
    key: Field::filter("id", "p.id", Kind::BigInt, "Id").sortable(false),
    fields: &[
        Field::filter(
            "country_code",
            "p.country_code",
            Kind::Text,
            "Country (ISO 3166-1 alpha-3)",
        )
        .required(),
        Field::filter(
            "local_member_slug",
            "p.local_member_slug",
            Kind::Text,
            "OGP Local member (its slug); a local plan's",
        ),
        // Not a column: a national plan is one without a local member.
        Field::filter(
            "level",
            "(CASE WHEN p.local_member_slug IS NULL THEN 'national' ELSE 'local' END)",
            Kind::Enum(PlanLevel::NAMES),
            "`national` (a country's plan) or `local` (an OGP Local member's)",
        )
        // Never null: a plan without a member is a national one.
        .required(),
        Field::filter(
            "number",
            "p.number",
            Kind::Int,
            "The plan's ordinal for its country or local member",
        )
        .sortable(false)
        .ranged(),
        Field::filter("title", "p.title", Kind::Text, "Title").sortable(false),
        Field::filter("start_year", "p.start_year", Kind::Int, "First year")
            .sortable(false)
            .ranged(),
        Field::filter("end_year", "p.end_year", Kind::Int, "Last year")
            .sortable(false)
            .ranged(),
        Field::filter(
            "status",
            "p.status",
            Kind::Enum(PlanStatus::NAMES),
            "Status",
        )
        .required(),
        Field::filter(
            "submitted_on",
            "p.submitted_on",
            Kind::Date,
            "Submission date",
        )
        .sortable(true)
        .ranged(),
        Field::filter(
            "public_influence",
            "p.public_influence",
            Kind::Enum(PublicInfluence::NAMES),
            "IAP2 level of public influence",
        ),
        Field::filter(
            "multistakeholder_forum",
            "p.multistakeholder_forum",
            Kind::Bool,
            "Whether a multistakeholder forum oversaw the process",
        ),
        Field::filter("source_url", "p.source_url", Kind::Text, "Source URL"),
    ],
    groups: &[],
    search: Some("p.search"),
    includes: &["commitments", "irm_findings", "country", "local_member"],
    parents: &[
        Parent::by("country", "countries", "country_code"),
        // `null` for a national plan, which names no member.
        Parent::by("local_member", "local_members", "local_member_slug"),
    ],
    updated_at: "p.updated_at",
};

crate::listing::docs::list_params!(ActionPlanListParams, SPEC);
crate::listing::docs::item_params!(ActionPlanItemParams, SPEC);

/// Plans embedded as parents (`include=action_plan` on commitments and findings).
pub const SOURCE: Source = Source {
    collection: "action_plans",
    spec: &SPEC,
    fetch: include::fetch::<ActionPlan>,
    columns: crate::listing::export::columns::<ActionPlan>,
};

/// What `/action-plans/groups` offers: every field of the list.
pub static GROUPS: GroupsSpec = GroupsSpec::plain(&SPEC);

crate::listing::groups::groups_params!(ActionPlanGroupsParams, GROUPS);

/// An action plan in a list, with the children named by `include=`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionPlanListItem {
    #[serde(flatten)]
    pub action_plan: ActionPlan,
    /// The plan's commitments, by number (only with `include=commitments`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitments: Option<Vec<Commitment>>,
    /// The IRM's findings about the plan, by id (only with `include=irm_findings`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub irm_findings: Option<Vec<IrmFinding>>,
    /// The plan's country (`include=country`), embedded by `listing::include` after
    /// serialization: always `None` here, declared for the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = country_schema)]
    pub country: Option<Value>,
    /// A local plan's OGP Local member (`include=local_member`; `null` for a national plan),
    /// embedded by `listing::include` after serialization: always `None` here, declared for
    /// the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = local_member_schema)]
    pub local_member: Option<Value>,
}

fn country_schema() -> RefOr<Schema> {
    include::parent_schema(
        "Country",
        &[],
        "The plan's country, as its own GET answers it (only with `include=country`)",
    )
}

fn local_member_schema() -> RefOr<Schema> {
    include::parent_schema(
        "LocalMember",
        &[],
        "A local plan's OGP Local member, as its own GET answers it, `null` for a national plan \
         (only with `include=local_member`)",
    )
}

/// Adds the requested children to a page of plans: one query per collection.
pub async fn embed(
    conn: &mut AsyncPgConnection,
    rows: Vec<ActionPlan>,
    includes: &[&'static str],
) -> Result<Vec<ActionPlanListItem>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let mut commitments = match includes.contains(&"commitments") {
        true => Some(group_by(
            commitments::query::of_plans(conn, &ids).await?,
            |c| c.action_plan_id,
        )),
        false => None,
    };
    let mut findings = match includes.contains(&"irm_findings") {
        true => Some(group_by(
            irm_findings::query::of_plans(conn, &ids).await?,
            |f| f.action_plan_id,
        )),
        false => None,
    };
    Ok(rows
        .into_iter()
        .map(|plan| ActionPlanListItem {
            commitments: commitments
                .as_mut()
                .map(|by_plan| by_plan.remove(&plan.id).unwrap_or_default()),
            irm_findings: findings
                .as_mut()
                .map(|by_plan| by_plan.remove(&plan.id).unwrap_or_default()),
            action_plan: plan,
            country: None,
            local_member: None,
        })
        .collect())
}

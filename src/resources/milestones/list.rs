//! What the milestone list offers.

use super::model::Milestone;
use crate::error::ApiError;
use crate::listing::groups::GroupsSpec;
use crate::listing::include::{self, Parent};
use crate::listing::spec::{Field, Kind, ListSpec};
use crate::vocab::MilestoneStatus;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

pub static SPEC: ListSpec = ListSpec {
    from: "milestones m",
    // Every column but the stored search document, which only the database reads.
    select: concat!(
        "m.id, m.commitment_id, m.position, m.title, m.description, m.due_date, ",
        "m.status, m.completed_on, m.created_at, m.updated_at, m.version",
    ),
    key: Field::filter("id", "m.id", Kind::BigInt, "Id").sortable(false),
    fields: &[
        Field::filter(
            "commitment_id",
            "m.commitment_id",
            Kind::BigInt,
            "Commitment",
        )
        .required(),
        Field::filter(
            "position",
            "m.position",
            Kind::Int,
            "Position within the commitment",
        )
        .sortable(false)
        .ranged(),
        Field::filter("title", "m.title", Kind::Text, "Title").sortable(false),
        Field::filter("due_date", "m.due_date", Kind::Date, "Due date")
            .sortable(true)
            .ranged(),
        Field::filter(
            "status",
            "m.status",
            Kind::Enum(MilestoneStatus::NAMES),
            "Progress",
        )
        .required(),
        Field::filter(
            "completed_on",
            "m.completed_on",
            Kind::Date,
            "Completion date",
        )
        .sortable(true)
        .ranged(),
    ],
    groups: &[],
    search: Some("m.search"),
    includes: &["commitment", "commitment.action_plan", "commitment.country"],
    parents: &[Parent::by("commitment", "commitments", "commitment_id")],
    updated_at: "m.updated_at",
};

crate::listing::docs::list_params!(MilestoneListParams, SPEC);
crate::listing::docs::item_params!(MilestoneItemParams, SPEC);

/// A milestone in a list (or an item GET with `include`), with the parent `include=` names.
#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneListItem {
    #[serde(flatten)]
    pub milestone: Milestone,
    /// The milestone's commitment (`include=commitment`), embedded by `listing::include` after
    /// serialization: always `None` here, declared for the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = commitment_schema)]
    pub commitment: Option<Value>,
}

fn commitment_schema() -> RefOr<Schema> {
    include::parent_schema(
        "Commitment",
        &[("action_plan", "ActionPlan"), ("country", "Country")],
        "The milestone's commitment, as its own GET answers it (only with `include=commitment` \
         or a path under it)",
    )
}

/// Milestones have no children: their rows as list items (parents come after serialization).
pub async fn embed(
    _: &mut AsyncPgConnection,
    rows: Vec<Milestone>,
    _: &[&'static str],
) -> Result<Vec<MilestoneListItem>, ApiError> {
    Ok(rows
        .into_iter()
        .map(|milestone| MilestoneListItem {
            milestone,
            commitment: None,
        })
        .collect())
}

/// What `/milestones/groups` offers: every field of the list.
pub static GROUPS: GroupsSpec = GroupsSpec::plain(&SPEC);

crate::listing::groups::groups_params!(MilestoneGroupsParams, GROUPS);

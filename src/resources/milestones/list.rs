//! What the milestone list offers.

use crate::listing::groups::GroupsSpec;
use crate::listing::spec::{Field, Kind, ListSpec};
use crate::vocab::MilestoneStatus;

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
    includes: &[],
    updated_at: "m.updated_at",
};

crate::listing::docs::list_params!(MilestoneListParams, SPEC);

/// What `/milestones/groups` offers: every field of the list.
pub static GROUPS: GroupsSpec = GroupsSpec::plain(&SPEC);

crate::listing::groups::groups_params!(MilestoneGroupsParams, GROUPS);

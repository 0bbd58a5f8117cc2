//! What the local member list offers, and its embedded children.

use super::model::LocalMember;
use crate::error::ApiError;
use crate::listing::group_by;
use crate::listing::groups::GroupsSpec;
use crate::listing::include::{self, Source};
use crate::listing::spec::{Field, Kind, ListSpec};
use crate::resources::action_plans::{self, model::ActionPlan};
use crate::vocab::{LocalMemberKind, MembershipStatus};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

pub static SPEC: ListSpec = ListSpec {
    from: "local_members m",
    // Every column but the stored search document, which only the database reads.
    select: concat!(
        "m.slug, m.name, m.country_code, m.kind, m.member_since, m.membership_status, ",
        "m.population, m.created_at, m.updated_at, m.version",
    ),
    key: Field::filter("slug", "m.slug", Kind::Text, "Slug").sortable(false),
    fields: &[
        Field::filter("slug", "m.slug", Kind::Text, "Slug").required(),
        Field::filter("name", "m.name", Kind::Text, "Name").sortable(false),
        Field::filter(
            "country_code",
            "m.country_code",
            Kind::Text,
            "Country (ISO 3166-1 alpha-3)",
        )
        .sortable(false),
        Field::filter(
            "kind",
            "m.kind",
            Kind::Enum(LocalMemberKind::NAMES),
            "Kind of subnational government",
        )
        .required(),
        Field::filter(
            "member_since",
            "m.member_since",
            Kind::Int,
            "Year of joining OGP Local",
        )
        .sortable(true)
        .ranged(),
        Field::filter(
            "membership_status",
            "m.membership_status",
            Kind::Enum(MembershipStatus::NAMES),
            "Standing in OGP",
        )
        .required(),
        Field::filter("population", "m.population", Kind::Int, "Population")
            .sortable(true)
            .ranged(),
    ],
    groups: &[],
    search: Some("m.search"),
    includes: &["action_plans"],
    parents: &[],
    updated_at: "m.updated_at",
};

crate::listing::docs::list_params!(LocalMemberListParams, SPEC);
crate::listing::docs::item_params!(LocalMemberItemParams, SPEC);

/// Local members embedded as parents (`include=local_member` on plans).
pub const SOURCE: Source = Source {
    collection: "local_members",
    spec: &SPEC,
    fetch: include::fetch::<LocalMember>,
    columns: crate::listing::export::columns::<LocalMember>,
};

/// What `/local-members/groups` offers: every field of the list.
pub static GROUPS: GroupsSpec = GroupsSpec::plain(&SPEC);

crate::listing::groups::groups_params!(LocalMemberGroupsParams, GROUPS);

/// A local member in a list, with its action plans when `include=action_plans`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalMemberListItem {
    #[serde(flatten)]
    pub local_member: LocalMember,
    /// The member's action plans, by number (only with `include=action_plans`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_plans: Option<Vec<ActionPlan>>,
}

/// Adds the requested children to a page of local members: one query per collection.
pub async fn embed(
    conn: &mut AsyncPgConnection,
    rows: Vec<LocalMember>,
    includes: &[&'static str],
) -> Result<Vec<LocalMemberListItem>, ApiError> {
    let mut plans = if includes.contains(&"action_plans") {
        let slugs: Vec<String> = rows.iter().map(|m| m.slug.clone()).collect();
        let plans = action_plans::query::of_local_members(conn, &slugs).await?;
        Some(group_by(plans, |p| {
            p.local_member_slug.clone().unwrap_or_default()
        }))
    } else {
        None
    };
    Ok(rows
        .into_iter()
        .map(|member| LocalMemberListItem {
            action_plans: plans
                .as_mut()
                .map(|by_member| by_member.remove(&member.slug).unwrap_or_default()),
            local_member: member,
        })
        .collect())
}

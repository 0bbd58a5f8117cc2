//! What the country list offers, and its embedded children.

use super::model::Country;
use crate::error::ApiError;
use crate::listing::group_by;
use crate::listing::groups::GroupsSpec;
use crate::listing::include::{self, Source};
use crate::listing::spec::{Field, Kind, ListSpec};
use crate::resources::action_plans::{self, model::ActionPlan};
use crate::resources::local_members::{self, model::LocalMember};
use crate::vocab::{MembershipStatus, Region};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

pub static SPEC: ListSpec = ListSpec {
    from: "countries c",
    // Every column but the stored search document, which only the database reads.
    select: concat!(
        "c.code, c.name, c.name_es, c.name_fr, c.region, c.member_since, c.membership_status, c.created_at, ",
        "c.updated_at, c.version",
    ),
    key: Field::filter("code", "c.code", Kind::Text, "ISO 3166-1 alpha-3 code").sortable(false),
    fields: &[
        Field::filter("code", "c.code", Kind::Text, "ISO 3166-1 alpha-3 code").required(),
        Field::filter("name", "c.name", Kind::Text, "Name").sortable(false),
        Field::filter(
            "region",
            "c.region",
            Kind::Enum(Region::NAMES),
            "OGP region",
        )
        .required(),
        Field::filter(
            "member_since",
            "c.member_since",
            Kind::Int,
            "Year of joining OGP",
        )
        .sortable(true)
        .ranged(),
        Field::filter(
            "membership_status",
            "c.membership_status",
            Kind::Enum(MembershipStatus::NAMES),
            "Standing in OGP",
        )
        .required(),
    ],
    groups: &[],
    search: Some("c.search"),
    includes: &["action_plans", "local_members"],
    parents: &[],
    updated_at: "c.updated_at",
};

crate::listing::docs::list_params!(CountryListParams, SPEC);
crate::listing::docs::item_params!(CountryItemParams, SPEC);

/// Countries embedded as parents (`include=country` on plans, commitments, findings).
pub const SOURCE: Source = Source {
    collection: "countries",
    spec: &SPEC,
    fetch: include::fetch::<Country>,
    columns: crate::listing::export::columns::<Country>,
};

/// What `/countries/groups` offers: every field of the list.
pub static GROUPS: GroupsSpec = GroupsSpec::plain(&SPEC);

crate::listing::groups::groups_params!(CountryGroupsParams, GROUPS);

/// A country in a list, with its action plans when `include=action_plans` and its OGP Local
/// members when `include=local_members`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryListItem {
    #[serde(flatten)]
    pub country: Country,
    /// The country's action plans, by number (only with `include=action_plans`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_plans: Option<Vec<ActionPlan>>,
    /// The country's OGP Local members, by slug (only with `include=local_members`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_members: Option<Vec<LocalMember>>,
}

/// Adds the requested children to a page of countries: one query per collection.
pub async fn embed(
    conn: &mut AsyncPgConnection,
    rows: Vec<Country>,
    includes: &[&'static str],
) -> Result<Vec<CountryListItem>, ApiError> {
    let mut plans = if includes.contains(&"action_plans") {
        let codes: Vec<String> = rows.iter().map(|c| c.code.clone()).collect();
        let plans = action_plans::query::of_countries(conn, &codes).await?;
        Some(group_by(plans, |p| p.country_code.clone()))
    } else {
        None
    };
    let mut members = if includes.contains(&"local_members") {
        let codes: Vec<String> = rows.iter().map(|c| c.code.clone()).collect();
        let members = local_members::query::of_countries(conn, &codes).await?;
        Some(group_by(members, |m| m.country_code.clone()))
    } else {
        None
    };
    Ok(rows
        .into_iter()
        .map(|country| CountryListItem {
            local_members: members
                .as_mut()
                .map(|by_country| by_country.remove(&country.code).unwrap_or_default()),
            action_plans: plans
                .as_mut()
                .map(|by_country| by_country.remove(&country.code).unwrap_or_default()),
            country,
        })
        .collect())
}

//! Local member types: the response and the create body (also the input form a PATCH merges
//! onto and the PUT body).

use crate::body::{FieldSet, Fields, FromFields};
use crate::error::ApiError;
use crate::schema::local_members;
use crate::vocab::{is_country_code, is_local_member_slug, LocalMemberKind, MembershipStatus};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// An OGP Local member: a subnational government (city, state, province, region) with its own
/// action plans, belonging to an OGP member country.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = local_members, check_for_backend(diesel::pg::Pg))]
// A whole real example (one of the 2016 pioneers), so a viewer does not pair it with an enum's
// first value.
#[schema(example = json!({
    "slug": "sekondi-takoradi-ghana", "name": "Sekondi-Takoradi, Ghana", "country_code": "GHA",
    "kind": "municipality", "member_since": 2016, "membership_status": "active",
    "population": 559548, "created_at": "2026-11-30T12:00:00Z",
    "updated_at": "2026-11-30T12:00:00Z", "version": 1
}))]
pub struct LocalMember {
    /// The key, as in OGP's member pages (`/members/<slug>/`). Immutable.
    #[schema(
        example = "sekondi-takoradi-ghana",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    pub slug: String,
    /// Name, as OGP lists it.
    #[schema(example = "Sekondi-Takoradi, Ghana")]
    pub name: String,
    /// The OGP member country it belongs to (ISO 3166-1 alpha-3).
    #[schema(example = "GHA")]
    pub country_code: String,
    /// What kind of subnational government it is.
    pub kind: LocalMemberKind,
    /// Year it joined OGP Local (2016 or later), when known.
    #[schema(example = 2016)]
    pub member_since: Option<i32>,
    /// Standing in OGP.
    pub membership_status: MembershipStatus,
    /// Population, when known.
    #[schema(example = 559548)]
    pub population: Option<i32>,
    /// When the record was created (server-set).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (server-set).
    pub updated_at: DateTime<Utc>,
    /// 1 on create, +1 on every update; the ETag is `"<version>"`.
    pub version: i32,
}

/// A local member to create. In a PATCH every field is optional (JSON Merge Patch); `slug`
/// cannot change.
#[derive(Debug, Clone, Serialize, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = local_members, treat_none_as_null = true)]
#[schema(example = json!({
    "slug": "sekondi-takoradi-ghana", "name": "Sekondi-Takoradi, Ghana", "country_code": "GHA",
    "kind": "municipality", "member_since": 2016, "population": 559548
}))]
pub struct NewLocalMember {
    /// Lower-case words of letters and digits joined by single hyphens, at most 100 characters.
    #[schema(
        example = "sekondi-takoradi-ghana",
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 100
    )]
    pub slug: String,
    /// Name, 1–200 characters.
    #[schema(example = "Sekondi-Takoradi, Ghana", min_length = 1, max_length = 200)]
    pub name: String,
    /// The OGP member country it belongs to (ISO 3166-1 alpha-3); it must exist.
    #[schema(example = "GHA", pattern = "^[A-Z]{3}$")]
    pub country_code: String,
    /// What kind of subnational government it is.
    pub kind: LocalMemberKind,
    /// Year it joined OGP Local: 2016 (the pilot's start) or later.
    #[schema(minimum = 2016, example = 2016)]
    pub member_since: Option<i32>,
    /// Standing in OGP; `active` when not given.
    #[schema(default = "active")]
    pub membership_status: MembershipStatus,
    /// Population, 0 or more.
    #[schema(minimum = 0, example = 559548)]
    pub population: Option<i32>,
}

crate::openapi::merge_patch!(LocalMemberPatch, NewLocalMember);
crate::openapi::put_body!(LocalMemberReplacement, NewLocalMember, "slug");

impl FromFields for NewLocalMember {
    const FIELDS: FieldSet = FieldSet {
        writable: &[
            "slug",
            "name",
            "country_code",
            "kind",
            "member_since",
            "membership_status",
            "population",
        ],
        read_only: &["created_at", "updated_at", "version"],
    };

    /// Validates a body, naming every bad field.
    fn from_fields(mut f: Fields) -> Result<Self, ApiError> {
        let slug = f.required::<String>("slug");
        if let Some(slug) = &slug {
            f.ensure(
                is_local_member_slug(slug),
                "slug",
                "must be lower-case letters and digits in words joined by single hyphens \
                 (at most 100 characters), e.g. `sekondi-takoradi-ghana`, and not `groups` \
                 (the name of the route `/local-members/groups`)",
            );
        }
        let name = f.required_text("name", 200);
        let country_code = f.required::<String>("country_code");
        if let Some(code) = &country_code {
            f.ensure(
                is_country_code(code),
                "country_code",
                "must be three upper-case letters (ISO 3166-1 alpha-3)",
            );
        }
        let kind = f.required::<LocalMemberKind>("kind");
        let member_since = f.nullable::<i32>("member_since");
        if let Some(year) = member_since {
            f.ensure(
                year >= 2016,
                "member_since",
                "must be 2016 (the start of OGP's subnational pilot) or later",
            );
        }
        let membership_status = f.with_default("membership_status", MembershipStatus::Active);
        let population = f.nullable::<i32>("population");
        if let Some(population) = population {
            f.ensure(population >= 0, "population", "must be 0 or more");
        }
        f.finish()?;
        let (Some(slug), Some(name), Some(country_code), Some(kind), Some(membership_status)) =
            (slug, name, country_code, kind, membership_status)
        else {
            return Err(ApiError::internal(
                "local member reader lost a required field",
            ));
        };
        Ok(Self {
            slug,
            name,
            country_code,
            kind,
            member_since,
            membership_status,
            population,
        })
    }
}

/// The create-body form of this member, the base a merge patch applies to.
impl From<&LocalMember> for NewLocalMember {
    fn from(member: &LocalMember) -> Self {
        Self {
            slug: member.slug.clone(),
            name: member.name.clone(),
            country_code: member.country_code.clone(),
            kind: member.kind,
            member_since: member.member_since,
            membership_status: member.membership_status,
            population: member.population,
        }
    }
}

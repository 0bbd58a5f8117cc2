//! Country types: the response, the create body (also the input form a PATCH merges onto), and
//! the list query.

use crate::body::{FieldSet, Fields, FromFields};
use crate::error::ApiError;
use crate::schema::countries;
use crate::vocab::{is_country_code, MembershipStatus, Region};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// An OGP member country.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = countries, check_for_backend(diesel::pg::Pg))]
// A whole real example, because a viewer fills fields without one (an enum takes its first
// value) and would invent "Mexico in africa_middle_east".
#[schema(example = json!({
    "code": "MEX", "name": "Mexico", "name_es": "México", "name_fr": "Mexique",
    "region": "americas", "member_since": 2011,
    "membership_status": "active", "created_at": "2026-11-29T12:00:00Z",
    "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct Country {
    /// ISO 3166-1 alpha-3 code, upper case; the key. Immutable.
    #[schema(example = "MEX", pattern = "^[A-Z]{3}$")]
    pub code: String,
    /// English short name.
    #[schema(example = "Mexico")]
    pub name: String,
    /// Spanish short name (CLDR), when known.
    #[schema(example = "México")]
    pub name_es: Option<String>,
    /// French short name (CLDR), when known.
    #[schema(example = "Mexique")]
    pub name_fr: Option<String>,
    /// OGP region.
    pub region: Region,
    /// Year the country joined OGP (2011 or later), when known.
    #[schema(example = 2011)]
    pub member_since: Option<i32>,
    /// Standing in OGP.
    pub membership_status: MembershipStatus,
    /// When the record was created (server-set).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (server-set).
    pub updated_at: DateTime<Utc>,
    /// 1 on create, +1 on every update; the ETag is `"<version>"`.
    pub version: i32,
}

/// A country to create. In a PATCH every field is optional (JSON Merge Patch); `code` cannot
/// change.
#[derive(Debug, Clone, Serialize, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = countries, treat_none_as_null = true)]
#[schema(example = json!({
    "code": "MEX", "name": "Mexico", "name_es": "México", "name_fr": "Mexique",
    "region": "americas", "member_since": 2011, "membership_status": "active"
}))]
pub struct NewCountry {
    /// ISO 3166-1 alpha-3 code, upper case.
    #[schema(example = "MEX", pattern = "^[A-Z]{3}$")]
    pub code: String,
    /// English short name, 1–200 characters.
    #[schema(example = "Mexico", min_length = 1, max_length = 200)]
    pub name: String,
    /// Spanish short name (CLDR), 1–200 characters; `null` when unknown.
    #[schema(example = "México", min_length = 1, max_length = 200)]
    pub name_es: Option<String>,
    /// French short name (CLDR), 1–200 characters; `null` when unknown.
    #[schema(example = "Mexique", min_length = 1, max_length = 200)]
    pub name_fr: Option<String>,
    /// OGP region.
    pub region: Region,
    /// Year the country joined OGP: 2011 or later.
    #[schema(minimum = 2011, example = 2011)]
    pub member_since: Option<i32>,
    /// Standing in OGP; `active` when not given.
    #[schema(default = "active")]
    pub membership_status: MembershipStatus,
}

crate::openapi::merge_patch!(CountryPatch, NewCountry);
crate::openapi::put_body!(CountryReplacement, NewCountry, "code");

impl FromFields for NewCountry {
    const FIELDS: FieldSet = FieldSet {
        writable: &[
            "code",
            "name",
            "name_es",
            "name_fr",
            "region",
            "member_since",
            "membership_status",
        ],
        read_only: &["created_at", "updated_at", "version"],
    };

    /// Validates a body, naming every bad field.
    fn from_fields(mut f: Fields) -> Result<Self, ApiError> {
        let code = f.required::<String>("code");
        if let Some(code) = &code {
            f.ensure(
                is_country_code(code),
                "code",
                "must be three upper-case letters (ISO 3166-1 alpha-3), e.g. `MEX`",
            );
        }
        let name = f.required_text("name", 200);
        let name_es = f.nullable_text("name_es", 200);
        let name_fr = f.nullable_text("name_fr", 200);
        let region = f.required::<Region>("region");
        let member_since = f.nullable::<i32>("member_since");
        if let Some(year) = member_since {
            f.ensure(
                year >= 2011,
                "member_since",
                "must be 2011 (OGP's founding) or later",
            );
        }
        let membership_status = f.with_default("membership_status", MembershipStatus::Active);
        f.finish()?;
        let (Some(code), Some(name), Some(region), Some(membership_status)) =
            (code, name, region, membership_status)
        else {
            return Err(ApiError::internal("country reader lost a required field"));
        };
        Ok(Self {
            code,
            name,
            name_es,
            name_fr,
            region,
            member_since,
            membership_status,
        })
    }
}

/// The create-body form of this country, the base a merge patch applies to.
impl From<&Country> for NewCountry {
    fn from(country: &Country) -> Self {
        Self {
            code: country.code.clone(),
            name: country.name.clone(),
            name_es: country.name_es.clone(),
            name_fr: country.name_fr.clone(),
            region: country.region,
            member_since: country.member_since,
            membership_status: country.membership_status,
        }
    }
}

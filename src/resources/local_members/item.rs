//! How the shared item flows (`crate::flow`) treat a local member: keyed by its slug, which
//! cannot change; its country must exist (the database's foreign key answers a 422 naming
//! `country_code`).

use super::model::{LocalMember, NewLocalMember};
use crate::db::keyed::Keyed;
use crate::error::ApiError;
use crate::flow::{Item, NaturalKey};
use crate::listing::spec::ListSpec;
use crate::vocab::is_local_member_slug;
use diesel_async::AsyncPgConnection;

impl Item for LocalMember {
    const NOUN: &'static str = "local member";
    const COLLECTION: &'static str = "local-members";
    const LIST: &'static ListSpec = &super::list::SPEC;
    type Input = NewLocalMember;

    async fn prepare(
        _: &mut AsyncPgConnection,
        input: NewLocalMember,
    ) -> Result<NewLocalMember, ApiError> {
        Ok(input)
    }

    /// Text that cannot be a slug (a NUL byte, upper case, a long string) is a 404 without
    /// asking PostgreSQL, which cannot take a NUL in text.
    fn parse_key(slug: String) -> Result<String, ApiError> {
        if is_local_member_slug(&slug) {
            Ok(slug)
        } else {
            Err(Self::not_found(&slug))
        }
    }

    fn not_found(slug: &String) -> ApiError {
        ApiError::not_found(format!(
            "no local member has the slug `{}`",
            slug.escape_debug()
        ))
    }

    async fn store_update(
        conn: &mut AsyncPgConnection,
        current: &LocalMember,
        write: &NewLocalMember,
    ) -> Result<LocalMember, ApiError> {
        if write.slug != current.slug {
            return Err(ApiError::invalid_field(
                "slug",
                "is the key and cannot change",
            ));
        }
        Ok(LocalMember::update(conn, &current.slug, write).await?)
    }
}

/// A local member's slug is its natural key, in its path: `PUT /local-members/{slug}` creates
/// or replaces it.
impl NaturalKey for LocalMember {
    const KEY_FIELD: &'static str = "slug";

    fn key_value(slug: &String) -> serde_json::Value {
        serde_json::Value::String(slug.clone())
    }
}

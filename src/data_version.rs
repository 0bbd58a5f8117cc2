//! ETags from the data version (issue 16, item 2): a list, a view or the change feed is tagged
//! with the database's data version (migration `…_data_version`, one row every committed change
//! moves forward) and a hash of everything else its body depends on, so that an unchanged
//! `If-None-Match` is answered 304 after one tiny statement, without running the list's query
//! or serializing anything.
//!
//! The order is what makes it correct: the version is read **before** the data. A write that
//! commits in between gives the new data an old tag, which the next request's newer version
//! replaces (one needless 200 later); the reverse order would tag old data with a new version and
//! answer 304s for it until the next write. See docs/design-notes.md, "Data-version ETags".
//!
//! A handler calls [`revalidate`] once its request has been parsed (a bad request is still a
//! 4xx, never a 304): it answers the 304, or remembers the tag in the request's extensions,
//! where the response builders find it through [`etag_for`].

use crate::error::ApiError;
use crate::http::{body_etag, cache_control, if_none_match_lists};
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

/// The weak ETag of one read at the data version it was read at, kept in the request's
/// extensions between [`revalidate`] and the response builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataTag(String);

impl DataTag {
    /// The tag as sent in `ETag`: `W/"d<version>-<epoch>-<hash>"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a deployment's output depends on besides the data and the request: the package version
/// and the last migration (a migration can change what a list shows). Output changed by code
/// alone needs a new package version, or the old tags would still be answered 304.
pub fn build_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        use diesel::migration::MigrationSource;
        let last = MigrationSource::<diesel::pg::Pg>::migrations(&crate::db::MIGRATIONS)
            .ok()
            .and_then(|all| all.iter().map(|m| m.name().version().to_string()).max())
            .unwrap_or_default();
        format!("{}+{last}", env!("CARGO_PKG_VERSION"))
    })
}

/// The tag of a read of `path?query` at `version` of the database `epoch`; `salt` is anything
/// else the body depends on (e.g. whether the reader may see who made a change). The language
/// is not here: `localize` appends it to the tag (`;es`) and takes it off `If-None-Match`.
/// DefaultHasher (SipHash) is fast and fixed for a build; the tag is no secret and no
/// signature, only a cache validator.
pub fn tag(version: i64, epoch: &str, path: &str, query: &str, salt: &[&str]) -> DataTag {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (build_id(), path, query, salt).hash(&mut hasher);
    let epoch: String = epoch.chars().filter(|c| *c != '-').take(8).collect();
    DataTag(format!("W/\"d{version}-{epoch}-{:016x}\"", hasher.finish()))
}

/// The database's data version and its epoch (one statement): what [`read`] tags with, and
/// what the read cache (`crate::read_cache`) polls.
pub async fn current(conn: &mut AsyncPgConnection) -> diesel::QueryResult<(i64, String)> {
    use diesel::QueryDsl;
    // The query DSL, not `sql_query` (nor a `sql` literal): diesel keeps only DSL statements
    // prepared, and a raw one cost a Parse round trip before every Bind/Execute.
    use table::data_version::dsl::{data_version, epoch, version};
    let (version_now, epoch_now): (i64, uuid::Uuid) = data_version
        .select((version, epoch))
        .get_result(conn)
        .await?;
    Ok((version_now, epoch_now.to_string()))
}

/// The table of migration `…000032_data_version`, for [`current`] (not in the generated
/// `schema.rs`, which lists the data tables).
mod table {
    diesel::table! {
        data_version (only_row) {
            only_row -> Bool,
            version -> Int8,
            epoch -> Uuid,
        }
    }
}

/// Reads the data version (one statement) and derives the tag of `req` at it.
pub async fn read(
    req: &HttpRequest,
    conn: &mut AsyncPgConnection,
    salt: &[&str],
) -> Result<DataTag, ApiError> {
    let (version, epoch) = current(conn).await.map_err(|e| match e {
        diesel::result::Error::NotFound => ApiError::internal(
            "the data_version row is missing: the database was changed outside the migrations",
        ),
        other => other.into(),
    })?;
    Ok(tag(version, &epoch, req.path(), req.query_string(), salt))
}

/// Reads the data version and answers 304 (with the `ETag`, `Cache-Control` and, when
/// `vary_accept`, the `Vary: Accept` the 200 has) when `If-None-Match` names the tag. Otherwise
/// `None`, with the tag remembered for [`etag_for`]: the caller runs its query and answers 200.
pub async fn revalidate(
    req: &HttpRequest,
    conn: &mut AsyncPgConnection,
    salt: &[&str],
    vary_accept: bool,
) -> Result<Option<HttpResponse>, ApiError> {
    let tag = read(req, conn, salt).await?;
    if if_none_match_lists(req, tag.as_str()) {
        let mut response = HttpResponse::NotModified();
        response
            .insert_header((header::ETAG, tag.0))
            .insert_header(cache_control());
        if vary_accept {
            response.insert_header((header::VARY, "Accept"));
        }
        return Ok(Some(response.finish()));
    }
    req.extensions_mut().insert(tag);
    Ok(None)
}

/// The ETag of a read's `body`: the data tag [`revalidate`] remembered, else a hash of the
/// body (a read that has no data version, like an item GET with `include`).
pub fn etag_for(req: &HttpRequest, body: &[u8]) -> String {
    match req.extensions().get::<DataTag>() {
        Some(tag) => tag.0.clone(),
        None => body_etag(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_differ_by_version_epoch_path_query_and_salt() {
        let base = tag(7, "0a1b2c3d-aaaa", "/api/v1/countries", "limit=2", &[]);
        assert!(base.as_str().starts_with("W/\"d7-0a1b2c3d-"), "{base:?}");
        assert_eq!(
            base,
            tag(7, "0a1b2c3d-aaaa", "/api/v1/countries", "limit=2", &[])
        );
        for other in [
            tag(8, "0a1b2c3d-aaaa", "/api/v1/countries", "limit=2", &[]),
            tag(7, "ffffffff-aaaa", "/api/v1/countries", "limit=2", &[]),
            tag(7, "0a1b2c3d-aaaa", "/api/v1/action-plans", "limit=2", &[]),
            tag(7, "0a1b2c3d-aaaa", "/api/v1/countries", "limit=3", &[]),
            tag(7, "0a1b2c3d-aaaa", "/api/v1/countries", "limit=2", &["x"]),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn the_build_id_names_the_version_and_the_last_migration() {
        let last = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().to_string())
            .max()
            .unwrap();
        let version = last.split('_').next().unwrap().replace('-', "");
        let id = build_id();
        assert_eq!(id, format!("{}+{version}", env!("CARGO_PKG_VERSION")));
    }
}

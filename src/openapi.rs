//! The OpenAPI document: its fixed header, the problem responses every operation shares, and
//! the merge-patch schemas derived from the create bodies.
//!
//! Paths and schemas are collected from the handlers by `utoipa-actix-web` when the routes are
//! registered (`crate::app::routes`), so the spec cannot list a route the server lacks.

use crate::error::Problem;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{IntoResponses, OpenApi, ToSchema};

/// `info.version` of the spec, pinned so a crate version bump does not churn the committed file.
pub const API_VERSION: &str = "1.0.0";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "OGP API",
        version = "1.0.0",
        description = "Open data on Open Government Partnership action plans, commitments, \
            milestones and the Independent Reporting Mechanism's findings.\n\n\
            Errors are `application/problem+json` (RFC 9457). Lists are cursor-paginated: \
            follow `next_cursor` (or the `Link: rel=\"next\"` header) until it is `null`.",
        license(name = "MIT", identifier = "MIT")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "countries", description = "OGP member countries"),
        (name = "action-plans", description = "Two-year action plans co-created with civil society"),
        (name = "commitments", description = "Commitments of an action plan"),
        (name = "milestones", description = "Milestones of a commitment"),
        (name = "irm-findings", description = "What the IRM's reports state about a plan and its commitments"),
        (name = "views", description = "Read-only views for dashboards: IRM report pages, statistics"),
    ),
    components(schemas(Problem))
)]
pub struct ApiDoc;

/// The schema of a JSON Merge Patch (RFC 7396) of a create body: its fields, none required;
/// `null` clears a nullable field, an absent field stays as it is.
pub fn merge_patch_schema<T: ToSchema>() -> RefOr<Schema> {
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        object.required.clear();
        object.description = Some(format!(
            "JSON Merge Patch (RFC 7396) of a {}: send only the fields to change; \
             `null` clears a nullable field.",
            T::name().trim_start_matches("New")
        ));
    }
    schema
}

/// Declares `$patch`, the documented merge-patch body of create body `$new`.
macro_rules! merge_patch {
    ($patch:ident, $new:ty) => {
        #[doc = concat!("JSON Merge Patch of a `", stringify!($new), "` (documentation only).")]
        pub struct $patch;

        impl utoipa::PartialSchema for $patch {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::merge_patch_schema::<$new>()
            }
        }

        impl utoipa::ToSchema for $patch {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                <$new as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use merge_patch;

// The problem sets below exist only to document responses; they are never constructed.

/// Problems a list can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ListProblems {
    /// An unknown query parameter, or an invalid `limit`, `cursor` or filter value.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// The parent named in the path does not exist.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// `Accept` names no representation this list offers (JSON, CSV, NDJSON).
    #[response(status = 406, content_type = "application/problem+json")]
    NotAcceptable(Problem),
    /// The database is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Problems a read of one resource can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ItemProblems {
    /// No resource has this key.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The database is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Problems a create can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum CreateProblems {
    /// The body is not valid JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    MalformedJson(Problem),
    /// The key, or another unique field, is taken.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The body is too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Invalid fields: `errors` names each one. Unknown and read-only fields are invalid too.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// The database is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Problems an update can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum UpdateProblems {
    /// The body is not valid JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    MalformedJson(Problem),
    /// No resource has this key.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// A unique field is taken, or the change would break a link other resources rely on.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` does not name the current version.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json` or `application/merge-patch+json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Invalid fields: `errors` names each one.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// The database is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Problems a delete can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum DeleteProblems {
    /// No resource has this key.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Other resources still belong to this one: delete them first (nothing is cascaded).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` does not name the current version.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The database is unavailable.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

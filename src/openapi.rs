//! The OpenAPI document: its fixed header, the problem responses every operation shares, and
//! the merge-patch schemas derived from the create bodies.
//!
//! Paths and schemas are collected from the handlers by `utoipa-actix-web` when the routes are
//! registered (`crate::app::routes`), so the spec cannot list a route the server lacks.

mod conventions;

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
            follow `next_cursor` (or the `Link: rel=\"next\"` header) until it is `null`. \
            Array query parameters take the key repeated or a comma list. Every GET also \
            answers HEAD; bodies from 1 KiB are compressed (zstd, gzip) as \
            `Accept-Encoding` asks; `/` links every collection.",
        license(name = "MIT", identifier = "MIT")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "countries", description = "OGP member countries"),
        (name = "local-members", description = "OGP Local members: subnational governments (cities, states, provinces, regions) with their own action plans"),
        (name = "action-plans", description = "Two-year action plans co-created with civil society"),
        (name = "commitments", description = "Commitments of an action plan"),
        (name = "milestones", description = "Milestones of a commitment"),
        (name = "irm-findings", description = "What the IRM's reports state about a plan and its commitments"),
        (name = "views", description = "Read-only views for dashboards: IRM report pages, statistics"),
        (name = "changes", description = "The change feed, for incremental sync, and each item's history"),
        (name = "bundles", description = "The corpus in and out as one document: bundle import (upsert by natural key) and export"),
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

/// The schema of a create-or-replace (PUT) body of create body `T` whose key `key` is in the
/// path: the create body with `key` optional (the path's when left out, equal to it when given).
pub fn put_body_schema<T: ToSchema>(key: &str) -> RefOr<Schema> {
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        object.required.retain(|field| field != key);
        object.description = Some(format!(
            "A whole {} (a PUT replaces, it does not merge): fields left out take their \
             defaults. `{key}` may be left out (the path's is taken); when given it must \
             equal the path's.",
            T::name().trim_start_matches("New")
        ));
    }
    schema
}

/// Declares `$put`, the documented PUT body of create body `$new` keyed by `$key` in the path.
macro_rules! put_body {
    ($put:ident, $new:ty, $key:literal) => {
        #[doc = concat!("PUT body of a `", stringify!($new), "` (documentation only).")]
        pub struct $put;

        impl utoipa::PartialSchema for $put {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::put_body_schema::<$new>($key)
            }
        }

        impl utoipa::ToSchema for $put {
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
pub(crate) use put_body;

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
    /// The database is unavailable, or (CSV, NDJSON) too many exports are in progress; see
    /// `Retry-After`.
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

/// The problem an item GET answers besides [`ItemProblems`]: a bad `fields=`.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum FieldsProblems {
    /// `fields` names a field the resource does not offer, names one twice, or is empty.
    #[response(status = 400, content_type = "application/problem+json")]
    BadFields(Problem),
}

/// Problems a create can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum CreateProblems {
    /// The body is not valid JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    MalformedJson(Problem),
    /// The body did not arrive whole within the server's body timeout.
    #[response(status = 408, content_type = "application/problem+json")]
    RequestTimeout(Problem),
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
    /// The body did not arrive whole within the server's body timeout.
    #[response(status = 408, content_type = "application/problem+json")]
    RequestTimeout(Problem),
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

/// Problems a create-or-replace (PUT) can answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum PutProblems {
    /// The body is not valid JSON, or a precondition header is not ASCII.
    #[response(status = 400, content_type = "application/problem+json")]
    MalformedJson(Problem),
    /// The path cannot name a resource of this kind (a malformed key).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The body did not arrive whole within the server's body timeout.
    #[response(status = 408, content_type = "application/problem+json")]
    RequestTimeout(Problem),
    /// Another unique field is taken, or the change would break a link other resources rely on.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-None-Match: *` and the resource exists, or `If-Match` and it does not exist or is at
    /// another version.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is too large.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Invalid fields: `errors` names each one, the key field when it differs from the path's.
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

/// Name of the security scheme of write operations.
pub const SECURITY_SCHEME: &str = "api_key";

fn problem_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::error::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// What the route registration cannot say by itself: the pinned version, the API-key scheme
/// on every write (with its 401/403), the If-Match policy's 428, the rate limit's 429 on
/// every operation, and the shared headers and schema rules of [`conventions`]. Done over the
/// whole document, so no operation can miss it.
pub fn finish(spec: &mut utoipa::openapi::OpenApi) {
    finish_operations(spec);
    let mut json = serde_json::to_value(&*spec).expect("the spec serializes");
    conventions::apply(&mut json, crate::vocab::DESCRIBED);
    *spec = match serde_json::from_value(json.clone()) {
        Ok(finished) => finished,
        Err(error) => panic!(
            "the finished spec is not a spec: {error} ({})",
            culprit(&json)
        ),
    };
}

/// Which component schema of a finished spec utoipa cannot read back (for the panic above).
fn culprit(json: &serde_json::Value) -> String {
    let schemas = json["components"]["schemas"].as_object();
    for (name, schema) in schemas.into_iter().flatten() {
        if let Err(error) = serde_json::from_value::<utoipa::openapi::RefOr<utoipa::openapi::Schema>>(
            schema.clone(),
        ) {
            return format!("schema {name}: {error}");
        }
    }
    "not in a component schema".to_string()
}

fn finish_operations(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
    spec.info.version = API_VERSION.to_string();
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SECURITY_SCHEME,
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API key made with `ogp-api keys create`: role `editor` may create and \
                     update, `admin` may also delete. Reads are public (`security: [{}]`) \
                     unless the server sets `OGP_READ_REQUIRES_KEY=true`; a key sent with a \
                     read makes it count against that key's rate limit instead of the address's, \
                     routes it to the primary after the key's own writes, and shows who made \
                     each change in the change feed.",
                ))
                .build(),
        ),
    );
    for item in spec.paths.paths.values_mut() {
        let reads = [item.get.as_mut()];
        for operation in reads.into_iter().flatten() {
            operation.responses.responses.insert(
                "429".into(),
                problem_response("Too many requests: see `Retry-After` and `RateLimit-*`.").into(),
            );
        }
        let writes = [
            (item.post.as_mut(), false),
            (item.put.as_mut(), true),
            (item.patch.as_mut(), true),
            (item.delete.as_mut(), true),
        ];
        for (operation, conditional) in writes {
            let Some(operation) = operation else { continue };
            operation.security = Some(vec![SecurityRequirement::new(
                SECURITY_SCHEME,
                Vec::<String>::new(),
            )]);
            let responses = &mut operation.responses.responses;
            responses.insert(
                "401".into(),
                problem_response("No API key, or not a valid one.").into(),
            );
            responses.insert(
                "403".into(),
                problem_response("The key's role may not do this.").into(),
            );
            responses.insert(
                "429".into(),
                problem_response("Too many requests: see `Retry-After` and `RateLimit-*`.").into(),
            );
            if conditional {
                responses.insert(
                    "428".into(),
                    problem_response(
                        "A precondition is required by this server and missing: `If-Match` \
                         (PATCH, DELETE; on PUT `If-Match` or `If-None-Match`).",
                    )
                    .into(),
                );
            }
        }
    }
}

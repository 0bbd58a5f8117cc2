//! One error type for the whole API, rendered as `application/problem+json` (RFC 9457).
//!
//! Handlers return `Result<_, ApiError>`. The request-context middleware (`crate::middleware`)
//! adds `instance` and `request_id` to the body, and turns any other error response (actix's own)
//! into a problem too, so no plain-text error can escape.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The most field errors a 422 lists; its `detail` counts the rest.
pub const MAX_LISTED_ERRORS: usize = 100;

/// One invalid field of a request body.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as named in the request body (dotted for nested values).
    pub field: String,
    /// What is wrong with it, in plain words.
    pub message: String,
    /// Where in the body, as a JSON pointer (RFC 6901), when the body holds many records (a
    /// bundle import: `/commitments/12/title`); absent for single-record bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            pointer: None,
        }
    }

    /// This error placed under `base` (a JSON pointer to the record it belongs to): the
    /// pointer becomes `base/field` (a dotted field turns into pointer segments).
    pub fn under(mut self, base: &str) -> Self {
        let mut pointer = base.to_string();
        if !self.field.is_empty() {
            for segment in self.field.split('.') {
                pointer.push('/');
                pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
            }
        }
        self.pointer = Some(pointer);
        self
    }
}

/// An RFC 9457 problem document: the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem; the same for every occurrence of the type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in plain words.
    pub detail: String,
    /// The request path this problem occurred on.
    pub instance: String,
    /// The request id (also in the `X-Request-Id` header and the server log).
    pub request_id: String,
    /// For 422 responses: each invalid field and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// The error type of every handler.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Last segment of the problem `type` URI.
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            slug,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            detail,
        )
    }

    pub fn invalid_query(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "Invalid query parameter",
            detail,
        )
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        )
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Payload too large",
            detail,
        )
    }

    /// 408: the request (its body) did not arrive in time.
    pub fn request_timeout(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request timeout",
            detail,
        )
    }

    /// 422 with one entry per invalid field: the first [`MAX_LISTED_ERRORS`], and a `detail`
    /// saying how many more were left out (a body of 15 000 unknown fields would otherwise
    /// answer with megabytes).
    pub fn validation(mut errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!(
                "`{}`: {}",
                one.pointer.as_deref().unwrap_or(&one.field),
                one.message
            ),
            many if many.len() > MAX_LISTED_ERRORS => format!(
                "{} fields are invalid; `errors` lists the first {MAX_LISTED_ERRORS}, the other \
                 {} are left out",
                many.len(),
                many.len() - MAX_LISTED_ERRORS
            ),
            many => format!("{} fields are invalid; see `errors`", many.len()),
        };
        errors.truncate(MAX_LISTED_ERRORS);
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid request body",
            detail,
        );
        error.errors = errors;
        error
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail,
        )
    }

    /// A 500 whose cause is logged, never shown.
    pub fn internal(cause: impl fmt::Display) -> Self {
        log::error!("internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "The server failed to handle this request; it has been logged.",
        )
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The problem document of this error, for the given request path and id.
    pub fn to_problem(&self, instance: &str, request_id: &str) -> Problem {
        Problem {
            type_: format!("/problems/{}", self.slug),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            instance: instance.to_string(),
            request_id: request_id.to_string(),
            errors: (self.status == StatusCode::UNPROCESSABLE_ENTITY).then(|| self.errors.clone()),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.title,
            self.detail
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// The body is filled in by the request-context middleware, which knows the request path
    /// and id; this only sets status and headers.
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.finish()
    }
}

/// How a database constraint maps onto the API: the body field it guards and what to say.
struct ConstraintInfo {
    field: &'static str,
    message: &'static str,
}

/// Every named constraint of the schema that a client can trip. The database refuses bad rows
/// even when the code has a bug; this table turns such a refusal into a precise answer.
fn constraint_info(name: &str) -> Option<ConstraintInfo> {
    let (field, message) = match name {
        "countries_pkey" => ("code", "a country with this code already exists"),
        "local_members_pkey" => ("slug", "a local member with this slug already exists"),
        "local_members_country_code_fkey" | "action_plans_country_code_fkey" => {
            ("country_code", "no country has this code")
        }
        "action_plans_number_key" => (
            "number",
            "this country already has a national action plan with this number",
        ),
        "action_plans_local_number_key" => (
            "number",
            "this local member already has an action plan with this number",
        ),
        "action_plans_local_member_fkey" => (
            "local_member_slug",
            "no local member of the plan's country has this slug",
        ),
        "commitments_number_key" => (
            "number",
            "this action plan already has a commitment with this number",
        ),
        "commitments_reference_key" => ("reference", "another commitment has this reference"),
        "commitments_action_plan_id_fkey" | "irm_findings_action_plan_id_fkey" => {
            ("action_plan_id", "no action plan has this id")
        }
        "commitments_id_action_plan_id_key" => (
            "action_plan_id",
            "IRM findings tie this commitment to its plan",
        ),
        "milestones_position_key" => (
            "position",
            "this commitment already has a milestone at this position",
        ),
        "milestones_commitment_id_fkey" => ("commitment_id", "no commitment has this id"),
        "irm_findings_commitment_id_fkey" => (
            "commitment_id",
            "no commitment with this id belongs to the finding's action plan",
        ),
        "irm_findings_assessment_key" => (
            "commitment_id",
            "this commitment already has an assessment in this report",
        ),
        "irm_findings_process_key" => (
            "kind",
            "this action plan already has a process finding in this report",
        ),
        "irm_findings_summary_key" => (
            "kind",
            "this action plan already has a summary in this report",
        ),
        "irm_findings_recommendation_key" => (
            "position",
            "this report already has a recommendation at this position",
        ),
        "irm_findings_natural_key" => (
            "position",
            "this report already has a finding of this kind at this position",
        ),
        _ => return None,
    };
    Some(ConstraintInfo { field, message })
}

/// The field a CHECK constraint named `<table>_<field>_check` guards.
fn checked_field(constraint: &str) -> &str {
    let without_suffix = constraint.strip_suffix("_check").unwrap_or(constraint);
    for table in [
        "countries_",
        "local_members_",
        "action_plans_",
        "commitments_",
        "milestones_",
        "irm_findings_",
    ] {
        if let Some(field) = without_suffix.strip_prefix(table) {
            return field;
        }
    }
    without_suffix
}

/// Whether a database error says the server is shutting down, restarting or recovering
/// (SQLSTATE class 57, "operator intervention"). Diesel does not expose the SQLSTATE, so the
/// server's (untranslated, `lc_messages = C`) messages are matched. A pooled connection can meet
/// one of these when the server went away since the connection was last used: the pool only
/// drops connections it already knows to be closed (see `db::pool_with`).
fn is_server_going_away(message: &str) -> bool {
    [
        "terminating connection due to administrator command",
        "terminating connection because of crash of another server process",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
    ]
    .iter()
    .any(|known| message.starts_with(known))
}

impl From<DieselError> for ApiError {
    /// Maps a database error onto the API; one that becomes a 5xx is counted in
    /// `ogp_api_db_errors_total` here, where every query error passes exactly once.
    fn from(error: DieselError) -> Self {
        let mapped = map_diesel_error(&error);
        if mapped.status.is_server_error() {
            crate::metrics::database_error();
        }
        mapped
    }
}

/// The API error a database error means (constraint names → fields, outages → 503).
fn map_diesel_error(error: &DieselError) -> ApiError {
    match error {
        DieselError::NotFound => ApiError::not_found("no such resource"),
        DieselError::DatabaseError(kind, info) => {
            let constraint = info.constraint_name().unwrap_or_default();
            let known = constraint_info(constraint);
            match kind {
                DatabaseErrorKind::UniqueViolation => match known {
                    Some(c) => ApiError::conflict(format!("`{}`: {}", c.field, c.message)),
                    None => ApiError::conflict("a resource with this key already exists"),
                },
                // A delete (or key change) that would orphan children.
                DatabaseErrorKind::ForeignKeyViolation
                    if info.message().starts_with("update or delete on table") =>
                {
                    ApiError::conflict(format!(
                        "other resources still refer to this one (on table `{}`); \
                             delete or move them first",
                        info.table_name().unwrap_or("?")
                    ))
                }
                DatabaseErrorKind::ForeignKeyViolation => match known {
                    Some(c) => ApiError::invalid_field(c.field, c.message),
                    None => {
                        ApiError::invalid_field("?", "refers to a resource that does not exist")
                    }
                },
                DatabaseErrorKind::CheckViolation => ApiError::invalid_field(
                    checked_field(constraint),
                    format!("violates the rule `{constraint}`"),
                ),
                DatabaseErrorKind::NotNullViolation => {
                    ApiError::invalid_field(info.column_name().unwrap_or("?"), "is required")
                }
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    ApiError::unavailable("the database connection was lost; try again")
                }
                DatabaseErrorKind::Unknown if is_server_going_away(info.message()) => {
                    ApiError::unavailable("the database is restarting; try again")
                }
                // Two writes that lock the same rows in opposite orders (e.g. an IRM finding's
                // PATCH and its plan's year change): PostgreSQL rolls one back whole.
                DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::Unknown
                    if matches!(kind, DatabaseErrorKind::SerializationFailure)
                        || info.message().starts_with("deadlock detected") =>
                {
                    ApiError::unavailable("a concurrent write interfered; try again").with_header(
                        actix_web::http::header::RETRY_AFTER,
                        HeaderValue::from_static("1"),
                    )
                }
                _ => ApiError::internal(error),
            }
        }
        _ => ApiError::internal(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Info(&'static str);

    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    #[test]
    fn deadlocks_and_serialization_failures_are_retryable_503s() {
        for (kind, message) in [
            (DatabaseErrorKind::Unknown, "deadlock detected"),
            (
                DatabaseErrorKind::SerializationFailure,
                "could not serialize access",
            ),
        ] {
            let error = DieselError::DatabaseError(kind, Box::new(Info(message)));
            let mapped = map_diesel_error(&error);
            assert_eq!(mapped.status, StatusCode::SERVICE_UNAVAILABLE, "{message}");
        }
        let other = DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new(Info("boom")));
        assert_eq!(
            map_diesel_error(&other).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn check_constraint_names_map_to_fields() {
        assert_eq!(checked_field("action_plans_end_year_check"), "end_year");
        assert_eq!(checked_field("irm_findings_ratings_check"), "ratings");
        assert_eq!(
            checked_field("milestones_completed_on_check"),
            "completed_on"
        );
    }

    #[test]
    fn validation_problem_lists_every_field() {
        let error = ApiError::validation(vec![
            FieldError::new("name", "is required"),
            FieldError::new("region", "must be one of …"),
        ]);
        let problem = error.to_problem("/api/v1/countries", "abc");
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.as_ref().map(Vec::len), Some(2));
        assert_eq!(problem.type_, "/problems/validation");
    }

    #[test]
    fn a_long_error_list_is_capped_and_says_so() {
        let errors = (0..15_000)
            .map(|i| FieldError::new(format!("f{i}"), "is not a field"))
            .collect();
        let error = ApiError::validation(errors);
        assert_eq!(error.errors.len(), MAX_LISTED_ERRORS);
        assert!(
            error.detail.contains("15000 fields") && error.detail.contains("14900 are left out"),
            "{}",
            error.detail
        );
    }

    #[test]
    fn non_validation_problems_have_no_errors_member() {
        let problem = ApiError::not_found("x").to_problem("/", "id");
        assert!(problem.errors.is_none());
    }
}

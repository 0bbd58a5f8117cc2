//! Request bodies: the JSON-object extractor and the field reader that validates it.
//!
//! Bodies are read as a JSON object and then field by field, rather than through a derived
//! `Deserialize`, so that one 422 can name *every* bad field (serde stops at the first), and so
//! that "absent", "null" and "a value" stay distinct for JSON Merge Patch (RFC 7396).
//! A PATCH is applied by merging it onto the stored resource's input form and validating the
//! result exactly as a create body: one set of rules for both.

use crate::error::{ApiError, FieldError};
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashSet;

mod read;

pub use read::{read_whole, BodyTimeout, DEFAULT_BODY_TIMEOUT};

/// Largest request body accepted, unless `BodyLimit` app data says otherwise.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// App data: the largest request body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// The largest bundle import body (`POST /api/v1/imports`), compressed or decompressed, unless
/// configured (`OGP_IMPORT_BODY_LIMIT`): 64 MiB.
pub const DEFAULT_IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The path of bundle imports, whose bodies have their own limit (`ImportBodyLimit`).
pub const IMPORT_PATH: &str = "/api/v1/imports";

/// App data: the largest bundle import body, in bytes (compressed, and again decompressed).
/// Here rather than in `crate::bundle` so that `crate::idempotency`, which reads the body of an
/// import sent with an `Idempotency-Key`, applies the same limit.
#[derive(Debug, Clone, Copy)]
pub struct ImportBodyLimit(pub usize);

/// A request body that is a JSON object (`application/json`, or for PATCH also
/// `application/merge-patch+json`).
pub struct JsonObject(pub Map<String, Value>);

fn is_json_media_type(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.eq_ignore_ascii_case("application/merge-patch+json")
}

impl FromRequest for JsonObject {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json_media_type(req);
        let limit = req
            .app_data::<BodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |l| l.0);
        let timeout = req
            .app_data::<BodyTimeout>()
            .map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
        let declared_length = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::unsupported_media_type(
                    "the body must be `application/json` (or `application/merge-patch+json` for PATCH)",
                ));
            }
            let too_large =
                || ApiError::payload_too_large(format!("the body exceeds {limit} bytes"));
            if declared_length.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let body = read_whole(&mut payload, limit, timeout).await?;
            parse_object(&body)
        })
    }
}

/// Parses a body that must be one JSON object: malformed JSON is a 400; another JSON value, or
/// a key given twice in any object of it, is a 422 naming the field.
fn parse_object(body: &[u8]) -> Result<JsonObject, ApiError> {
    let parsed = crate::json_keys::parse(body)
        .map_err(|e| ApiError::malformed_json(format!("the body is not valid JSON: {e}")))?;
    if !parsed.duplicates.is_empty() {
        return Err(ApiError::validation(
            parsed
                .duplicates
                .into_iter()
                .map(|field| FieldError::new(field, "given more than once"))
                .collect(),
        ));
    }
    match parsed.value {
        Value::Object(map) => Ok(JsonObject(map)),
        _ => Err(ApiError::invalid_field(
            "",
            "the body must be a JSON object",
        )),
    }
}

/// RFC 7396 JSON Merge Patch of `patch` onto `target`.
pub fn merge_patch(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Object(inner) => {
                let slot = target
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Value::Object(slot) = slot {
                    merge_patch(slot, inner);
                }
            }
            other => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

/// Which fields a body may carry.
pub struct FieldSet {
    /// Fields a client may send.
    pub writable: &'static [&'static str],
    /// Fields the server sets or derives: sending them is a 422.
    pub read_only: &'static [&'static str],
}

/// Reads and validates the fields of one body, collecting every error.
pub struct Fields {
    map: Map<String, Value>,
    /// Keys the client sent as an explicit `null`.
    nulled: HashSet<String>,
    errors: Vec<FieldError>,
}

impl Fields {
    /// A create body.
    pub fn for_create(body: Map<String, Value>, set: &FieldSet) -> Self {
        let mut fields = Self {
            map: Map::new(),
            nulled: HashSet::new(),
            errors: Vec::new(),
        };
        fields.check_keys(&body, set);
        for (key, value) in body {
            if value.is_null() {
                fields.nulled.insert(key);
            } else {
                fields.map.insert(key, value);
            }
        }
        fields
    }

    /// A merge patch applied onto `current` (the stored resource in its create-body form).
    pub fn for_patch(
        current: Map<String, Value>,
        patch: Map<String, Value>,
        set: &FieldSet,
    ) -> Self {
        let mut fields = Self {
            map: current,
            nulled: HashSet::new(),
            errors: Vec::new(),
        };
        fields.map.retain(|_, value| !value.is_null());
        fields.check_keys(&patch, set);
        fields.nulled = patch
            .iter()
            .filter(|(_, v)| v.is_null())
            .map(|(k, _)| k.clone())
            .collect();
        merge_patch(&mut fields.map, &patch);
        fields
    }

    fn check_keys(&mut self, body: &Map<String, Value>, set: &FieldSet) {
        for key in body.keys() {
            if set.read_only.contains(&key.as_str()) {
                self.error(key, "is set by the server and cannot be written");
            } else if !set.writable.contains(&key.as_str()) {
                self.error(
                    key,
                    format!(
                        "is not a field of this resource (fields: {})",
                        set.writable.join(", ")
                    ),
                );
            }
        }
    }

    /// Records an error on `field`.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Whether `field` already has an error (so later rules need not pile on).
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Whether the body carries a (non-null) value for `field`.
    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    fn decode<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        let value = self.map.get(name)?.clone();
        match serde_json::from_value::<T>(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(name, friendly(&e));
                None
            }
        }
    }

    /// A field that may be absent or null.
    pub fn nullable<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        self.decode(name)
    }

    /// A field that must be present and not null. `None` means an error was recorded.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        if !self.map.contains_key(name) {
            let message = if self.nulled.contains(name) {
                "cannot be null"
            } else {
                "is required"
            };
            self.error(name, message);
            return None;
        }
        self.decode(name)
    }

    /// A field that may be absent (then `default`) but not null.
    pub fn with_default<T: DeserializeOwned>(&mut self, name: &str, default: T) -> Option<T> {
        if self.nulled.contains(name) {
            self.error(name, "cannot be null");
            return None;
        }
        if !self.map.contains_key(name) {
            return Some(default);
        }
        self.decode(name)
    }

    /// A required text field of `min..=max` characters.
    pub fn required_text(&mut self, name: &str, max: usize) -> Option<String> {
        let text: String = self.required(name)?;
        self.check_text(name, text, max)
    }

    /// A nullable text field of `1..=max` characters.
    pub fn nullable_text(&mut self, name: &str, max: usize) -> Option<String> {
        let text: String = self.nullable(name)?;
        self.check_text(name, text, max)
    }

    /// A nullable `http(s)://` URL.
    pub fn nullable_url(&mut self, name: &str) -> Option<String> {
        let url = self.nullable_text(name, 2000)?;
        if url.starts_with("https://") || url.starts_with("http://") {
            Some(url)
        } else {
            self.error(name, "must be an http:// or https:// URL");
            None
        }
    }

    fn check_text(&mut self, name: &str, text: String, max: usize) -> Option<String> {
        let length = text.chars().count();
        if text.trim().is_empty() {
            self.error(name, "must not be empty or blank");
            None
        } else if !crate::text::has_visible_character(&text) {
            // Checked, never altered: a value with a visible character is stored as sent.
            self.error(name, "must contain a visible character");
            None
        } else if length > max {
            self.error(
                name,
                format!("must be at most {max} characters (got {length})"),
            );
            None
        } else if text.contains('\0') {
            self.error(name, "must not contain NUL characters");
            None
        } else {
            Some(text)
        }
    }

    /// A nullable calendar date, `YYYY-MM-DD`, in years 1 to 9999 (see [`crate::calendar`]).
    pub fn nullable_date(&mut self, name: &str) -> Option<chrono::NaiveDate> {
        let text: String = self.nullable(name)?;
        match crate::calendar::parse_date(&text) {
            Some(date) => Some(date),
            None => {
                self.error(
                    name,
                    format!("must be a date `YYYY-MM-DD` in years 1 to 9999 (got `{text}`)"),
                );
                None
            }
        }
    }

    /// Records `message` on `field` unless `ok`.
    pub fn ensure(&mut self, ok: bool, field: &str, message: impl Into<String>) {
        if !ok {
            self.error(field, message);
        }
    }

    /// The collected errors, as one 422.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.errors))
        }
    }
}

/// serde's messages, minus the position suffix that means nothing for a single field.
fn friendly(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A resource's create-body form as a JSON object, the base a merge patch applies to.
pub fn to_object<T: serde::Serialize>(input: &T) -> Map<String, Value> {
    match serde_json::to_value(input) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A resource's create body: which fields it has and how they are validated. A PATCH is the
/// stored resource's create body with the merge patch applied, validated by the same rules.
pub trait FromFields: serde::Serialize + Sized {
    /// The fields a client may send, and those it may not.
    const FIELDS: FieldSet;

    /// Validates the fields, naming every bad one.
    fn from_fields(fields: Fields) -> Result<Self, ApiError>;

    /// A create body.
    fn from_create(body: Map<String, Value>) -> Result<Self, ApiError> {
        Self::from_fields(Fields::for_create(body, &Self::FIELDS))
    }

    /// `patch` (JSON Merge Patch) applied onto `current`.
    fn from_patch(current: &Self, patch: Map<String, Value>) -> Result<Self, ApiError> {
        Self::from_fields(Fields::for_patch(to_object(current), patch, &Self::FIELDS))
    }
}

/// Refuses a list that holds a value more than once.
pub fn check_distinct<T: Ord + Clone>(f: &mut Fields, field: &str, values: &[T]) {
    let mut seen = values.to_vec();
    seen.sort();
    seen.dedup();
    f.ensure(
        seen.len() == values.len(),
        field,
        "lists a value more than once",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SET: FieldSet = FieldSet {
        writable: &["name", "note", "year"],
        read_only: &["version"],
    };

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = object(json!({"a": "b", "c": {"d": "e", "f": "g"}}));
        merge_patch(&mut target, &object(json!({"a": "z", "c": {"f": null}})));
        assert_eq!(Value::Object(target), json!({"a": "z", "c": {"d": "e"}}));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let body = object(json!({"version": 3, "colour": "red", "year": "x"}));
        let mut fields = Fields::for_create(body, &SET);
        let _: Option<String> = fields.required_text("name", 10);
        let _: Option<i32> = fields.nullable("year");
        let error = fields.finish().unwrap_err();
        let named: Vec<_> = error.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["version", "colour", "name", "year"]);
    }

    #[test]
    fn patch_null_clears_nullable_and_is_refused_on_required() {
        let current = object(json!({"name": "A", "note": "n", "year": 2020}));
        let patch = object(json!({"note": null, "name": null}));
        let mut fields = Fields::for_patch(current, patch, &SET);
        assert_eq!(fields.nullable::<String>("note"), None);
        assert_eq!(fields.nullable::<i32>("year"), Some(2020));
        assert_eq!(fields.required::<String>("name"), None);
        let error = fields.finish().unwrap_err();
        assert_eq!(error.errors[0].message, "cannot be null");
    }

    #[test]
    fn text_rules() {
        let body = object(json!({"name": "  ", "note": "a\u{0}b"}));
        let mut fields = Fields::for_create(body, &SET);
        assert!(fields.required_text("name", 5).is_none());
        assert!(fields.nullable_text("note", 5).is_none());
        assert_eq!(fields.finish().unwrap_err().errors.len(), 2);
    }
}

//! Typed reading of query parameters, with 400s that name the parameter.
//!
//! List queries take every parameter as text and parse it here, so that a bad value is answered
//! with the parameter's name and what it accepts (serde's own messages name neither).

use crate::error::ApiError;
use std::str::FromStr;

/// Parses an optional query parameter; `expected` says what it accepts.
pub fn parse<T: FromStr>(
    name: &str,
    value: Option<&str>,
    expected: &str,
) -> Result<Option<T>, ApiError> {
    value
        .map(|text| {
            text.parse::<T>().map_err(|_| {
                ApiError::invalid_query(format!("`{name}` must be {expected} (got `{text}`)"))
            })
        })
        .transpose()
}

/// An optional id parameter (a positive whole number).
pub fn id(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    match parse::<i64>(name, value, "a positive whole number")? {
        Some(id) if id < 1 => Err(ApiError::invalid_query(format!(
            "`{name}` must be a positive whole number (got `{id}`)"
        ))),
        other => Ok(other),
    }
}

/// Refuses a parent filter that the path of a read alias already fixes.
pub fn not_in_alias(name: &str, value: Option<&str>) -> Result<(), ApiError> {
    match value {
        Some(_) => Err(ApiError::invalid_query(format!(
            "`{name}` is already given by the path of this list"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_positive() {
        assert_eq!(id("x", Some("7")).unwrap(), Some(7));
        assert_eq!(id("x", None).unwrap(), None);
        assert!(id("x", Some("0")).is_err());
        let error = id("action_plan_id", Some("abc")).unwrap_err();
        assert!(error.detail.contains("`action_plan_id`"));
    }
}

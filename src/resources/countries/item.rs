//! How the shared item flows (`crate::flow`) treat a country: keyed by its code, which cannot
//! change.

use super::model::{Country, NewCountry};
use crate::db::keyed::Keyed;
use crate::error::ApiError;
use crate::flow::{Item, NaturalKey};
use crate::listing::spec::ListSpec;
use crate::vocab::is_country_code;
use diesel_async::AsyncPgConnection;

impl Item for Country {
    const NOUN: &'static str = "country";
    const COLLECTION: &'static str = "countries";
    const LIST: &'static ListSpec = &super::list::SPEC;
    type Input = NewCountry;

    async fn prepare(_: &mut AsyncPgConnection, input: NewCountry) -> Result<NewCountry, ApiError> {
        Ok(input)
    }

    /// Text that cannot name a country (a NUL byte, lower case, a long string) is a 404
    /// without asking PostgreSQL, which cannot take a NUL in text.
    fn parse_key(code: String) -> Result<String, ApiError> {
        if is_country_code(&code) {
            Ok(code)
        } else {
            Err(Self::not_found(&code))
        }
    }

    fn not_found(code: &String) -> ApiError {
        ApiError::not_found(format!("no country has the code `{}`", code.escape_debug()))
    }

    async fn store_update(
        conn: &mut AsyncPgConnection,
        current: &Country,
        write: &NewCountry,
    ) -> Result<Country, ApiError> {
        if write.code != current.code {
            return Err(ApiError::invalid_field(
                "code",
                "is the key and cannot change",
            ));
        }
        Ok(Country::update(conn, &current.code, write).await?)
    }
}

/// A country's code is its natural key, in its path: `PUT /countries/{code}` creates or
/// replaces it.
impl NaturalKey for Country {
    const KEY_FIELD: &'static str = "code";

    fn key_value(code: &String) -> serde_json::Value {
        serde_json::Value::String(code.clone())
    }
}

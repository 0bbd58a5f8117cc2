//! Country SQL.

use super::model::{Country, NewCountry};
use crate::schema::countries;

crate::db::keyed::keyed_queries!(countries, Country, NewCountry, String, code);

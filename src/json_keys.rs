//! JSON parsing that notices duplicate object keys.
//!
//! `serde_json::Value` keeps the *last* value of a key given twice, so `{"code":"ZZA",
//! "code":"ZZB"}` would be read as `ZZB` and the first value never validated — and another
//! parser (a proxy, an audit log) may well read `ZZA`. RFC 8259 leaves such documents'
//! meaning undefined; the API refuses them. This builds the same `Value` serde_json would,
//! through a small visitor that records the path of every key seen twice.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A parsed document and the keys it gave more than once.
#[derive(Debug)]
pub struct Parsed {
    /// The document (for a duplicate key, its first value).
    pub value: Value,
    /// Each duplicate key, as a field path: object keys and array indexes joined with `.`
    /// (`code`, `ratings.0.relevance`), in document order, each named once.
    pub duplicates: Vec<String>,
}

/// Parses `bytes` as one JSON document (trailing non-whitespace is an error, as in
/// `serde_json::from_slice`). Nesting depth stays bounded by serde_json's recursion limit.
pub fn parse(bytes: &[u8]) -> Result<Parsed, serde_json::Error> {
    let mut duplicates = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Seed {
        path: "",
        duplicates: &mut duplicates,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(Parsed { value, duplicates })
}

/// A seed building one value (with `path` as its field path's prefix, `""` for none) and
/// recording its duplicate keys into `duplicates`: for a document read piece by piece (a
/// bundle's records, one at a time), where [`parse`] would need it whole.
pub fn seed<'a>(
    path: &'a str,
    duplicates: &'a mut Vec<String>,
) -> impl for<'de> DeserializeSeed<'de, Value = Value> + 'a {
    Seed { path, duplicates }
}

/// Builds one value at `path`, recording duplicate keys into `duplicates`.
struct Seed<'a> {
    path: &'a str,
    duplicates: &'a mut Vec<String>,
}

fn child(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_string()
    } else {
        format!("{path}.{segment}")
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // As serde_json's own `Value` does (JSON text cannot spell a non-finite number).
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = child(self.path, &items.len().to_string());
            let seed = Seed {
                path: &path,
                duplicates: &mut *self.duplicates,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        // Keys of this object already reported (a key given three times is named once); paths
        // of different objects differ, so this is the only check needed, in constant time.
        let mut reported = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = child(self.path, &key);
            let value = map.next_value_seed(Seed {
                path: &path,
                duplicates: &mut *self.duplicates,
            })?;
            if object.contains_key(&key) {
                if reported.insert(key) {
                    self.duplicates.push(path);
                }
            } else {
                object.insert(key, value);
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_what_serde_json_builds() {
        let text = r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#;
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.value, serde_json::from_str::<Value>(text).unwrap());
        assert!(parsed.duplicates.is_empty());
    }

    #[test]
    fn duplicates_are_found_at_any_depth_and_named_once() {
        let text = r#"{"code": "ZZA", "code": "ZZB", "code": 1,
                       "r": [{"x": 1}, {"x": 1, "x": 2}], "s": {"t": {"u": 1, "u": 1}}}"#;
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.duplicates, ["code", "r.1.x", "s.t.u"]);
        assert_eq!(parsed.value["code"], json!("ZZA"));
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in ["", "{", r#"{"a": 1} x"#, r#"{"a": 01}"#, "[1,]"] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(deep.as_bytes()).is_err(), "depth is bounded");
    }
}

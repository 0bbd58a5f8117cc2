//! Writes a bundle record straight into the export's buffer: the natural keys first, then the
//! create body's fields without its id fields, in one pass of `serde_json`'s serializer.
//!
//! Why not [`super::format::record`] (the reference this is tested against, byte for byte):
//! it serializes the body into a `serde_json::Value` (a `String` per text and per key, a map
//! hashed per field), rebuilds the map with the keys in front, and serializes that again; at a
//! few million records that was most of the export's CPU. Here a thin [`Serializer`] wraps
//! `serde_json`'s: when the body opens its object, the keys are written first, and each id field
//! the body then offers is skipped. The bytes are the same (compact JSON, the same escapes, the
//! same field order); nothing is built in between.

use serde::ser::{Error as _, Impossible, SerializeStruct, Serializer};
use serde::Serialize;

/// A natural-key value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    /// A code or a slug.
    Text(&'a str),
    /// A number.
    Number(i32),
    /// No value (a finding without a commitment): written as `null`.
    Null,
}

impl Serialize for Key<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Key::Text(text) => serializer.serialize_str(text),
            Key::Number(number) => serializer.serialize_i32(*number),
            Key::Null => serializer.serialize_none(),
        }
    }
}

/// The natural keys of one record, in their order (at most four; no allocation per record).
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    keys: [(&'static str, Key<'a>); 4],
    len: usize,
}

impl<'a> Keys<'a> {
    /// No keys.
    pub fn new() -> Self {
        Self {
            keys: [("", Key::Null); 4],
            len: 0,
        }
    }

    /// The keys of a national or local plan, for the records of its children: the member's
    /// slug only when the plan is local (absent, not null, for a national plan's children, as
    /// [`super::format::plan_keys`] writes them).
    pub fn plan(code: &'a str, member: Option<&'a str>, number: i32) -> Self {
        let mut keys = Self::new();
        keys.push("country_code", Key::Text(code));
        if let Some(slug) = member {
            keys.push("local_member_slug", Key::Text(slug));
        }
        keys.push("plan_number", Key::Number(number));
        keys
    }

    /// Adds `name` with `value` after the keys so far.
    ///
    /// # Panics
    /// On a fifth key: no record has more than four (a programming error, caught by the tests).
    pub fn push(&mut self, name: &'static str, value: Key<'a>) {
        self.keys[self.len] = (name, value);
        self.len += 1;
    }

    /// The keys, in order.
    pub fn as_slice(&self) -> &[(&'static str, Key<'a>)] {
        &self.keys[..self.len]
    }
}

impl Default for Keys<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Appends to `out` the bundle record of the create body `input`: `keys` first, then its
/// fields without the id fields `ids` (the bytes `format::record` and `serde_json` write).
pub fn write_record<T: Serialize>(
    out: &mut Vec<u8>,
    input: &T,
    keys: &Keys<'_>,
    ids: &[&str],
) -> Result<(), serde_json::Error> {
    let mut json = serde_json::Serializer::new(out);
    input.serialize(Keyed {
        inner: &mut json,
        keys: keys.as_slice(),
        ids,
    })
}

/// Serializes a struct through `inner` with `keys` in front and the fields `ids` left out;
/// anything but a struct is refused (a create body is always one).
struct Keyed<'k, S> {
    inner: S,
    keys: &'k [(&'static str, Key<'k>)],
    ids: &'k [&'k str],
}

/// The struct being written: forwards each field but the id fields.
struct KeyedStruct<'k, S> {
    inner: S,
    ids: &'k [&'k str],
}

impl<S: SerializeStruct> SerializeStruct for KeyedStruct<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        if self.ids.contains(&key) {
            return Ok(());
        }
        self.inner.serialize_field(key, value)
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

/// Refuses a value that is not a struct.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(
            fn $method(self, $(_: $arg),*) -> Result<$ok, S::Error> {
                Err(S::Error::custom("a create body is not an object"))
            }
        )*
    };
}

impl<'k, S: Serializer> Serializer for Keyed<'k, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Impossible<S::Ok, S::Error>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
    type SerializeMap = Impossible<S::Ok, S::Error>;
    type SerializeStruct = KeyedStruct<'k, S::SerializeStruct>;
    type SerializeStructVariant = Impossible<S::Ok, S::Error>;

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let mut inner = self.inner.serialize_struct(name, len + self.keys.len())?;
        for (key, value) in self.keys {
            inner.serialize_field(key, value)?;
        }
        Ok(KeyedStruct {
            inner,
            ids: self.ids,
        })
    }

    not_a_struct! {
        serialize_bool(bool) -> S::Ok;
        serialize_i8(i8) -> S::Ok;
        serialize_i16(i16) -> S::Ok;
        serialize_i32(i32) -> S::Ok;
        serialize_i64(i64) -> S::Ok;
        serialize_u8(u8) -> S::Ok;
        serialize_u16(u16) -> S::Ok;
        serialize_u32(u32) -> S::Ok;
        serialize_u64(u64) -> S::Ok;
        serialize_f32(f32) -> S::Ok;
        serialize_f64(f64) -> S::Ok;
        serialize_char(char) -> S::Ok;
        serialize_str(&str) -> S::Ok;
        serialize_bytes(&[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(&'static str) -> S::Ok;
        serialize_unit_variant(&'static str, u32, &'static str) -> S::Ok;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("a create body is not an object"))
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("a create body is not an object"))
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("a create body is not an object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::format::{self, COMMITMENT_KEYS, FINDING_KEYS, MILESTONE_KEYS};
    use crate::resources::action_plans::model::NewActionPlan;
    use crate::resources::commitments::model::NewCommitment;
    use crate::resources::countries::model::NewCountry;
    use crate::resources::irm_findings::model::NewIrmFinding;
    use crate::resources::milestones::model::NewMilestone;
    use crate::vocab::*;
    use chrono::NaiveDate;
    use serde_json::Value;

    /// Text that needs every kind of escape, and some that needs none.
    const TRICKY: &str = "quote \" backslash \\ slash / tab \t nl \n cr \r bs \u{8} ff \u{c} \
                          nul \u{0} unit \u{1f} del \u{7f} é ☃ 𝄞 \u{2028} </script>";

    /// The reference bytes: `format::record` serialized, as the export wrote it before.
    fn reference<T: Serialize>(input: &T, keys: &Keys<'_>, ids: &[&str]) -> String {
        let keys = keys
            .as_slice()
            .iter()
            .map(|(name, key)| (*name, serde_json::to_value(key).unwrap()))
            .collect();
        serde_json::to_string(&format::record(input, keys, ids).unwrap()).unwrap()
    }

    fn written<T: Serialize>(input: &T, keys: &Keys<'_>, ids: &[&str]) -> String {
        let mut out = b"prefix,".to_vec();
        write_record(&mut out, input, keys, ids).unwrap();
        let out = String::from_utf8(out).unwrap();
        out.strip_prefix("prefix,").unwrap().to_string()
    }

    fn same<T: Serialize>(input: &T, keys: &Keys<'_>, ids: &[&str]) -> String {
        let expected = reference(input, keys, ids);
        assert_eq!(written(input, keys, ids), expected);
        expected
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn commitment(text: Option<&str>, values: Vec<OgpValue>) -> NewCommitment {
        NewCommitment {
            action_plan_id: 7,
            number: 3,
            reference: text.map(str::to_string),
            title: TRICKY.to_string(),
            description: text.map(str::to_string),
            theme: None,
            lead_institution: Some(String::new()),
            ogp_values: values,
            start_date: Some(date("0001-01-01")),
            end_date: Some(date("9999-12-31")),
            withdrawn: true,
        }
    }

    #[test]
    fn commitments_are_written_as_the_reference_writes_them() {
        let ids = COMMITMENT_KEYS.1;
        for member in [None, Some("sekondi-takoradi")] {
            let keys = Keys::plan("GHA", member, 2);
            for input in [
                commitment(None, Vec::new()),
                commitment(Some(TRICKY), vec![OgpValue::CivicParticipation]),
                commitment(Some(""), OgpValue::ALL.to_vec()),
            ] {
                let text = same(&input, &keys, ids);
                let record: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(record["title"], TRICKY);
                assert!(record.get("action_plan_id").is_none(), "{text}");
                // A national plan's children carry no `local_member_slug` at all.
                assert_eq!(record.get("local_member_slug").is_some(), member.is_some());
            }
        }
        assert!(written(
            &commitment(None, Vec::new()),
            &Keys::plan("GHA", None, 2),
            ids
        )
        .starts_with(r#"{"country_code":"GHA","plan_number":2,"number":3,"reference":null,"#));
    }

    #[test]
    fn milestones_and_findings_are_written_as_the_reference_writes_them() {
        for member in [None, Some("a-b")] {
            let mut keys = Keys::plan("MEX", member, 1);
            keys.push("commitment_number", Key::Number(12));
            for (description, due) in [(None, None), (Some(TRICKY), Some(date("2023-06-30")))] {
                let input = NewMilestone {
                    commitment_id: 99,
                    position: 4,
                    title: TRICKY.to_string(),
                    description: description.map(str::to_string),
                    due_date: due,
                    status: MilestoneStatus::Completed,
                    completed_on: due,
                };
                same(&input, &keys, MILESTONE_KEYS.1);
            }
            for number in [Key::Null, Key::Number(5)] {
                let mut keys = Keys::plan("MEX", member, 1);
                keys.push("commitment_number", number);
                let text = same(&finding(), &keys, FINDING_KEYS.1);
                assert!(!text.contains("commitment_id"), "{text}");
                assert!(!text.contains("action_plan_id"), "{text}");
            }
        }
    }

    fn finding() -> NewIrmFinding {
        NewIrmFinding {
            action_plan_id: 1,
            commitment_id: Some(2),
            report: Report::ProgressReport,
            kind: FindingKind::Assessment,
            title: Some(TRICKY.to_string()),
            body: None,
            position: None,
            published_on: Some(date("2015-02-01")),
            source_url: Some("https://example.org/a?b=c&d=\"e\"".to_string()),
            specificity: None,
            relevance: Some(Vec::new()),
            potential_impact: None,
            potential_for_results: None,
            completion: None,
            did_it_open_government: None,
            verifiable: Some(false),
            open_government_lens: None,
            early_results: None,
            well_designed: Some(true),
            starred: None,
            potentially_starred: None,
            promising: None,
            no_public_engagement: None,
            irm_not_engaged: None,
            late_action_plan: None,
            iap2_minimum_not_met: None,
            no_online_repository: None,
            co_creation_minimum_not_met: None,
            no_progress_on_any_commitment: None,
            acted_contrary_to_process: Some(false),
        }
    }

    #[test]
    fn records_without_keys_are_the_plain_body() {
        let country = NewCountry {
            code: "GHA".to_string(),
            name: TRICKY.to_string(),
            name_es: None,
            name_fr: Some("Ghana".to_string()),
            region: Region::AfricaMiddleEast,
            member_since: Some(2011),
            membership_status: MembershipStatus::Active,
        };
        let text = same(&country, &Keys::new(), &[]);
        assert_eq!(text, serde_json::to_string(&country).unwrap());
        let plan = NewActionPlan {
            country_code: "GHA".to_string(),
            local_member_slug: None,
            number: 1,
            title: TRICKY.to_string(),
            start_year: 2021,
            end_year: 2023,
            status: PlanStatus::ALL[0],
            submitted_on: None,
            public_influence: None,
            multistakeholder_forum: Some(true),
            source_url: None,
        };
        let text = same(&plan, &Keys::new(), &[]);
        // A plan's own `local_member_slug` is a body field: null, not absent.
        assert!(text.contains(r#""local_member_slug":null"#), "{text}");
    }

    #[test]
    fn anything_but_a_struct_is_refused() {
        let mut out = Vec::new();
        assert!(write_record(&mut out, &vec![1, 2], &Keys::new(), &[]).is_err());
        assert!(write_record(&mut out, &"text", &Keys::new(), &[]).is_err());
    }
}

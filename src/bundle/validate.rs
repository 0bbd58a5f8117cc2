//! An import's checks, a chunk of records at a time (`Checker`): each record read through its
//! resource's `FromFields`, its parents resolved (in the bundle or the database), its natural
//! key checked for duplicates, and (for IRM findings) the rules of its report's era applied
//! against its plan's years. Every error is collected, with a JSON pointer into the bundle;
//! nothing is written here.
//!
//! What it keeps between chunks is compact, so a bundle of millions of records is checked in
//! bounded memory: the local members and plans it has met (a few thousand, by natural key: a
//! plan's includes its local member, `None` for a national plan), and per large
//! collection a set of exact packed keys: a commitment as its plan's index and its number (one
//! `u64`), a milestone as its commitment's index and its position (one `u64`), a finding as its
//! plan's index, report, kind and commitment number or position. The keys are exact (no
//! hashing to fewer bits), so a duplicate is never missed and never invented. A parent the
//! bundle does not hold is looked up in the database, in one query per chunk, inside the
//! import's transaction.

use super::format::{self, KeyField, KeyKind, COLLECTIONS, FORMAT, VERSION};
use super::lookup;
use super::sections::{Outline, Record};
use crate::body::FromFields;
use crate::db::keyed::Keyed;
use crate::error::{ApiError, FieldError};
use crate::resources::action_plans::model::NewActionPlan;
use crate::resources::commitments::model::NewCommitment;
use crate::resources::countries::model::{Country, NewCountry};
use crate::resources::irm_findings::eras::PlanYears;
use crate::resources::irm_findings::model::NewIrmFinding;
use crate::resources::local_members::model::{LocalMember, NewLocalMember};
use crate::resources::milestones::model::NewMilestone;
use crate::vocab::{FindingKind, Report};
use diesel_async::AsyncPgConnection;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// A plan's natural key: country code, local member (`None`: a national plan) and plan number.
pub type PlanKey = (String, Option<String>, i32);
/// A commitment's natural key: its plan's and its number.
pub type CommitmentKey = (String, Option<String>, i32, i32);

/// The plan part of a commitment's key.
pub fn plan_of(key: &CommitmentKey) -> PlanKey {
    (key.0.clone(), key.1.clone(), key.2)
}

/// A finding's key: its plan's index, report, kind, and commitment number (an assessment) or
/// position (any other kind).
type FindingKey = (u32, Report, FindingKind, Option<i32>, Option<i32>);

/// The most records one collection may hold: a commitment's index must fit 31 bits of a
/// packed milestone key (the stored commitments take the upper half).
const MAX_RECORDS: u64 = 1 << 31;

/// Stands for a parent's id until the write knows it: any valid id passes `FromFields`.
const PLACEHOLDER_ID: i64 = 1;

/// A plan met so far.
struct Plan {
    /// Its index: what packed keys of its children hold.
    index: u32,
    /// The index of the bundle record that holds it, if one does.
    record: Option<u64>,
    /// Its years (the bundle's, else the database's); `None`: it exists nowhere.
    years: Option<PlanYears>,
}

/// Checks a bundle chunk by chunk, collecting every error.
pub struct Checker {
    /// Every problem found so far.
    pub errors: Vec<FieldError>,
    countries: HashMap<String, u64>,
    stored_countries: HashMap<String, bool>,
    /// The bundle's local members: slug → (record index, country code).
    local_members: HashMap<String, (u64, String)>,
    /// Local members the bundle names but does not hold: slug → their country, if the
    /// database has them.
    stored_members: HashMap<String, Option<String>>,
    plans: HashMap<PlanKey, Plan>,
    /// The bundle's commitments: packed (plan index, number) → record index.
    commitments: HashMap<u64, u64>,
    /// Commitments the bundle names but does not hold: packed key → an index of their own
    /// (from 2³¹ up) when the database has them.
    stored_commitments: HashMap<u64, Option<u32>>,
    /// The bundle's milestones: packed (commitment index, position).
    milestones: HashSet<u64>,
    /// The bundle's findings → record index.
    findings: HashMap<FindingKey, u64>,
}

fn pack(high: u32, low: i32) -> u64 {
    (u64::from(high) << 32) | u64::from(low as u32)
}

/// `error` (a `FromFields` 422 or another problem) as field errors under `pointer`.
fn errors_of(pointer: &str, error: ApiError) -> Vec<FieldError> {
    if error.errors.is_empty() {
        return vec![FieldError::new("", error.detail).under(pointer)];
    }
    error.errors.into_iter().map(|f| f.under(pointer)).collect()
}

impl Checker {
    /// Checks the top level of a bundle; refuses at once (nothing else is read) a document that
    /// is not an object, gives a top-level key twice, is of another version, or is too large.
    /// The other problems of the top level start the list of errors.
    pub fn start(outline: &Outline) -> Result<Self, ApiError> {
        if outline.not_object {
            return Err(ApiError::invalid_field(
                "",
                "a bundle must be a JSON object",
            ));
        }
        if !outline.duplicates.is_empty() {
            return Err(ApiError::validation(
                outline
                    .duplicates
                    .iter()
                    .map(|key| FieldError::new(key.as_str(), "given more than once in one object"))
                    .collect(),
            ));
        }
        let mut errors = Vec::new();
        match &outline.version {
            Some(Value::Number(n)) if n.as_i64() == Some(VERSION) => {}
            Some(other) => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "version",
                    format!(
                    "version {other} is not supported: this server reads bundle version {VERSION}"
                ),
                )
                .under("")]))
            }
            None => errors
                .push(FieldError::new("version", format!("is required ({VERSION})")).under("")),
        }
        match &outline.format {
            Some(Value::String(f)) if f == FORMAT => {}
            _ => errors.push(FieldError::new("format", format!("must be `{FORMAT}`")).under("")),
        }
        errors.extend(outline.errors.iter().cloned());
        let count = |name: &str| {
            let i = COLLECTIONS.iter().position(|c| *c == name).unwrap_or(0);
            outline.sections[i].map_or(0, |s| s.count)
        };
        if let Some(name) = COLLECTIONS.iter().find(|c| count(c) >= MAX_RECORDS) {
            return Err(ApiError::payload_too_large(format!(
                "`{name}` holds {} records; a bundle may hold fewer than {MAX_RECORDS} of each \
                 collection: split it",
                count(name)
            )));
        }
        let capacity = |name: &str| usize::try_from(count(name)).unwrap_or(0);
        Ok(Self {
            errors,
            countries: HashMap::new(),
            stored_countries: HashMap::new(),
            local_members: HashMap::new(),
            stored_members: HashMap::new(),
            plans: HashMap::new(),
            commitments: HashMap::with_capacity(capacity("commitments")),
            stored_commitments: HashMap::new(),
            milestones: HashSet::with_capacity(capacity("milestones")),
            findings: HashMap::with_capacity(capacity("irm_findings")),
        })
    }

    /// Whether no problem was found so far (the import keeps writing while so).
    pub fn clean(&self) -> bool {
        self.errors.is_empty()
    }

    fn at(&mut self, pointer: &str, field: &str, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(field, message).under(pointer));
    }

    /// The records of a chunk of collection `name` that are objects without a key given twice,
    /// each with its index and pointer (the others are errors).
    fn objects(
        &mut self,
        name: &str,
        records: Vec<Record>,
    ) -> Vec<(u64, String, Map<String, Value>)> {
        let mut out = Vec::with_capacity(records.len());
        for record in records {
            let pointer = format!("/{name}/{}", record.index);
            if !record.duplicates.is_empty() {
                for field in record.duplicates {
                    self.at(&pointer, &field, "given more than once in one object");
                }
                continue;
            }
            match record.value {
                Value::Object(map) => out.push((record.index, pointer, map)),
                _ => self.at(&pointer, "", "must be a JSON object"),
            }
        }
        out
    }

    /// Takes the natural-key fields `keys` out of `record` (refusing the id fields `ids` they
    /// replace); `None` when one is missing or of the wrong type (the error is recorded).
    fn take_keys(
        &mut self,
        record: &mut Map<String, Value>,
        pointer: &str,
        keys: (&[KeyField], &[&str]),
    ) -> Option<Vec<Value>> {
        let (keys, ids) = keys;
        let mut ok = true;
        for id in ids {
            if record.remove(*id).is_some() {
                let names = keys.iter().map(|k| k.name).collect::<Vec<_>>().join(", ");
                self.at(
                    pointer,
                    id,
                    format!("a bundle names parents by natural key ({names}), not by id"),
                );
                ok = false;
            }
        }
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            let value = record.remove(key.name).unwrap_or(Value::Null);
            let fits = match (&value, key.kind) {
                (Value::Null, _) => !key.required,
                (Value::String(code), KeyKind::Code) => crate::vocab::is_country_code(code),
                (Value::String(slug), KeyKind::Slug) => crate::vocab::is_local_member_slug(slug),
                (Value::Number(n), KeyKind::Number) => n
                    .as_i64()
                    .is_some_and(|n| (1..=i64::from(i32::MAX)).contains(&n)),
                _ => false,
            };
            if !fits {
                let expected = match key.kind {
                    KeyKind::Code => "three upper-case letters (ISO 3166-1 alpha-3)",
                    KeyKind::Slug => "a local member's slug (lower-case words joined by hyphens)",
                    KeyKind::Number => "an integer, 1 or more",
                };
                let message = if value.is_null() {
                    format!("is required: {expected}")
                } else {
                    format!("must be {expected}")
                };
                self.at(pointer, key.name, message);
                ok = false;
            }
            values.push(value);
        }
        ok.then_some(values)
    }

    /// Whether a country exists, in the bundle or the database.
    async fn country(
        &mut self,
        conn: &mut AsyncPgConnection,
        code: &str,
    ) -> Result<bool, ApiError> {
        if self.countries.contains_key(code) {
            return Ok(true);
        }
        if let Some(known) = self.stored_countries.get(code) {
            return Ok(*known);
        }
        let exists = Country::exists(conn, &code.to_string()).await?;
        self.stored_countries.insert(code.to_string(), exists);
        Ok(exists)
    }

    /// The country of local member `slug`, in the bundle or the database; `None`: no member
    /// has this slug.
    async fn local_member(
        &mut self,
        conn: &mut AsyncPgConnection,
        slug: &str,
    ) -> Result<Option<String>, ApiError> {
        if let Some((_, country)) = self.local_members.get(slug) {
            return Ok(Some(country.clone()));
        }
        if let Some(known) = self.stored_members.get(slug) {
            return Ok(known.clone());
        }
        let country = LocalMember::find(conn, &slug.to_string())
            .await?
            .map(|m| m.country_code);
        self.stored_members
            .insert(slug.to_string(), country.clone());
        Ok(country)
    }

    /// Looks up, in one query, the plans among `keys` not met yet.
    async fn prefetch_plans(
        &mut self,
        conn: &mut AsyncPgConnection,
        keys: impl Iterator<Item = PlanKey>,
    ) -> Result<(), ApiError> {
        let wanted: HashSet<PlanKey> = keys.filter(|k| !self.plans.contains_key(k)).collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let wanted: Vec<PlanKey> = wanted.into_iter().collect();
        let found: HashMap<PlanKey, PlanYears> = lookup::plans(conn, &wanted)
            .await?
            .into_iter()
            .map(|p| {
                let years = PlanYears {
                    start: p.start_year,
                    end: p.end_year,
                };
                ((p.country_code, p.local_member_slug, p.number), years)
            })
            .collect();
        for key in wanted {
            let index = self.plans.len() as u32;
            let years = found.get(&key).copied();
            self.plans.insert(
                key,
                Plan {
                    index,
                    record: None,
                    years,
                },
            );
        }
        Ok(())
    }

    /// A plan's index and years, if it exists (after [`Self::prefetch_plans`]).
    fn plan(&self, key: &PlanKey) -> Option<(u32, PlanYears)> {
        self.plans
            .get(key)
            .and_then(|p| p.years.map(|years| (p.index, years)))
    }

    /// The packed key of a commitment whose plan exists.
    fn commitment_key(&self, key: &CommitmentKey) -> Option<u64> {
        let (plan, _) = self.plan(&plan_of(key))?;
        Some(pack(plan, key.3))
    }

    /// Looks up, in one query, the commitments among `keys` that the bundle does not hold and
    /// that were not looked up yet (their plans first).
    async fn prefetch_commitments(
        &mut self,
        conn: &mut AsyncPgConnection,
        keys: Vec<CommitmentKey>,
    ) -> Result<(), ApiError> {
        self.prefetch_plans(conn, keys.iter().map(plan_of)).await?;
        let mut wanted = HashMap::new();
        for key in keys {
            if let Some(packed) = self.commitment_key(&key) {
                if !self.commitments.contains_key(&packed)
                    && !self.stored_commitments.contains_key(&packed)
                {
                    wanted.insert(key, packed);
                }
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let keys: Vec<CommitmentKey> = wanted.keys().cloned().collect();
        let found: HashSet<CommitmentKey> = lookup::commitment_ids(conn, &keys)
            .await?
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        for (key, packed) in wanted {
            let index = found
                .contains(&key)
                .then(|| (1u32 << 31) + self.stored_commitments.len() as u32);
            self.stored_commitments.insert(packed, index);
        }
        Ok(())
    }

    /// A commitment's index, if it exists in the bundle or the database (after
    /// [`Self::prefetch_commitments`]).
    fn commitment(&self, key: &CommitmentKey) -> Option<u32> {
        let packed = self.commitment_key(key)?;
        match self.commitments.get(&packed) {
            Some(record) => Some(*record as u32),
            None => self.stored_commitments.get(&packed).copied().flatten(),
        }
    }

    /// Checks a chunk of countries; returns the valid ones.
    pub fn countries(&mut self, records: Vec<Record>) -> Vec<(u64, NewCountry)> {
        let mut out = Vec::new();
        for (index, pointer, record) in self.objects("countries", records) {
            match NewCountry::from_create(record) {
                Ok(country) => match self.countries.get(&country.code) {
                    Some(first) => {
                        let message = format!("is given twice (first at /countries/{first})");
                        self.at(&pointer, "code", message);
                    }
                    None => {
                        self.countries.insert(country.code.clone(), index);
                        out.push((index, country));
                    }
                },
                Err(error) => self.errors.extend(errors_of(&pointer, error)),
            }
        }
        out
    }

    /// Checks a chunk of OGP Local members; returns the valid ones.
    pub async fn local_members(
        &mut self,
        conn: &mut AsyncPgConnection,
        records: Vec<Record>,
    ) -> Result<Vec<(u64, NewLocalMember)>, ApiError> {
        let mut out = Vec::new();
        for (index, pointer, record) in self.objects("local_members", records) {
            let member = match NewLocalMember::from_create(record) {
                Ok(member) => member,
                Err(error) => {
                    self.errors.extend(errors_of(&pointer, error));
                    continue;
                }
            };
            if let Some((first, _)) = self.local_members.get(&member.slug) {
                let message = format!("is given twice (first at /local_members/{first})");
                self.at(&pointer, "slug", message);
                continue;
            }
            if !self.country(conn, &member.country_code).await? {
                self.at(
                    &pointer,
                    "country_code",
                    "no country has this code, in the bundle or the database",
                );
                continue;
            }
            // The bundle's country wins over the database's: it is what the import writes.
            self.local_members
                .insert(member.slug.clone(), (index, member.country_code.clone()));
            out.push((index, member));
        }
        Ok(out)
    }

    /// Checks a chunk of action plans; returns the valid ones.
    pub async fn plans(
        &mut self,
        conn: &mut AsyncPgConnection,
        records: Vec<Record>,
    ) -> Result<Vec<(u64, NewActionPlan)>, ApiError> {
        let mut out = Vec::new();
        for (index, pointer, record) in self.objects("action_plans", records) {
            let plan = match NewActionPlan::from_create(record) {
                Ok(plan) => plan,
                Err(error) => {
                    self.errors.extend(errors_of(&pointer, error));
                    continue;
                }
            };
            let key = (
                plan.country_code.clone(),
                plan.local_member_slug.clone(),
                plan.number,
            );
            if let Some(first) = self.plans.get(&key).and_then(|p| p.record) {
                let whose = match plan.local_member_slug {
                    None => "this country's national",
                    Some(_) => "this local member's",
                };
                let message =
                    format!("{whose} plan number is given twice (first at /action_plans/{first})");
                self.at(&pointer, "number", message);
                continue;
            }
            if !self.country(conn, &plan.country_code).await? {
                self.at(
                    &pointer,
                    "country_code",
                    "no country has this code, in the bundle or the database",
                );
                continue;
            }
            if let Some(slug) = &plan.local_member_slug {
                match self.local_member(conn, slug).await? {
                    None => {
                        self.at(
                            &pointer,
                            "local_member_slug",
                            "no local member has this slug, in the bundle or the database",
                        );
                        continue;
                    }
                    Some(country) if country != plan.country_code => {
                        let message = format!(
                            "this local member belongs to {country}, not to the plan's country"
                        );
                        self.at(&pointer, "local_member_slug", message);
                        continue;
                    }
                    Some(_) => {}
                }
            }
            // The bundle's years win over the database's: they are what the import writes.
            let index_of_plan = self.plans.len() as u32;
            self.plans.insert(
                key,
                Plan {
                    index: index_of_plan,
                    record: Some(index),
                    years: Some(PlanYears {
                        start: plan.start_year,
                        end: plan.end_year,
                    }),
                },
            );
            out.push((index, plan));
        }
        Ok(out)
    }

    /// Checks a chunk of commitments; returns the valid ones with their plans' keys.
    pub async fn commitments(
        &mut self,
        conn: &mut AsyncPgConnection,
        records: Vec<Record>,
    ) -> Result<Vec<(u64, PlanKey, NewCommitment)>, ApiError> {
        let records = self.objects("commitments", records);
        let named = records.iter().filter_map(|(_, _, r)| raw_plan_key(r));
        let named: Vec<PlanKey> = named.collect();
        self.prefetch_plans(conn, named.into_iter()).await?;
        let mut out = Vec::new();
        for (index, pointer, mut record) in records {
            let keys = self.take_keys(&mut record, &pointer, format::COMMITMENT_KEYS);
            record.insert("action_plan_id".into(), Value::from(PLACEHOLDER_ID));
            let commitment = match NewCommitment::from_create(record) {
                Ok(commitment) => commitment,
                Err(error) => {
                    self.errors.extend(errors_of(&pointer, error));
                    continue;
                }
            };
            let Some(keys) = keys else { continue };
            let plan_key = (text(&keys[0]), optional_text(&keys[1]), number(&keys[2]));
            let Some((plan, _)) = self.plan(&plan_key) else {
                self.at(&pointer, "plan_number", "no action plan has this country_code, local_member_slug and plan_number, in the bundle or the database");
                continue;
            };
            let packed = pack(plan, commitment.number);
            if let Some(first) = self.commitments.get(&packed) {
                let message = format!(
                    "this plan's commitment number is given twice (first at /commitments/{first})"
                );
                self.at(&pointer, "number", message);
                continue;
            }
            self.commitments.insert(packed, index);
            out.push((index, plan_key, commitment));
        }
        Ok(out)
    }

    /// Checks a chunk of milestones; returns the valid ones with their commitments' keys.
    pub async fn milestones(
        &mut self,
        conn: &mut AsyncPgConnection,
        records: Vec<Record>,
    ) -> Result<Vec<(u64, CommitmentKey, NewMilestone)>, ApiError> {
        let records = self.objects("milestones", records);
        let named = records.iter().filter_map(|(_, _, r)| raw_commitment_key(r));
        self.prefetch_commitments(conn, named.collect()).await?;
        let mut out = Vec::new();
        for (index, pointer, mut record) in records {
            let keys = self.take_keys(&mut record, &pointer, format::MILESTONE_KEYS);
            record.insert("commitment_id".into(), Value::from(PLACEHOLDER_ID));
            let milestone = match NewMilestone::from_create(record) {
                Ok(milestone) => milestone,
                Err(error) => {
                    self.errors.extend(errors_of(&pointer, error));
                    continue;
                }
            };
            let Some(keys) = keys else { continue };
            let key = (
                text(&keys[0]),
                optional_text(&keys[1]),
                number(&keys[2]),
                number(&keys[3]),
            );
            let Some(commitment) = self.commitment(&key) else {
                self.at(&pointer, "commitment_number", "no commitment has this country_code, local_member_slug, plan_number and commitment_number, in the bundle or the database");
                continue;
            };
            if !self.milestones.insert(pack(commitment, milestone.position)) {
                self.at(
                    &pointer,
                    "position",
                    "this commitment's milestone position is given twice",
                );
                continue;
            }
            out.push((index, key, milestone));
        }
        Ok(out)
    }

    /// Checks a chunk of IRM findings; returns the valid ones with their plans' keys and
    /// commitments' numbers.
    pub async fn findings(
        &mut self,
        conn: &mut AsyncPgConnection,
        records: Vec<Record>,
    ) -> Result<Vec<(u64, PlanKey, Option<i32>, NewIrmFinding)>, ApiError> {
        let records = self.objects("irm_findings", records);
        let plans: Vec<PlanKey> = records
            .iter()
            .filter_map(|(_, _, r)| raw_plan_key(r))
            .collect();
        self.prefetch_plans(conn, plans.into_iter()).await?;
        let named = records.iter().filter_map(|(_, _, r)| raw_commitment_key(r));
        self.prefetch_commitments(conn, named.collect()).await?;
        let mut out = Vec::new();
        for (index, pointer, mut record) in records {
            let keys = self.take_keys(&mut record, &pointer, format::FINDING_KEYS);
            record.insert("action_plan_id".into(), Value::from(PLACEHOLDER_ID));
            if keys.as_ref().is_some_and(|k| !k[3].is_null()) {
                record.insert("commitment_id".into(), Value::from(PLACEHOLDER_ID));
            }
            let finding = match NewIrmFinding::from_create(record) {
                Ok(finding) => finding,
                Err(error) => {
                    self.errors.extend(errors_of(&pointer, error));
                    continue;
                }
            };
            let Some(keys) = keys else { continue };
            let plan_key = (text(&keys[0]), optional_text(&keys[1]), number(&keys[2]));
            let commitment_number = (!keys[3].is_null()).then(|| number(&keys[3]));
            let Some((plan, years)) = self.plan(&plan_key) else {
                self.at(&pointer, "plan_number", "no action plan has this country_code, local_member_slug and plan_number, in the bundle or the database");
                continue;
            };
            let assessment = finding.kind == FindingKind::Assessment;
            let key = (
                plan,
                finding.report,
                finding.kind,
                commitment_number.filter(|_| assessment),
                finding.position.filter(|_| !assessment),
            );
            if let Some(first) = self.findings.get(&key) {
                let message = format!("this finding (plan, report, kind and commitment or position) is given twice (first at /irm_findings/{first})");
                self.at(&pointer, "kind", message);
                continue;
            }
            if let Some(number) = commitment_number {
                let key = (plan_key.0.clone(), plan_key.1.clone(), plan_key.2, number);
                if self.commitment(&key).is_none() {
                    self.at(
                        &pointer,
                        "commitment_number",
                        "no commitment of this plan has this number, in the bundle or the database",
                    );
                    continue;
                }
            }
            // The era's rules need the plan's years: checked now, so the write cannot fail on them.
            if let Err(error) = finding.clone().into_row(years) {
                self.errors.extend(errors_of(&pointer, error));
                continue;
            }
            self.findings.insert(key, index);
            out.push((index, plan_key, commitment_number, finding));
        }
        Ok(out)
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// A key field that may be null (a national plan's member).
fn optional_text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn number(value: &Value) -> i32 {
    value
        .as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or_default()
}

/// The plan key a raw record names, if its key fields look right (else the record's own
/// check reports them).
fn raw_plan_key(record: &Map<String, Value>) -> Option<PlanKey> {
    let code = record.get("country_code")?.as_str()?;
    let member = match record.get("local_member_slug") {
        None | Some(Value::Null) => None,
        Some(slug) => Some(slug.as_str()?.to_string()),
    };
    let number = i32::try_from(record.get("plan_number")?.as_i64()?).ok()?;
    Some((code.to_string(), member, number))
}

/// The commitment key a raw record names, if its key fields look right.
fn raw_commitment_key(record: &Map<String, Value>) -> Option<CommitmentKey> {
    let (code, member, plan) = raw_plan_key(record)?;
    let number = i32::try_from(record.get("commitment_number")?.as_i64()?).ok()?;
    Some((code, member, plan, number))
}

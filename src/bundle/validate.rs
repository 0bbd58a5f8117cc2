//! An import's first step: every record of the bundle read through its resource's
//! `FromFields`, its parents resolved (in the bundle or the database), its natural key checked
//! for duplicates, and (for IRM findings) the rules of its report's era applied against its
//! plan's years. Every error is collected, with a JSON pointer into the bundle; nothing is
//! written here.

use super::apply::ImportProgress;
use super::batch::BATCH;
use super::format::{self, KeyField, KeyKind, COLLECTIONS, FORMAT, VERSION};
use super::lookup;
use crate::body::FromFields;
use crate::db::keyed::Keyed;
use crate::error::{ApiError, FieldError};
use crate::resources::action_plans::model::NewActionPlan;
use crate::resources::commitments::model::NewCommitment;
use crate::resources::countries::model::{Country, NewCountry};
use crate::resources::irm_findings::eras::PlanYears;
use crate::resources::irm_findings::model::NewIrmFinding;
use crate::resources::local_members::model::LocalMember;
use crate::resources::local_members::model::NewLocalMember;
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

/// A finding's natural key: its plan, report, kind and commitment number or position.
type FindingKey = (PlanKey, Report, FindingKind, Option<i32>, Option<i32>);

/// The records of a valid bundle, each with the natural key of its parent. The parent ids in
/// the create bodies are placeholders until the write (`super::upsert`) resolves them.
#[derive(Default)]
pub struct Checked {
    pub countries: Vec<NewCountry>,
    pub local_members: Vec<NewLocalMember>,
    pub plans: Vec<NewActionPlan>,
    pub commitments: Vec<(PlanKey, NewCommitment)>,
    pub milestones: Vec<(CommitmentKey, NewMilestone)>,
    /// Each finding with its plan and its commitment's number.
    pub findings: Vec<(PlanKey, Option<i32>, NewIrmFinding)>,
    /// The plans the bundle names but does not hold: their ids and years (the database's).
    pub stored_plans: HashMap<PlanKey, (i64, PlanYears)>,
    /// The commitments the bundle names but does not hold: their ids.
    pub stored_commitments: HashMap<CommitmentKey, i64>,
}

impl Checked {
    /// How many records the bundle holds.
    pub fn len(&self) -> usize {
        self.countries.len()
            + self.local_members.len()
            + self.plans.len()
            + self.commitments.len()
            + self.milestones.len()
            + self.findings.len()
    }

    /// Whether the bundle holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Stands for a parent's id until the write knows it: any valid id passes `FromFields`.
const PLACEHOLDER_ID: i64 = 1;

/// Collects the errors of the whole bundle.
struct Report422(Vec<FieldError>);

impl Report422 {
    fn at(&mut self, pointer: String, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message).under(&pointer));
    }

    /// The field errors of `error` (a `FromFields` 422), placed under the record's pointer.
    fn record(&mut self, pointer: &str, error: ApiError) {
        if error.errors.is_empty() {
            self.0
                .push(FieldError::new("", error.detail).under(pointer));
        }
        for field in error.errors {
            self.0.push(field.under(pointer));
        }
    }
}

/// The records of collection `name`: each an object (else an error), with its pointer.
fn records(
    bundle: &mut Map<String, Value>,
    name: &str,
    errors: &mut Report422,
) -> Vec<(String, Map<String, Value>)> {
    let items = match bundle.remove(name) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.at(String::new(), name, "must be an array of records");
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let pointer = format!("/{name}/{i}");
        match item {
            Value::Object(map) => out.push((pointer, map)),
            _ => errors.at(pointer, "", "must be a JSON object"),
        }
    }
    out
}

/// Takes the natural-key fields `keys` out of `record` (refusing the id fields `ids` they
/// replace); `None` when one is missing or of the wrong type (the error is recorded).
fn take_keys(
    record: &mut Map<String, Value>,
    pointer: &str,
    keys: (&[KeyField], &[&str]),
    errors: &mut Report422,
) -> Option<Vec<Value>> {
    let (keys, ids) = keys;
    let mut ok = true;
    for id in ids {
        if record.remove(*id).is_some() {
            errors.at(
                pointer.to_string(),
                id,
                format!(
                    "a bundle names parents by natural key ({}), not by id",
                    keys.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
                ),
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
            errors.at(pointer.to_string(), key.name, message);
            ok = false;
        }
        values.push(value);
    }
    ok.then_some(values)
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

/// What the database holds of the parents a bundle names (looked up once each: in batches
/// ahead of each collection, see `prefetch_*`, so a bundle naming many stored parents is not
/// a query per parent).
#[derive(Default)]
struct Known {
    countries: HashMap<String, bool>,
    /// A local member's country, if the database has the member.
    local_members: HashMap<String, Option<String>>,
    /// A plan's id and years, if the database has it.
    plans: HashMap<PlanKey, Option<(i64, PlanYears)>>,
    /// A commitment's id, if the database has it.
    commitments: HashMap<CommitmentKey, Option<i64>>,
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

impl Known {
    async fn country(
        &mut self,
        conn: &mut AsyncPgConnection,
        code: &str,
    ) -> Result<bool, ApiError> {
        if let Some(known) = self.countries.get(code) {
            return Ok(*known);
        }
        let exists = Country::exists(conn, &code.to_string()).await?;
        self.countries.insert(code.to_string(), exists);
        Ok(exists)
    }

    /// The country of the stored local member `slug`, if there is one.
    async fn local_member(
        &mut self,
        conn: &mut AsyncPgConnection,
        slug: &str,
    ) -> Result<Option<String>, ApiError> {
        if let Some(known) = self.local_members.get(slug) {
            return Ok(known.clone());
        }
        let country = LocalMember::find(conn, &slug.to_string())
            .await?
            .map(|m| m.country_code);
        self.local_members.insert(slug.to_string(), country.clone());
        Ok(country)
    }

    async fn plan(
        &mut self,
        conn: &mut AsyncPgConnection,
        key: &PlanKey,
    ) -> Result<Option<(i64, PlanYears)>, ApiError> {
        if let Some(known) = self.plans.get(key) {
            return Ok(*known);
        }
        let plan = lookup::plan(conn, &key.0, key.1.as_deref(), key.2)
            .await?
            .map(|p| {
                let years = PlanYears {
                    start: p.start_year,
                    end: p.end_year,
                };
                (p.id, years)
            });
        self.plans.insert(key.clone(), plan);
        Ok(plan)
    }

    async fn commitment(
        &mut self,
        conn: &mut AsyncPgConnection,
        key: &CommitmentKey,
    ) -> Result<bool, ApiError> {
        if let Some(known) = self.commitments.get(key) {
            return Ok(known.is_some());
        }
        let plan_key = plan_of(key);
        let id = match self.plan(conn, &plan_key).await? {
            Some((plan_id, _)) => lookup::commitment(conn, plan_id, key.3)
                .await?
                .map(|c| c.id),
            None => None,
        };
        self.commitments.insert(key.clone(), id);
        Ok(id.is_some())
    }

    /// Looks up, [`BATCH`] at a time, the plans among `keys` not known yet.
    async fn prefetch_plans(
        &mut self,
        conn: &mut AsyncPgConnection,
        keys: impl Iterator<Item = PlanKey>,
    ) -> Result<(), ApiError> {
        let wanted: HashSet<PlanKey> = keys.filter(|k| !self.plans.contains_key(k)).collect();
        let wanted: Vec<PlanKey> = wanted.into_iter().collect();
        for chunk in wanted.chunks(BATCH) {
            for key in chunk {
                self.plans.insert(key.clone(), None);
            }
            for plan in lookup::plans(conn, chunk).await? {
                let years = PlanYears {
                    start: plan.start_year,
                    end: plan.end_year,
                };
                self.plans.insert(
                    (plan.country_code, plan.local_member_slug, plan.number),
                    Some((plan.id, years)),
                );
            }
        }
        Ok(())
    }

    /// Looks up, [`BATCH`] at a time, the commitments among `keys` not known yet (and their
    /// plans).
    async fn prefetch_commitments(
        &mut self,
        conn: &mut AsyncPgConnection,
        keys: impl Iterator<Item = CommitmentKey>,
    ) -> Result<(), ApiError> {
        let wanted: HashSet<CommitmentKey> =
            keys.filter(|k| !self.commitments.contains_key(k)).collect();
        self.prefetch_plans(conn, wanted.iter().map(plan_of))
            .await?;
        let mut by_id = Vec::with_capacity(wanted.len());
        for key in wanted {
            match self.plans.get(&plan_of(&key)).copied().flatten() {
                Some((plan_id, _)) => by_id.push(((plan_id, key.3), key)),
                None => {
                    self.commitments.insert(key, None);
                }
            }
        }
        for chunk in by_id.chunks(BATCH) {
            let ids: Vec<(i64, i32)> = chunk.iter().map(|(id_key, _)| *id_key).collect();
            let mut keys: HashMap<(i64, i32), CommitmentKey> = chunk.iter().cloned().collect();
            for commitment in lookup::commitments(conn, &ids).await? {
                if let Some(key) = keys.remove(&(commitment.action_plan_id, commitment.number)) {
                    self.commitments.insert(key, Some(commitment.id));
                }
            }
            for (_, key) in keys {
                self.commitments.insert(key, None);
            }
        }
        Ok(())
    }

    /// The stored parents found, for the write.
    fn into_stored(self, checked: &mut Checked) {
        checked.stored_plans = self
            .plans
            .into_iter()
            .filter_map(|(key, plan)| plan.map(|plan| (key, plan)))
            .collect();
        checked.stored_commitments = self
            .commitments
            .into_iter()
            .filter_map(|(key, id)| id.map(|id| (key, id)))
            .collect();
    }
}

/// The pointer of the record that first had a key, for "given twice" messages.
fn first_seen<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, String>,
    key: K,
    pointer: &str,
) -> Option<String> {
    match seen.get(&key) {
        Some(first) => Some(first.clone()),
        None => {
            seen.insert(key, pointer.to_string());
            None
        }
    }
}

/// Reads and checks a whole bundle; every problem is one entry of one 422.
pub async fn check(
    conn: &mut AsyncPgConnection,
    bundle: Value,
    progress: &dyn ImportProgress,
) -> Result<Checked, ApiError> {
    let Value::Object(mut bundle) = bundle else {
        return Err(ApiError::invalid_field(
            "",
            "a bundle must be a JSON object",
        ));
    };
    let mut errors = Report422(Vec::new());
    // The version first: a bundle of another version is not read at all.
    match bundle.get("version") {
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
        None => errors.at(String::new(), "version", format!("is required ({VERSION})")),
    }
    match bundle.get("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        _ => errors.at(String::new(), "format", format!("must be `{FORMAT}`")),
    }
    for key in bundle.keys() {
        if key != "format" && key != "version" && !COLLECTIONS.contains(&key.as_str()) {
            // Built by hand: a top-level key is one pointer segment, dots and all.
            let mut error = FieldError::new(
                key.as_str(),
                format!(
                    "is not part of a bundle (keys: format, version, {})",
                    COLLECTIONS.join(", ")
                ),
            );
            error.pointer = Some(format!("/{}", key.replace('~', "~0").replace('/', "~1")));
            errors.0.push(error);
        }
    }
    let countries = records(&mut bundle, "countries", &mut errors);
    let members = records(&mut bundle, "local_members", &mut errors);
    let plans = records(&mut bundle, "action_plans", &mut errors);
    let commitments = records(&mut bundle, "commitments", &mut errors);
    let milestones = records(&mut bundle, "milestones", &mut errors);
    let findings = records(&mut bundle, "irm_findings", &mut errors);
    let total = (countries.len()
        + members.len()
        + plans.len()
        + commitments.len()
        + milestones.len()
        + findings.len()) as u64;
    progress.checked(0, total);

    let mut known = Known::default();
    let mut checked = Checked::default();

    let mut bundle_countries = HashMap::new();
    for (pointer, record) in countries {
        match NewCountry::from_create(record) {
            Ok(country) => {
                if let Some(first) =
                    first_seen(&mut bundle_countries, country.code.clone(), &pointer)
                {
                    errors.at(
                        pointer,
                        "code",
                        format!("is given twice (first at {first})"),
                    );
                } else {
                    checked.countries.push(country);
                }
            }
            Err(error) => errors.record(&pointer, error),
        }
    }

    // Local members in the bundle, with their countries (they win over the database's).
    let mut bundle_members: HashMap<String, String> = HashMap::new();
    let mut member_pointers: HashMap<String, String> = HashMap::new();
    for (pointer, record) in members {
        let member = match NewLocalMember::from_create(record) {
            Ok(member) => member,
            Err(error) => {
                errors.record(&pointer, error);
                continue;
            }
        };
        if let Some(first) = first_seen(&mut member_pointers, member.slug.clone(), &pointer) {
            errors.at(
                pointer,
                "slug",
                format!("is given twice (first at {first})"),
            );
            continue;
        }
        if !bundle_countries.contains_key(&member.country_code)
            && !known.country(conn, &member.country_code).await?
        {
            errors.at(
                pointer,
                "country_code",
                "no country has this code, in the bundle or the database",
            );
            continue;
        }
        bundle_members.insert(member.slug.clone(), member.country_code.clone());
        checked.local_members.push(member);
    }

    // Plans in the bundle, with their years (they win over the database's on import).
    let mut bundle_plans: HashMap<PlanKey, String> = HashMap::new();
    let mut plan_years: HashMap<PlanKey, PlanYears> = HashMap::new();
    for (pointer, record) in plans {
        let plan = match NewActionPlan::from_create(record) {
            Ok(plan) => plan,
            Err(error) => {
                errors.record(&pointer, error);
                continue;
            }
        };
        let key = (
            plan.country_code.clone(),
            plan.local_member_slug.clone(),
            plan.number,
        );
        if let Some(first) = first_seen(&mut bundle_plans, key.clone(), &pointer) {
            let whose = match plan.local_member_slug {
                None => "this country's national",
                Some(_) => "this local member's",
            };
            errors.at(
                pointer,
                "number",
                format!("{whose} plan number is given twice (first at {first})"),
            );
            continue;
        }
        if !bundle_countries.contains_key(&plan.country_code)
            && !known.country(conn, &plan.country_code).await?
        {
            errors.at(
                pointer,
                "country_code",
                "no country has this code, in the bundle or the database",
            );
            continue;
        }
        if let Some(slug) = &plan.local_member_slug {
            let country = match bundle_members.get(slug) {
                Some(country) => Some(country.clone()),
                None => known.local_member(conn, slug).await?,
            };
            match country {
                None => {
                    errors.at(
                        pointer,
                        "local_member_slug",
                        "no local member has this slug, in the bundle or the database",
                    );
                    continue;
                }
                Some(country) if country != plan.country_code => {
                    errors.at(
                        pointer,
                        "local_member_slug",
                        format!(
                            "this local member belongs to {country}, not to the plan's country"
                        ),
                    );
                    continue;
                }
                Some(_) => {}
            }
        }
        plan_years.insert(
            key,
            PlanYears {
                start: plan.start_year,
                end: plan.end_year,
            },
        );
        checked.plans.push(plan);
    }

    // The stored plans that commitments and findings name, in batches.
    let named_plans = commitments.iter().chain(&findings);
    let named_plans = named_plans.filter_map(|(_, record)| raw_plan_key(record));
    known
        .prefetch_plans(conn, named_plans.filter(|k| !bundle_plans.contains_key(k)))
        .await?;
    let mut bundle_commitments: HashMap<CommitmentKey, String> = HashMap::new();
    for (pointer, mut record) in commitments {
        let keys = take_keys(&mut record, &pointer, format::COMMITMENT_KEYS, &mut errors);
        record.insert("action_plan_id".into(), Value::from(PLACEHOLDER_ID));
        let commitment = match NewCommitment::from_create(record) {
            Ok(commitment) => commitment,
            Err(error) => {
                errors.record(&pointer, error);
                continue;
            }
        };
        let Some(keys) = keys else { continue };
        let plan_key = (text(&keys[0]), optional_text(&keys[1]), number(&keys[2]));
        let key = (
            plan_key.0.clone(),
            plan_key.1.clone(),
            plan_key.2,
            commitment.number,
        );
        if let Some(first) = first_seen(&mut bundle_commitments, key, &pointer) {
            errors.at(
                pointer,
                "number",
                format!("this plan's commitment number is given twice (first at {first})"),
            );
            continue;
        }
        if !bundle_plans.contains_key(&plan_key) && known.plan(conn, &plan_key).await?.is_none() {
            errors.at(pointer, "plan_number", "no action plan has this country_code, local_member_slug and plan_number, in the bundle or the database");
            continue;
        }
        checked.commitments.push((plan_key, commitment));
    }

    // The stored commitments that milestones and findings name, in batches.
    let named_commitments = milestones.iter().chain(&findings);
    let named_commitments = named_commitments.filter_map(|(_, record)| raw_commitment_key(record));
    known
        .prefetch_commitments(
            conn,
            named_commitments.filter(|k| !bundle_commitments.contains_key(k)),
        )
        .await?;
    let mut bundle_milestones: HashSet<(CommitmentKey, i32)> = HashSet::new();
    for (pointer, mut record) in milestones {
        let keys = take_keys(&mut record, &pointer, format::MILESTONE_KEYS, &mut errors);
        record.insert("commitment_id".into(), Value::from(PLACEHOLDER_ID));
        let milestone = match NewMilestone::from_create(record) {
            Ok(milestone) => milestone,
            Err(error) => {
                errors.record(&pointer, error);
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
        if !bundle_milestones.insert((key.clone(), milestone.position)) {
            errors.at(
                pointer,
                "position",
                "this commitment's milestone position is given twice",
            );
            continue;
        }
        if !bundle_commitments.contains_key(&key) && !known.commitment(conn, &key).await? {
            errors.at(pointer, "commitment_number", "no commitment has this country_code, local_member_slug, plan_number and commitment_number, in the bundle or the database");
            continue;
        }
        checked.milestones.push((key, milestone));
    }

    let mut bundle_findings: HashMap<FindingKey, String> = HashMap::new();
    for (pointer, mut record) in findings {
        let keys = take_keys(&mut record, &pointer, format::FINDING_KEYS, &mut errors);
        record.insert("action_plan_id".into(), Value::from(PLACEHOLDER_ID));
        if keys.as_ref().is_some_and(|k| !k[3].is_null()) {
            record.insert("commitment_id".into(), Value::from(PLACEHOLDER_ID));
        }
        let finding = match NewIrmFinding::from_create(record) {
            Ok(finding) => finding,
            Err(error) => {
                errors.record(&pointer, error);
                continue;
            }
        };
        let Some(keys) = keys else { continue };
        let plan_key = (text(&keys[0]), optional_text(&keys[1]), number(&keys[2]));
        let commitment_number = (!keys[3].is_null()).then(|| number(&keys[3]));
        let assessment = finding.kind == FindingKind::Assessment;
        let key = (
            plan_key.clone(),
            finding.report,
            finding.kind,
            commitment_number.filter(|_| assessment),
            finding.position.filter(|_| !assessment),
        );
        if let Some(first) = first_seen(&mut bundle_findings, key, &pointer) {
            errors.at(pointer, "kind", format!("this finding (plan, report, kind and commitment or position) is given twice (first at {first})"));
            continue;
        }
        let years = match plan_years.get(&plan_key) {
            Some(years) => Some(*years),
            None => known.plan(conn, &plan_key).await?.map(|(_, years)| years),
        };
        let Some(years) = years else {
            errors.at(pointer, "plan_number", "no action plan has this country_code, local_member_slug and plan_number, in the bundle or the database");
            continue;
        };
        if let Some(number) = commitment_number {
            let key = (plan_key.0.clone(), plan_key.1.clone(), plan_key.2, number);
            if !bundle_commitments.contains_key(&key) && !known.commitment(conn, &key).await? {
                errors.at(
                    pointer,
                    "commitment_number",
                    "no commitment of this plan has this number, in the bundle or the database",
                );
                continue;
            }
        }
        // The era's rules need the plan's years: checked now, so the write cannot fail on them.
        if let Err(error) = finding.clone().into_row(years) {
            errors.record(&pointer, error);
            continue;
        }
        checked
            .findings
            .push((plan_key, commitment_number, finding));
    }

    progress.checked(total, total);
    if errors.0.is_empty() {
        known.into_stored(&mut checked);
        Ok(checked)
    } else {
        Err(ApiError::validation(errors.0))
    }
}

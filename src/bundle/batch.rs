//! The set-based part of an import's write: the records of the large collections (commitments,
//! milestones, findings) in batches of [`BATCH`]. Per batch, one query finds the stored rows by
//! natural key (`lookup`, locked), the comparison is done here, and the new records go into one
//! multi-row `INSERT ... RETURNING`; only a changed record is written on its own, through its
//! resource's update flow (`Item::prepare` and `Item::store_update`), as one record would be.
//! The row-level triggers (version, timestamps, search document, one change-feed entry per
//! row) fire for every inserted row as they do for one; the rollups' triggers are statement
//! level and read the whole statement's rows.

use super::lookup::{self, finding_key, FindingIdKey};
use super::upsert::Counts;
use crate::error::ApiError;
use crate::flow::Item;
use crate::resources::commitments::model::{Commitment, NewCommitment};
use crate::resources::irm_findings::eras::PlanYears;
use crate::resources::irm_findings::model::{IrmFinding, IrmFindingRow, NewIrmFinding};
use crate::resources::milestones::model::{Milestone, NewMilestone};
use crate::schema::{commitments, irm_findings, milestones};
use crate::vocab::{FindingKind, Report};
use diesel::QueryResult;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;

/// Records per batch: one lookup and one `INSERT` each. A finding, the widest record, binds 27
/// values: 1000 of them stay well under PostgreSQL's 65 535 parameters of one statement.
pub const BATCH: usize = 1000;

/// A resource written in batches: its natural key in ids, how a stored row gives it, and the
/// multi-row insert.
pub trait Batched: Item + Sized
where
    Self::Input: Serialize,
{
    /// The natural key with the parents' ids (unique in the database).
    type BatchKey: Hash + Eq + Clone + Send + Sync;
    /// What the insert needs besides the create body (a finding: its plan's years).
    type Context: Copy;
    /// The row inserted.
    type Row: Send + Sync;

    /// The key of a create body (its parent ids resolved).
    fn input_key(input: &Self::Input) -> Self::BatchKey;
    /// The key of a stored row.
    fn stored_key(&self) -> Self::BatchKey;
    /// The row's id.
    fn id(&self) -> i64;
    /// The stored rows among `keys`, locked until the import's transaction ends.
    fn existing(
        conn: &mut AsyncPgConnection,
        keys: &[Self::BatchKey],
    ) -> impl Future<Output = QueryResult<Vec<Self>>> + Send;
    /// The row a create body inserts (the same as the create flow's `prepare`).
    fn row(input: Self::Input, context: Self::Context) -> Result<Self::Row, ApiError>;
    /// Inserts `rows` in one statement; the key and id of each.
    fn insert_rows(
        conn: &mut AsyncPgConnection,
        rows: &[Self::Row],
    ) -> impl Future<Output = QueryResult<Vec<(Self::BatchKey, i64)>>> + Send;
}

impl Batched for Commitment {
    type BatchKey = (i64, i32);
    type Context = ();
    type Row = NewCommitment;

    fn input_key(input: &NewCommitment) -> (i64, i32) {
        (input.action_plan_id, input.number)
    }
    fn stored_key(&self) -> (i64, i32) {
        (self.action_plan_id, self.number)
    }
    fn id(&self) -> i64 {
        self.id
    }
    async fn existing(conn: &mut AsyncPgConnection, keys: &[(i64, i32)]) -> QueryResult<Vec<Self>> {
        lookup::commitments(conn, keys).await
    }
    fn row(input: NewCommitment, _: ()) -> Result<NewCommitment, ApiError> {
        Ok(input)
    }
    async fn insert_rows(
        conn: &mut AsyncPgConnection,
        rows: &[NewCommitment],
    ) -> QueryResult<Vec<((i64, i32), i64)>> {
        let stored: Vec<(i64, i64, i32)> = diesel::insert_into(commitments::table)
            .values(rows)
            .returning((
                commitments::id,
                commitments::action_plan_id,
                commitments::number,
            ))
            .get_results(conn)
            .await?;
        Ok(stored
            .into_iter()
            .map(|(id, plan, number)| ((plan, number), id))
            .collect())
    }
}

impl Batched for Milestone {
    type BatchKey = (i64, i32);
    type Context = ();
    type Row = NewMilestone;

    fn input_key(input: &NewMilestone) -> (i64, i32) {
        (input.commitment_id, input.position)
    }
    fn stored_key(&self) -> (i64, i32) {
        (self.commitment_id, self.position)
    }
    fn id(&self) -> i64 {
        self.id
    }
    async fn existing(conn: &mut AsyncPgConnection, keys: &[(i64, i32)]) -> QueryResult<Vec<Self>> {
        lookup::milestones(conn, keys).await
    }
    fn row(input: NewMilestone, _: ()) -> Result<NewMilestone, ApiError> {
        Ok(input)
    }
    async fn insert_rows(
        conn: &mut AsyncPgConnection,
        rows: &[NewMilestone],
    ) -> QueryResult<Vec<((i64, i32), i64)>> {
        let stored: Vec<(i64, i64, i32)> = diesel::insert_into(milestones::table)
            .values(rows)
            .returning((
                milestones::id,
                milestones::commitment_id,
                milestones::position,
            ))
            .get_results(conn)
            .await?;
        Ok(stored
            .into_iter()
            .map(|(id, commitment, position)| ((commitment, position), id))
            .collect())
    }
}

impl Batched for IrmFinding {
    type BatchKey = FindingIdKey;
    type Context = PlanYears;
    type Row = IrmFindingRow;

    fn input_key(input: &NewIrmFinding) -> FindingIdKey {
        finding_key(
            input.action_plan_id,
            input.report,
            input.kind,
            input.commitment_id,
            input.position,
        )
    }
    fn stored_key(&self) -> FindingIdKey {
        finding_key(
            self.action_plan_id,
            self.report,
            self.kind,
            self.commitment_id,
            self.position,
        )
    }
    fn id(&self) -> i64 {
        self.id
    }
    async fn existing(
        conn: &mut AsyncPgConnection,
        keys: &[FindingIdKey],
    ) -> QueryResult<Vec<Self>> {
        lookup::findings(conn, keys).await
    }
    fn row(input: NewIrmFinding, years: PlanYears) -> Result<IrmFindingRow, ApiError> {
        input.into_row(years)
    }
    async fn insert_rows(
        conn: &mut AsyncPgConnection,
        rows: &[IrmFindingRow],
    ) -> QueryResult<Vec<(FindingIdKey, i64)>> {
        type Stored = (i64, i64, Report, FindingKind, Option<i64>, Option<i32>);
        let stored: Vec<Stored> = diesel::insert_into(irm_findings::table)
            .values(rows)
            .returning((
                irm_findings::id,
                irm_findings::action_plan_id,
                irm_findings::report,
                irm_findings::kind,
                irm_findings::commitment_id,
                irm_findings::position,
            ))
            .get_results(conn)
            .await?;
        Ok(stored
            .into_iter()
            .map(|(id, plan, report, kind, commitment, position)| {
                (finding_key(plan, report, kind, commitment, position), id)
            })
            .collect())
    }
}

/// One record of a batch: its pointer into the bundle, its create body (parent ids resolved)
/// and what its insert needs.
pub struct Pending<T: Batched>
where
    T::Input: Serialize,
{
    /// Where the record is in the bundle (`/commitments/12`), for its errors.
    pub pointer: String,
    /// Its create body, its parents' ids filled in.
    pub input: T::Input,
    /// What its insert needs besides (a finding: its plan's years).
    pub context: T::Context,
}

/// Whether `input` is what `current` already holds (its create-body form), compared as JSON
/// like the update flow's merge base.
pub fn unchanged<T: Item>(current: &T, input: &T::Input) -> Result<bool, ApiError>
where
    T::Input: Serialize,
{
    Ok(
        serde_json::to_value(T::Input::from(current)).map_err(ApiError::internal)?
            == serde_json::to_value(input).map_err(ApiError::internal)?,
    )
}

/// An error of the write of the record at `pointer`, placed there.
pub fn at(pointer: &str) -> impl FnOnce(ApiError) -> ApiError + '_ {
    move |mut error| {
        error.detail = format!("{} (at {pointer})", error.detail);
        error.errors = error.errors.into_iter().map(|e| e.under(pointer)).collect();
        error
    }
}

/// Upserts one batch (distinct natural keys, as validation ensured); counts each record;
/// returns each record's stored id, in order.
pub async fn write<T: Batched>(
    conn: &mut AsyncPgConnection,
    batch: Vec<Pending<T>>,
    counts: &mut Counts,
) -> Result<Vec<i64>, ApiError>
where
    T::Input: Serialize,
{
    let keys: Vec<T::BatchKey> = batch.iter().map(|p| T::input_key(&p.input)).collect();
    let mut stored: HashMap<T::BatchKey, T> = T::existing(conn, &keys)
        .await?
        .into_iter()
        .map(|row| (row.stored_key(), row))
        .collect();
    let mut ids: Vec<Option<i64>> = vec![None; batch.len()];
    let mut new_rows = Vec::new();
    let mut new_at = Vec::new();
    for (i, (pending, key)) in batch.into_iter().zip(&keys).enumerate() {
        let Some(current) = stored.remove(key) else {
            let row = T::row(pending.input, pending.context).map_err(at(&pending.pointer))?;
            new_rows.push(row);
            new_at.push((i, pending.pointer));
            continue;
        };
        ids[i] = Some(current.id());
        if unchanged(&current, &pending.input)? {
            counts.unchanged += 1;
            continue;
        }
        counts.updated += 1;
        let write = T::prepare(conn, pending.input)
            .await
            .map_err(at(&pending.pointer))?;
        T::store_update(conn, &current, &write)
            .await
            .map_err(at(&pending.pointer))?;
    }
    if !new_rows.is_empty() {
        let inserted = insert_all::<T>(conn, &new_rows, &new_at).await?;
        let inserted: HashMap<T::BatchKey, i64> = inserted.into_iter().collect();
        for (i, pointer) in &new_at {
            let id = inserted.get(&keys[*i]).ok_or_else(|| {
                ApiError::internal(format!("the insert of {pointer} returned no id"))
            })?;
            ids[*i] = Some(*id);
        }
        counts.created += new_rows.len() as u64;
    }
    Ok(ids.into_iter().map(|id| id.unwrap_or_default()).collect())
}

/// Inserts `rows` in one statement inside a savepoint. When the database refuses it (a unique
/// reference taken, say), the savepoint is rolled back and the rows are tried one by one, so
/// the error names the record the database refused.
async fn insert_all<T: Batched>(
    conn: &mut AsyncPgConnection,
    rows: &[T::Row],
    pointers: &[(usize, String)],
) -> Result<Vec<(T::BatchKey, i64)>, ApiError>
where
    T::Input: Serialize,
{
    let batch = conn
        .transaction::<_, diesel::result::Error, _>(async |conn| T::insert_rows(conn, rows).await)
        .await;
    let error = match batch {
        Ok(inserted) => return Ok(inserted),
        Err(error) => error,
    };
    for (row, (_, pointer)) in rows.iter().zip(pointers) {
        let one = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                T::insert_rows(conn, std::slice::from_ref(row)).await
            })
            .await;
        if let Err(error) = one {
            return Err(at(pointer)(error.into()));
        }
    }
    // Each record alone is fine, together not (two records of the batch taking one unique
    // value): the batch's error, at its first record.
    let first = pointers.first().map_or("", |(_, p)| p.as_str());
    Err(at(first)(error.into()))
}

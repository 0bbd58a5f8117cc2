//! `GET /api/v1/exports/bundle`: the corpus (or the countries and plans the filters name) as a
//! bundle, streamed. Each collection is one query streamed from PostgreSQL in a stable order
//! (countries by code, local members by slug, plans by country, member (national first) and
//! number, commitments by plan and number, milestones by commitment and position, findings by
//! plan, report, kind, commitment and position), each row written as it arrives (straight from
//! the row's create-body form by `super::record_writer`, no JSON value built in between) into
//! chunks handed to the client through the export channel of `crate::listing::export`: memory
//! does not grow with the corpus, a slow client slows the queries, and a cut export never ends
//! like a whole one. An export holds a permit of the export budget (`OGP_EXPORT_CONCURRENCY`)
//! like the CSV and NDJSON ones.
//!
//! The same [`produce`] feeds `ogp-api export` (`super::cli::export`), which drains the channel
//! into standard output or a file instead of a response body.

use super::export_rows::{self, CommitmentRow, FindingRow, MilestoneRow};
use super::format::{self, FORMAT, VERSION};
use super::record_writer::{write_record, Key, Keys};
use super::TAG;
use crate::db::ReadPool;
use crate::error::ApiError;
use crate::listing::budget::ExportBudget;
use crate::listing::export::{body, hand_on, start_export, Piece, Stop, CHUNK_BYTES};
use crate::openapi::ListProblems;
use crate::resources::action_plans::model::{ActionPlan, NewActionPlan};
use crate::resources::commitments::model::NewCommitment;
use crate::resources::countries::model::{Country, NewCountry};
use crate::resources::irm_findings::model::NewIrmFinding;
use crate::resources::local_members::model::{LocalMember, NewLocalMember};
use crate::resources::milestones::model::NewMilestone;
use crate::schema::{action_plans, countries, local_members};
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::mpsc;
use utoipa::IntoParams;

/// The filters of a bundle export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// Only these countries (comma-separated codes: `MEX,GHA`) and what belongs to them (their
    /// local members too).
    pub country_code: Option<String>,
    /// Only plans (and what belongs to them) starting in this year or later.
    pub plan_start_year_gte: Option<i32>,
    /// Only plans (and what belongs to them) starting in this year or earlier.
    pub plan_start_year_lte: Option<i32>,
}

/// The filters, checked.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    codes: Option<Vec<String>>,
    start_gte: Option<i32>,
    start_lte: Option<i32>,
}

impl Filter {
    /// The country codes kept (`None`: all).
    pub fn codes(&self) -> Option<&[String]> {
        self.codes.as_deref()
    }

    /// The earliest plan start year kept, if bounded.
    pub fn start_gte(&self) -> Option<i32> {
        self.start_gte
    }

    /// The latest plan start year kept, if bounded.
    pub fn start_lte(&self) -> Option<i32> {
        self.start_lte
    }

    /// Checks the filters (a bad country code is a 400 naming it).
    pub fn parse(params: ExportParams) -> Result<Self, ApiError> {
        let codes = match params.country_code {
            None => None,
            Some(list) => {
                let codes: Vec<String> = list.split(',').map(|c| c.trim().to_string()).collect();
                if let Some(bad) = codes.iter().find(|c| !crate::vocab::is_country_code(c)) {
                    return Err(ApiError::invalid_query(format!(
                        "country_code: `{}` is not a country code (three upper-case letters)",
                        bad.escape_debug()
                    )));
                }
                Some(codes)
            }
        };
        Ok(Self {
            codes,
            start_gte: params.plan_start_year_gte,
            start_lte: params.plan_start_year_lte,
        })
    }
}

/// Told of each record an export writes: the CLI counts them for its progress display; the
/// HTTP handler passes [`NoExportProgress`].
pub trait ExportProgress: Sync {
    /// One more record was written (into the buffer of the next chunk).
    fn record(&self);
}

/// Reports nothing.
pub struct NoExportProgress;

impl ExportProgress for NoExportProgress {
    fn record(&self) {}
}

/// Writes the bundle into chunks and hands them on.
struct Writer<'a> {
    buffer: Vec<u8>,
    sender: &'a mpsc::Sender<Piece>,
    timeout: Duration,
    /// Whether the current array has a record yet (for the commas).
    first: bool,
    progress: &'a dyn ExportProgress,
}

impl Writer<'_> {
    async fn raw(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Stop> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK_BYTES * 2),
        ));
        hand_on(self.sender, Piece::Bytes(chunk), self.timeout).await
    }

    async fn open(&mut self, collection: &str) -> Result<(), Stop> {
        self.first = true;
        self.raw(format!(",\"{collection}\":[").as_bytes()).await
    }

    /// Appends one record, written by `write` into the buffer, after a comma if it is not the
    /// array's first.
    async fn record(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), String>,
    ) -> Result<(), Stop> {
        if !self.first {
            self.buffer.push(b',');
        }
        self.first = false;
        if let Err(error) = write(&mut self.buffer) {
            return self.fail(error).await;
        }
        self.progress.record();
        if self.buffer.len() >= CHUNK_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    /// Ends the response with an error (it is aborted, never ended properly).
    async fn fail(&mut self, why: String) -> Result<(), Stop> {
        log::error!("bundle export failed: {why}");
        self.buffer.clear();
        hand_on(
            self.sender,
            Piece::Failed(std::io::Error::other("bundle export failed")),
            self.timeout,
        )
        .await?;
        Err(Stop::Gone)
    }
}

/// Writes each row of `rows` as the record `write` appends of it.
async fn section<R, S>(
    out: &mut Writer<'_>,
    collection: &str,
    rows: QueryResult<S>,
    write: impl Fn(R, &mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<(), Stop>
where
    S: Stream<Item = QueryResult<R>>,
{
    out.open(collection).await?;
    let rows = match rows {
        Ok(rows) => rows,
        Err(error) => return out.fail(format!("{collection} query: {error}")).await,
    };
    let mut rows = std::pin::pin!(rows);
    while let Some(row) = rows.next().await {
        let row = match row {
            Ok(row) => row,
            Err(error) => return out.fail(format!("{collection} row: {error}")).await,
        };
        out.record(|buffer| {
            write(row, buffer).map_err(|error| format!("{collection} row: {error}"))
        })
        .await?;
    }
    out.raw(b"]").await
}

/// Streams the whole bundle of `filter` over `conn` into `sender` (each hand-on waiting at
/// most `timeout`), ending with `Done` only when every record was handed on; a failure ends it
/// with `Failed`.
pub async fn produce(
    conn: &mut AsyncPgConnection,
    filter: &Filter,
    sender: &mpsc::Sender<Piece>,
    timeout: Duration,
    progress: &dyn ExportProgress,
) -> Result<(), Stop> {
    // One snapshot for the six queries: a plan written between two of them must not appear
    // without its country, nor a commitment without its plan.
    if let Err(error) = diesel::sql_query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(conn)
        .await
    {
        log::error!("bundle export could not start its snapshot: {error}");
        let failed = std::io::Error::other("the export could not start");
        return hand_on(sender, Piece::Failed(failed), timeout).await;
    }
    // The section queries stream millions of rows through cheap expressions: JIT compiling
    // them costs more than it saves. And each commitment's milestones are read once: a
    // `Memoize` node over them only copies every row into a cache never hit (1 M misses, no
    // hit, at the large scale). `SET LOCAL`: for this transaction only, the pooled connection
    // goes back as it was.
    for setting in ["SET LOCAL jit = off", "SET LOCAL enable_memoize = off"] {
        if let Err(error) = diesel::sql_query(setting).execute(conn).await {
            log::error!("bundle export could not set up its snapshot ({setting}): {error}");
            let _ = diesel::sql_query("ROLLBACK").execute(conn).await;
            let failed = std::io::Error::other("the export could not start");
            return hand_on(sender, Piece::Failed(failed), timeout).await;
        }
    }
    let written = write_all(conn, filter, sender, timeout, progress).await;
    // Ends the snapshot whatever happened (a cut export's connection is closed by its owner).
    let end = if written.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    let ended = diesel::sql_query(end).execute(conn).await;
    match (written, ended) {
        (Ok(()), Ok(_)) => hand_on(sender, Piece::Done, timeout).await,
        (Ok(()), Err(error)) => {
            log::error!("bundle export could not end its snapshot: {error}");
            let failed = std::io::Error::other("the export failed at its end");
            hand_on(sender, Piece::Failed(failed), timeout).await
        }
        // A failure was handed on already (the body ends with it), or the client is gone.
        (Err(stop), _) => Err(stop),
    }
}

/// Writes every section and the closing brace, handing the chunks on.
async fn write_all(
    conn: &mut AsyncPgConnection,
    filter: &Filter,
    sender: &mpsc::Sender<Piece>,
    timeout: Duration,
    progress: &dyn ExportProgress,
) -> Result<(), Stop> {
    let mut out = Writer {
        buffer: Vec::with_capacity(CHUNK_BYTES * 2),
        sender,
        timeout,
        first: true,
        progress,
    };
    out.raw(format!("{{\"format\":\"{FORMAT}\",\"version\":{VERSION}").as_bytes())
        .await?;
    // The first chunk tells the handler the export started.
    out.flush().await?;

    let mut query = countries::table.select(Country::as_select()).into_boxed();
    if let Some(codes) = &filter.codes {
        query = query.filter(countries::code.eq_any(codes));
    }
    let rows = query
        .order(countries::code)
        .load_stream::<Country>(conn)
        .await;
    section(
        &mut out,
        "countries",
        rows,
        |c: Country, buffer: &mut Vec<u8>| {
            write_record(buffer, &NewCountry::from(&c), &Keys::new(), &[])
        },
    )
    .await?;

    let mut query = local_members::table
        .select(LocalMember::as_select())
        .into_boxed();
    if let Some(codes) = &filter.codes {
        query = query.filter(local_members::country_code.eq_any(codes));
    }
    let rows = query
        .order(local_members::slug)
        .load_stream::<LocalMember>(conn)
        .await;
    section(
        &mut out,
        "local_members",
        rows,
        |m: LocalMember, buffer: &mut Vec<u8>| {
            write_record(buffer, &NewLocalMember::from(&m), &Keys::new(), &[])
        },
    )
    .await?;

    macro_rules! plan_filters {
        ($query:ident) => {
            if let Some(codes) = &filter.codes {
                $query = $query.filter(action_plans::country_code.eq_any(codes));
            }
            if let Some(year) = filter.start_gte {
                $query = $query.filter(action_plans::start_year.ge(year));
            }
            if let Some(year) = filter.start_lte {
                $query = $query.filter(action_plans::start_year.le(year));
            }
        };
    }

    let mut query = action_plans::table
        .select(ActionPlan::as_select())
        .into_boxed();
    plan_filters!(query);
    let rows = query
        .order((
            action_plans::country_code.asc(),
            action_plans::local_member_slug.asc().nulls_first(),
            action_plans::number.asc(),
        ))
        .load_stream::<ActionPlan>(conn)
        .await;
    section(
        &mut out,
        "action_plans",
        rows,
        |p: ActionPlan, buffer: &mut Vec<u8>| {
            write_record(buffer, &NewActionPlan::from(&p), &Keys::new(), &[])
        },
    )
    .await?;

    let rows = export_rows::commitments(conn, filter).await;
    section(
        &mut out,
        "commitments",
        rows,
        |row: CommitmentRow, buffer| {
            let keys = Keys::plan(
                &row.plan_country_code,
                row.plan_local_member_slug.as_deref(),
                row.plan_number,
            );
            let body = NewCommitment::from(&row.commitment);
            write_record(buffer, &body, &keys, format::COMMITMENT_KEYS.1)
        },
    )
    .await?;

    let rows = export_rows::milestones(conn, filter).await;
    section(&mut out, "milestones", rows, |row: MilestoneRow, buffer| {
        let mut keys = Keys::plan(
            &row.plan_country_code,
            row.plan_local_member_slug.as_deref(),
            row.plan_number,
        );
        keys.push("commitment_number", Key::Number(row.commitment_number));
        let body = NewMilestone::from(&row.milestone);
        write_record(buffer, &body, &keys, format::MILESTONE_KEYS.1)
    })
    .await?;

    let rows = export_rows::findings(conn, filter).await;
    section(&mut out, "irm_findings", rows, |row: FindingRow, buffer| {
        let mut keys = Keys::plan(
            &row.plan_country_code,
            row.plan_local_member_slug.as_deref(),
            row.plan_number,
        );
        let number = row.commitment_number.map_or(Key::Null, Key::Number);
        keys.push("commitment_number", number);
        let body = NewIrmFinding::from(&row.finding);
        write_record(buffer, &body, &keys, format::FINDING_KEYS.1)
    })
    .await?;

    out.raw(b"}").await?;
    out.flush().await
}

/// Export a bundle
///
/// Streams the corpus as a bundle (see the `Bundle` schema), in a stable order: an export
/// imported into an empty database (`POST /imports`) exports again byte for byte. With
/// `country_code` (a comma list) only those countries and what belongs to them; the plan year
/// filters keep only the plans starting in those years (and what belongs to them; countries are
/// filtered by `country_code` only).
#[utoipa::path(
    tag = TAG,
    params(ExportParams),
    responses((status = 200, description = "The bundle, streamed", body = super::format::Bundle),
        ListProblems)
)]
#[get("/exports/bundle")]
pub async fn export_bundle(
    pool: ReadPool,
    budget: web::Data<ExportBudget>,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let filter = Filter::parse(params.into_inner())?;
    let mut receiver = start_export(&pool, &budget, async move |conn, sender, timeout| {
        produce(conn, &filter, sender, timeout, &NoExportProgress).await
    })
    .await?;
    let first = match receiver.recv().await {
        Some(Piece::Bytes(first)) => first,
        _ => return Err(ApiError::internal("the bundle export could not start")),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"ogp-bundle.json\"",
        ))
        .insert_header(crate::http::cache_control())
        .streaming(body(first, receiver)))
}

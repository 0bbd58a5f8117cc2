//! `GET /stats/commitments?group_by=…`: per group, how many commitments, how many the IRM
//! assessed, how many are well-designed and starred, and how completion and potential impact
//! are distributed. Takes every commitment filter; one SQL query per call.
//!
//! Which assessment counts for a commitment: with a `report` filter, the assessment in that
//! report; otherwise the commitment's latest (in the order of the `Report` vocabulary: era by
//! era, and within an era in the order of the plan's cycle), read from the trigger-kept `commitment_facts` table. Grouped
//! by report, every assessment counts in its report.

use super::TAG;
use crate::data_version::revalidate;
use crate::db::ReadPool;
use crate::error::ApiError;
use crate::listing::query::filters;
use crate::listing::request::{ListRequest, Op};
use crate::listing::response::json_with_body_etag;
use crate::listing::sql::Sql;
use crate::resources::commitments::list::SPEC;
use crate::resources::irm_findings::eras;
use crate::vocab::{
    Completion, DidItOpenGovernment, EarlyResults, GroupBy, PotentialForResults, PotentialImpact,
    Report,
};
use actix_web::http::header::ACCEPT;
use actix_web::{get, HttpRequest, HttpResponse};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

impl GroupBy {
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }

    /// Grouped by something of the assessments themselves, not of the commitments.
    fn per_assessment(self) -> bool {
        matches!(self, GroupBy::Report | GroupBy::Era)
    }

    /// The group's SQL over the plan `p` (joined only for the groups that read it).
    fn plan_group(self) -> Option<&'static str> {
        match self {
            GroupBy::LocalMember => Some("p.local_member_slug"),
            GroupBy::Level => Some(LEVEL_SQL),
            _ => None,
        }
    }
}

/// A plan's level from its member: the same expression as the lists' `level` filter.
const LEVEL_SQL: &str = "(CASE WHEN p.local_member_slug IS NULL THEN 'national' ELSE 'local' END)";

/// The join that gives `plan_group` its plan `p`, from the plan id column `plan_id`.
fn plan_join(group_by: GroupBy, plan_id: &str) -> String {
    match group_by.plan_group() {
        Some(_) => format!(" JOIN action_plans p ON p.id = {plan_id}"),
        None => String::new(),
    }
}

/// Commitments per IRM completion rating.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct CompletionCounts {
    pub no_evidence: i64,
    pub not_started: i64,
    pub limited: i64,
    pub substantial: i64,
    pub complete: i64,
}

/// Commitments per value of an IRM verdict: `true`, `false`, `unknown` (assessed, but the
/// verdict is neither published nor decided by the ratings) and `not_applicable` (the IRM did
/// not give this verdict on that report).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct VerdictCounts {
    #[serde(rename = "true")]
    pub yes: i64,
    #[serde(rename = "false")]
    pub no: i64,
    pub unknown: i64,
    pub not_applicable: i64,
}

/// The verdicts of the counted assessments, each with all four of its values.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Verdicts {
    pub well_designed: VerdictCounts,
    pub starred: VerdictCounts,
    pub promising: VerdictCounts,
}

/// Commitments per IRM potential-for-results rating (action plan reviews, results reports).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct PotentialForResultsCounts {
    pub unclear: i64,
    pub modest: i64,
    pub substantial: i64,
}

/// Commitments per IRM "did it open government?" rating.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct DidItOpenGovernmentCounts {
    pub worsened: i64,
    pub did_not_change: i64,
    pub marginal: i64,
    pub major: i64,
    pub outstanding: i64,
}

/// Commitments per IRM early-results rating (results reports of plans from 2021).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct EarlyResultsCounts {
    pub moderate: i64,
    pub significant: i64,
    pub outstanding: i64,
}

/// Commitments per IRM potential-impact rating.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct PotentialImpactCounts {
    pub none: i64,
    pub minor: i64,
    pub moderate: i64,
    pub transformative: i64,
}

/// `CommitmentStats.group`: a string (a country code, a theme, a report, an era), an integer
/// (an action plan id) or `null`.
fn group_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Integer,
            Type::Null,
        ]))
        .description(Some(
            "The group: a country code (`MEX`), an action plan id (an integer), a theme \
             (`null`: no theme), a report (`action_plan_review`), an era (`2019-2021`), a \
             local member's slug (`null`: national plans) or a level (`national`, `local`).",
        ))
        .examples([serde_json::json!("MEX")])
        .build()
}

/// The statistics of one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentStats {
    /// The group: a country code, an action plan id, a theme (`null`: no theme), a report, an
    /// era, a local member's slug (`null`: national plans) or a level.
    #[schema(schema_with = group_schema)]
    pub group: serde_json::Value,
    /// Commitments in the group.
    pub commitments: i64,
    /// Of those, how many the IRM assessed.
    pub assessed: i64,
    /// Assessed as well-designed.
    pub well_designed: i64,
    /// Assessed as starred.
    pub starred: i64,
    /// Selected as promising (action plan reviews).
    pub promising: i64,
    /// Each verdict's `true`, `false`, `unknown` and `not_applicable` counts.
    pub verdicts: Verdicts,
    /// Assessed commitments per completion rating (unrated ones are not counted).
    pub completion: CompletionCounts,
    /// Assessed commitments per potential-impact rating (unrated ones are not counted).
    pub potential_impact: PotentialImpactCounts,
    /// Assessed commitments per potential-for-results rating.
    pub potential_for_results: PotentialForResultsCounts,
    /// Assessed commitments per "did it open government?" rating.
    pub did_it_open_government: DidItOpenGovernmentCounts,
    /// Assessed commitments per early-results rating.
    pub early_results: EarlyResultsCounts,
}

/// The answer: one entry per group, ordered by group.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentStatsReport {
    /// How the commitments are grouped.
    pub group_by: GroupBy,
    /// One entry per group.
    pub groups: Vec<CommitmentStats>,
}

/// The `group_by` parameter (documented here; the commitment filters are listed after it).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct GroupByParam {
    /// How to group the commitments.
    #[param(value_type = GroupBy, required = true)]
    group_by: String,
}

/// The list parameters statistics refuse: they page, sort, embed or export rows, and a
/// statistic is not a list of rows.
const REFUSED: &[&str] = &[
    "limit",
    "cursor",
    "sort",
    "include",
    "include_total",
    "format",
    "fields",
];

/// The commitment filters `/stats/commitments` takes: the commitment list's parameters but
/// [`REFUSED`] (documentation only).
pub struct StatsFilterParams;

impl IntoParams for StatsFilterParams {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        crate::listing::docs::parameters(&SPEC)
            .into_iter()
            .filter(|p| !REFUSED.contains(&p.name.as_str()))
            .collect()
    }
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Nullable<Text>)]
    group_text: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    group_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    commitments: i64,
    #[diesel(sql_type = BigInt)]
    assessed: i64,
    #[diesel(sql_type = BigInt)]
    well_designed: i64,
    #[diesel(sql_type = BigInt)]
    starred: i64,
    #[diesel(sql_type = BigInt)]
    promising: i64,
    #[diesel(sql_type = Jsonb)]
    verdicts: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    completion: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    potential_impact: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    potential_for_results: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    did_it_open_government: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    early_results: serde_json::Value,
}

/// How a query counts commitments: one row each, or the rollup's stored counts.
#[derive(Debug, Clone, Copy)]
enum Measure {
    Rows,
    Rollup,
}

impl Measure {
    /// The commitments counted (where `condition` holds).
    fn count(self, condition: Option<&str>) -> String {
        match (self, condition) {
            (Measure::Rows, None) => "count(*)".to_string(),
            (Measure::Rows, Some(condition)) => format!("count(*) FILTER (WHERE {condition})"),
            (Measure::Rollup, None) => "sum(a.commitments)::bigint".to_string(),
            (Measure::Rollup, Some(condition)) => {
                format!("coalesce(sum(a.commitments) FILTER (WHERE {condition}), 0)::bigint")
            }
        }
    }
}

/// `jsonb_build_object('a', <count where column = 'a'>, …)` over a vocabulary.
fn distribution(measure: Measure, column: &str, values: &[&str]) -> String {
    let pairs: Vec<String> = values
        .iter()
        .map(|v| {
            format!(
                "'{v}', {}",
                measure.count(Some(&format!("{column} = '{v}'")))
            )
        })
        .collect();
    format!("jsonb_build_object({})", pairs.join(", "))
}

/// `jsonb_build_object('true', …, 'false', …, 'unknown', …, 'not_applicable', …)` of a verdict
/// `column` (with its `_basis`), for assessments where `assessed` holds.
fn verdict_counts(measure: Measure, column: &str, assessed: &str) -> String {
    format!(
        "jsonb_build_object('true', {}, 'false', {}, 'unknown', {}, 'not_applicable', {})",
        measure.count(Some(column)),
        measure.count(Some(&format!("{column} = false"))),
        measure.count(Some(&format!(
            "{assessed} AND {column} IS NULL AND {column}_basis IS DISTINCT FROM 'not_applicable'"
        ))),
        measure.count(Some(&format!("{column}_basis = 'not_applicable'"))),
    )
}

/// Every measure of a group, as the select list after the group columns; `a` is the counted
/// assessment (or facts / rollup row), `assessed` the condition that one exists.
fn measures(measure: Measure, assessed: &str) -> String {
    format!(
        "{} AS promising, jsonb_build_object('well_designed', {}, 'starred', {}, 'promising', {})          AS verdicts, {} AS completion, {} AS potential_impact, {} AS potential_for_results,          {} AS did_it_open_government, {} AS early_results",
        measure.count(Some("a.promising")),
        verdict_counts(measure, "a.well_designed", assessed),
        verdict_counts(measure, "a.starred", assessed),
        verdict_counts(measure, "a.promising", assessed),
        distribution(measure, "a.completion", Completion::NAMES),
        distribution(measure, "a.potential_impact", PotentialImpact::NAMES),
        distribution(
            measure,
            "a.potential_for_results",
            PotentialForResults::NAMES
        ),
        distribution(
            measure,
            "a.did_it_open_government",
            DidItOpenGovernment::NAMES
        ),
        distribution(measure, "a.early_results", EarlyResults::NAMES),
    )
}

/// `CASE f.report WHEN … THEN <era> … END`: the era of each report type (`eras::era`).
fn era_sql(column: &str) -> String {
    let arms: Vec<String> = Report::ALL
        .iter()
        .map(|r| format!("WHEN '{r}' THEN '{}'", eras::era(*r)))
        .collect();
    format!("CASE {column} {} END", arms.join(" "))
}

/// The single statement behind a stats call.
fn stats_sql(group_by: GroupBy, request: &ListRequest) -> Result<Sql, ApiError> {
    let mut sql = Sql::default();
    let clauses = filters(&SPEC, request, &mut sql)?;
    let report_chosen = request.conditions.iter().any(|c| c.field.name == "report");
    if !group_by.per_assessment() && !report_chosen {
        sql.push(&latest_assessment_sql(group_by, &clauses));
        return Ok(sql);
    }
    let matched_where = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    // A `report` filter (or `report_not`) also picks which assessment counts.
    let report_filter: String = request
        .conditions
        .iter()
        .filter(|c| c.field.name == "report")
        .map(|c| match c.op {
            // `report_null` binds no value (a finding's report is never NULL: `true` picks
            // no assessment, `false` every one).
            Op::Null(true) => " AND f.report IS NULL".to_string(),
            Op::Null(false) => " AND f.report IS NOT NULL".to_string(),
            Op::NoneOf => {
                let values = sql.bind(c.value.clone());
                format!(" AND (f.report = ANY({values})) IS NOT TRUE")
            }
            _ => {
                let values = sql.bind(c.value.clone());
                format!(" AND f.report = ANY({values})")
            }
        })
        .collect();
    let assessments = if group_by == GroupBy::Report {
        format!(
            "SELECT f.* FROM irm_findings f JOIN matched m ON m.id = f.commitment_id \
             WHERE f.kind = 'assessment'{report_filter}"
        )
    } else if group_by == GroupBy::Era {
        let era = era_sql("f.report");
        format!(
            "SELECT DISTINCT ON (f.commitment_id, {era}) f.*, {era} AS era FROM irm_findings f \
             JOIN matched m ON m.id = f.commitment_id WHERE f.kind = 'assessment'{report_filter} \
             ORDER BY f.commitment_id, {era}, ogp_report_rank(f.report) DESC"
        )
    } else {
        format!(
            "SELECT DISTINCT ON (f.commitment_id) f.* FROM irm_findings f \
             JOIN matched m ON m.id = f.commitment_id WHERE f.kind = 'assessment'{report_filter} \
             ORDER BY f.commitment_id, ogp_report_rank(f.report) DESC"
        )
    };
    let (group_text, group_id, join) = match group_by {
        GroupBy::Country => (
            "p.country_code",
            "NULL::bigint",
            "JOIN action_plans p ON p.id = m.action_plan_id",
        ),
        GroupBy::ActionPlan => ("NULL::text", "m.action_plan_id", ""),
        GroupBy::Theme => ("m.theme", "NULL::bigint", ""),
        GroupBy::Report => ("a.report", "NULL::bigint", ""),
        GroupBy::Era => ("a.era", "NULL::bigint", ""),
        GroupBy::LocalMember => (
            "p.local_member_slug",
            "NULL::bigint",
            "JOIN action_plans p ON p.id = m.action_plan_id",
        ),
        GroupBy::Level => (
            LEVEL_SQL,
            "NULL::bigint",
            "JOIN action_plans p ON p.id = m.action_plan_id",
        ),
    };
    let from = if group_by.per_assessment() {
        "matched m JOIN assessed a ON a.commitment_id = m.id"
    } else {
        "matched m LEFT JOIN assessed a ON a.commitment_id = m.id"
    };
    sql.push(&format!(
        "WITH matched AS (SELECT c.id, c.action_plan_id, c.theme FROM {}{matched_where}), \
         assessed AS ({assessments}) \
         SELECT {group_text} AS group_text, {group_id} AS group_id, \
                count(DISTINCT m.id) AS commitments, count(a.id) AS assessed, \
                count(*) FILTER (WHERE a.well_designed) AS well_designed, \
                count(*) FILTER (WHERE a.starred) AS starred, {} \
         FROM {from} {join} GROUP BY 1, 2 ORDER BY 1, 2",
        SPEC.from,
        measures(Measure::Rows, "a.id IS NOT NULL"),
    ));
    Ok(sql)
}

/// Without a `report` to choose or group by, each commitment counts with its latest
/// assessment, kept in the `commitment_facts` table (migration `…_commitment_facts`): one scan
/// of narrow rows, joined to the commitments only when a filter needs their columns. With no
/// filter at all, by country or by theme, the much smaller `commitment_rollup` is summed.
fn latest_assessment_sql(group_by: GroupBy, clauses: &[String]) -> String {
    let (group_text, group_id) = match group_by {
        GroupBy::Country => ("a.country_code", "NULL::bigint"),
        GroupBy::ActionPlan => ("NULL::text", "a.action_plan_id"),
        GroupBy::LocalMember | GroupBy::Level => (
            group_by.plan_group().unwrap_or("NULL::text"),
            "NULL::bigint",
        ),
        // (`report` and `era` never come here: `stats_sql` groups them over the assessments.)
        GroupBy::Theme | GroupBy::Report | GroupBy::Era => ("a.theme", "NULL::bigint"),
    };
    // The rollup is kept per country and theme only.
    let rollup = clauses.is_empty() && matches!(group_by, GroupBy::Country | GroupBy::Theme);
    let plan_join = plan_join(group_by, "a.action_plan_id");
    let (measure, assessed, from, having) = if rollup {
        (
            Measure::Rollup,
            "a.assessed",
            "commitment_rollup a".to_string(),
            " HAVING sum(a.commitments) > 0",
        )
    } else if clauses.is_empty() {
        (
            Measure::Rows,
            "a.report IS NOT NULL",
            format!("commitment_facts a{plan_join}"),
            "",
        )
    } else {
        (
            Measure::Rows,
            "a.report IS NOT NULL",
            format!(
                "commitment_facts a{plan_join} JOIN {} ON c.id = a.commitment_id WHERE {}",
                SPEC.from,
                clauses.join(" AND ")
            ),
            "",
        )
    };
    format!(
        "SELECT {group_text} AS group_text, {group_id} AS group_id, {} AS commitments, \
                {} AS assessed, {} AS well_designed, {} AS starred, {} \
         FROM {from} GROUP BY 1, 2{having} ORDER BY 1, 2",
        measure.count(None),
        measure.count(Some(assessed)),
        measure.count(Some("a.well_designed")),
        measure.count(Some("a.starred")),
        measures(measure, assessed),
    )
}

/// Commitment statistics
///
/// Per group (`country`, `action_plan`, `theme`, `report`, `era`, `local_member` (`null`:
/// national plans) or `level` (`national`, `local`)): commitment count, assessed
/// count, well-designed, starred and promising counts (each verdict also with its `false`,
/// `unknown` and `not_applicable` counts, in `verdicts`), and the distributions of completion,
/// potential impact, potential for results, "did it open government?" and early results.
/// Takes every filter of the commitment list (e.g. `country_code`, `plan_start_year_gte`,
/// `report`, `q`, and the plan's `level` and `local_member_slug`).
#[utoipa::path(
    tag = TAG,
    params(GroupByParam, StatsFilterParams),
    responses((status = 200, description = "One entry per group", body = CommitmentStatsReport,
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))),
        crate::openapi::ListProblems)
)]
#[get("/stats/commitments")]
pub async fn commitment_stats(req: HttpRequest, pool: ReadPool) -> Result<HttpResponse, ApiError> {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::invalid_query(format!("the query string is malformed: {e}")))?;
    let group_text = match pairs.iter().position(|(name, _)| name == "group_by") {
        Some(i) => pairs.remove(i).1,
        None => {
            return Err(ApiError::invalid_query(format!(
                "`group_by` is required: one of {}",
                GroupBy::NAMES.join(", ")
            )))
        }
    };
    let group_by = GroupBy::parse(&group_text).ok_or_else(|| {
        ApiError::invalid_query(format!(
            "`group_by` must be one of: {} (got `{group_text}`)",
            GroupBy::NAMES.join(", ")
        ))
    })?;
    for (name, _) in &pairs {
        if REFUSED.contains(&name.as_str()) {
            return Err(ApiError::invalid_query(format!(
                "`{name}` does not apply to statistics"
            )));
        }
    }
    let rest = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
    let request = ListRequest::parse(&SPEC, &rest, None, accept)?;
    let mut conn = pool.conn().await?;
    if let Some(not_modified) = revalidate(&req, &mut conn, &[], false).await? {
        return Ok(not_modified);
    }
    let rows: Vec<Row> = stats_sql(group_by, &request)?
        .into_query()
        .load(&mut conn)
        .await?;
    let groups = rows
        .into_iter()
        .map(|row| CommitmentStats {
            group: match (row.group_id, row.group_text) {
                (Some(id), _) => serde_json::Value::from(id),
                (None, Some(text)) => serde_json::Value::from(text),
                (None, None) => serde_json::Value::Null,
            },
            commitments: row.commitments,
            assessed: row.assessed,
            well_designed: row.well_designed,
            starred: row.starred,
            promising: row.promising,
            verdicts: serde_json::from_value(row.verdicts).unwrap_or_default(),
            completion: serde_json::from_value(row.completion).unwrap_or_default(),
            potential_impact: serde_json::from_value(row.potential_impact).unwrap_or_default(),
            potential_for_results: serde_json::from_value(row.potential_for_results)
                .unwrap_or_default(),
            did_it_open_government: serde_json::from_value(row.did_it_open_government)
                .unwrap_or_default(),
            early_results: serde_json::from_value(row.early_results).unwrap_or_default(),
        })
        .collect();
    Ok(json_with_body_etag(
        &req,
        &CommitmentStatsReport { group_by, groups },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_cover_the_whole_vocabulary() {
        let sql = distribution(Measure::Rows, "a.completion", Completion::NAMES);
        for value in Completion::NAMES {
            assert!(
                sql.contains(&format!(
                    "'{value}', count(*) FILTER (WHERE a.completion = '{value}')"
                )),
                "{value}"
            );
        }
    }
}

//! Change feed endpoints.

use super::model::{Change, ChangePage, ChangeQuery, HistoryQuery};
use super::{query, TAG};
use crate::db::ReadPool;
use crate::error::ApiError;
use crate::listing::response::json_with_body_etag;
use crate::openapi::ListProblems;
use actix_web::{get, web, HttpRequest, HttpResponse};

const RESOURCES: &[&str] = &[
    "countries",
    "action-plans",
    "commitments",
    "milestones",
    "irm-findings",
];
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

fn parse_after(text: Option<&str>) -> Result<i64, ApiError> {
    match text {
        None => Ok(0),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(n),
            _ => Err(ApiError::invalid_query(format!(
                "`after` must be a `seq` from this feed, a whole number ≥ 0 (got `{text}`)"
            ))),
        },
    }
}

fn parse_limit(text: Option<&str>) -> Result<i64, ApiError> {
    match text {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_query(format!(
                "`limit` must be a whole number from 1 to {MAX_LIMIT} (got `{text}`)"
            ))),
        },
    }
}

async fn page(
    req: &HttpRequest,
    pool: &ReadPool,
    after: i64,
    limit: i64,
    resources: &[String],
    key: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = pool.conn().await?;
    let mut items: Vec<Change> = query::after(&mut conn, after, resources, key, limit + 1).await?;
    let has_more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_after = items.last().map_or(after, |c| c.seq);
    Ok(json_with_body_etag(
        req,
        &ChangePage {
            items,
            next_after,
            has_more,
        },
    ))
}

/// The change feed
///
/// Every create, update and delete after `after`, in commit order, with the item after the
/// change (a tombstone for deletes). Sync by calling again with `next_after`; a change that
/// commits later always gets a larger `seq`, so none is ever skipped.
#[utoipa::path(
    tag = TAG,
    params(ChangeQuery),
    responses((status = 200, description = "Changes, oldest first", body = ChangePage), ListProblems)
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    pool: ReadPool,
    params: web::Query<ChangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let after = parse_after(params.after.as_deref())?;
    let limit = parse_limit(params.limit.as_deref())?;
    let resources: Vec<String> = match params.resource.as_deref() {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|name| {
                if RESOURCES.contains(&name) {
                    Ok(name.to_string())
                } else {
                    Err(ApiError::invalid_query(format!(
                        "`resource` must be a comma list of: {} (got `{name}`)",
                        RESOURCES.join(", ")
                    )))
                }
            })
            .collect::<Result<_, _>>()?,
    };
    page(&req, &pool, after, limit, &resources, None).await
}

async fn history(
    req: &HttpRequest,
    pool: &ReadPool,
    resource: &str,
    key: &str,
    params: &HistoryQuery,
) -> Result<HttpResponse, ApiError> {
    let after = parse_after(params.after.as_deref())?;
    let limit = parse_limit(params.limit.as_deref())?;
    page(req, pool, after, limit, &[resource.to_string()], Some(key)).await
}

macro_rules! history_handler {
    ($name:ident, $path:literal, $resource:literal, $key:literal, $key_type:ty, $summary:literal) => {
        #[doc = $summary]
        ///
        /// Every change of this item, oldest first, also after it was deleted.
        #[utoipa::path(
            tag = TAG,
            params(($key = $key_type, Path, description = "The item's key"), HistoryQuery),
            responses((status = 200, description = "Changes, oldest first", body = ChangePage), ListProblems)
        )]
        #[get($path)]
        pub async fn $name(
            req: HttpRequest,
            pool: ReadPool,
            key: web::Path<$key_type>,
            params: web::Query<HistoryQuery>,
        ) -> Result<HttpResponse, ApiError> {
            history(&req, &pool, $resource, &key.to_string(), &params).await
        }
    };
}

history_handler!(
    country_history,
    "/countries/{code}/history",
    "countries",
    "code",
    String,
    "History of a country"
);
history_handler!(
    action_plan_history,
    "/action-plans/{id}/history",
    "action-plans",
    "id",
    i64,
    "History of an action plan"
);
history_handler!(
    commitment_history,
    "/commitments/{id}/history",
    "commitments",
    "id",
    i64,
    "History of a commitment"
);
history_handler!(
    milestone_history,
    "/milestones/{id}/history",
    "milestones",
    "id",
    i64,
    "History of a milestone"
);
history_handler!(
    irm_finding_history,
    "/irm-findings/{id}/history",
    "irm-findings",
    "id",
    i64,
    "History of an IRM finding"
);

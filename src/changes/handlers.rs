//! Change feed endpoints.

use super::model::{Change, ChangePage, ChangeQuery, HistoryQuery};
use super::{query, TAG};
use crate::actor::Actor;
use crate::data_version::revalidate;
use crate::db::ReadPool;
use crate::error::ApiError;
use crate::listing::response::json_with_body_etag;
use crate::openapi::ListProblems;
use actix_web::{get, web, HttpMessage, HttpRequest, HttpResponse};

const RESOURCES: &[&str] = &[
    "countries",
    "local-members",
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
    // Key holders see who made a change, anonymous readers do not: two bodies, two tags.
    let reader = if req.extensions().get::<Actor>().is_some() {
        "key holder"
    } else {
        "anonymous"
    };
    if let Some(not_modified) = revalidate(req, &mut conn, &[reader], false).await? {
        return Ok(not_modified);
    }
    let mut items: Vec<Change> = query::after(&mut conn, after, resources, key, limit + 1).await?;
    let has_more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    // Who made a change (an API key's name) is for key holders only: anonymous readers see
    // what changed, not who changed it.
    if req.extensions().get::<Actor>().is_none() {
        for item in &mut items {
            item.actor = None;
        }
    }
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
    responses((status = 200, description = "Changes, oldest first", body = ChangePage,
        headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))), ListProblems)
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

/// An item's history. `key` is `None` when the path's key cannot name an item at all (an id
/// that is not a positive integer, a country code that is not three capital letters): like an
/// item with no change ever recorded, that is a 404, as the item itself is. A deleted item
/// still has its history.
async fn history(
    req: &HttpRequest,
    pool: &ReadPool,
    resource: &str,
    key: Option<String>,
    params: &HistoryQuery,
) -> Result<HttpResponse, ApiError> {
    let after = parse_after(params.after.as_deref())?;
    let limit = parse_limit(params.limit.as_deref())?;
    let resources = [resource.to_string()];
    let missing = |key: &str| {
        ApiError::not_found(format!(
            "no item of `{resource}` with the key `{}` ever existed",
            key.escape_debug()
        ))
    };
    let Some(key) = key else {
        return Err(ApiError::not_found(format!(
            "no resource at `{}`",
            req.path().escape_debug()
        )));
    };
    {
        let mut conn = pool.conn().await?;
        if query::after(&mut conn, 0, &resources, Some(&key), 1)
            .await?
            .is_empty()
        {
            return Err(missing(&key));
        }
    }
    page(req, pool, after, limit, &resources, Some(&key)).await
}

/// The change-log key of a path id, if it can be an id (ids are positive).
fn id_key(id: i64) -> Option<String> {
    (id > 0).then(|| id.to_string())
}

/// The change-log key of a path country code, if it can be one.
fn code_key(code: String) -> Option<String> {
    crate::vocab::is_country_code(&code).then_some(code)
}

/// The change-log key of a path local-member slug, if it can be one.
fn slug_key(slug: String) -> Option<String> {
    crate::vocab::is_local_member_slug(&slug).then_some(slug)
}

macro_rules! history_handler {
    ($name:ident, $path:literal, $resource:literal, $key:literal, $key_type:ty, $to_key:ident, $summary:literal) => {
        #[doc = $summary]
        ///
        /// Every change of this item, oldest first, also after it was deleted. An item that
        /// never existed is a 404.
        #[utoipa::path(
            tag = TAG,
            params(($key = $key_type, Path, description = "The item's key"), HistoryQuery),
            responses((status = 200, description = "Changes, oldest first", body = ChangePage,
                headers(("ETag" = String, description = "Weak ETag from the data version: any committed write changes it"))), ListProblems)
        )]
        #[get($path)]
        pub async fn $name(
            req: HttpRequest,
            pool: ReadPool,
            key: web::Path<$key_type>,
            params: web::Query<HistoryQuery>,
        ) -> Result<HttpResponse, ApiError> {
            history(&req, &pool, $resource, $to_key(key.into_inner()), &params).await
        }
    };
}

history_handler!(
    country_history,
    "/countries/{code}/history",
    "countries",
    "code",
    String,
    code_key,
    "History of a country"
);
history_handler!(
    local_member_history,
    "/local-members/{slug}/history",
    "local-members",
    "slug",
    String,
    slug_key,
    "History of a local member"
);
history_handler!(
    action_plan_history,
    "/action-plans/{id}/history",
    "action-plans",
    "id",
    i64,
    id_key,
    "History of an action plan"
);
history_handler!(
    commitment_history,
    "/commitments/{id}/history",
    "commitments",
    "id",
    i64,
    id_key,
    "History of a commitment"
);
history_handler!(
    milestone_history,
    "/milestones/{id}/history",
    "milestones",
    "id",
    i64,
    id_key,
    "History of a milestone"
);
history_handler!(
    irm_finding_history,
    "/irm-findings/{id}/history",
    "irm-findings",
    "id",
    i64,
    id_key,
    "History of an IRM finding"
);

//! Change feed types.

use crate::schema::changes;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One create, update or delete.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = changes, check_for_backend(diesel::pg::Pg))]
pub struct Change {
    /// Position in the feed: increasing in commit order. Pass the last one you saw as `after`.
    pub seq: i64,
    /// The collection: `countries`, `local-members`, `action-plans`, `commitments`, `milestones`,
    /// `irm-findings`.
    pub resource: String,
    /// The item's key (country code or id), as text.
    pub key: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// Name of the API key that made the change (`seed` for the demo data). Shown only to
    /// requests with a valid API key (any role); `null` for anonymous readers.
    pub actor: Option<String>,
    /// When the change was committed.
    pub changed_at: DateTime<Utc>,
    /// The item after the change, as stored; `null` for a delete (a tombstone).
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    /// Changes after `after`, oldest first.
    pub items: Vec<Change>,
    /// The `after` of the next call: the last `seq` here (or the given `after` when empty).
    pub next_after: i64,
    /// Whether more changes follow right away (else: poll again later).
    pub has_more: bool,
}

/// Query parameters of the feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// Only changes after this `seq` (default 0: from the beginning).
    #[param(value_type = Option<i64>, minimum = 0)]
    pub after: Option<String>,
    /// Only these collections (comma list).
    #[param(value_type = Option<String>, example = "commitments,irm-findings")]
    pub resource: Option<String>,
    /// Page size, 1–1000 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
}

/// Query parameters of an item's history.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only changes after this `seq`.
    #[param(value_type = Option<i64>, minimum = 0)]
    pub after: Option<String>,
    /// Page size, 1–1000 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
}

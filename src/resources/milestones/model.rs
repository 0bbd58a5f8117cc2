//! Milestone types.

use crate::body::{FieldSet, Fields, FromFields};
use crate::error::ApiError;
use crate::schema::milestones;
use crate::vocab::MilestoneStatus;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

/// One milestone of a commitment.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = milestones, check_for_backend(diesel::pg::Pg))]
// A whole real example (the first milestone of Ghana's GH0038, data/).
#[schema(example = json!({
    "id": 1, "commitment_id": 3, "position": 1,
    "title": "Train and build capacity of information officers to handle applications for information",
    "description": null, "due_date": "2023-06-30", "status": "not_started", "completed_on": null,
    "created_at": "2026-11-30T09:00:00Z", "updated_at": "2026-11-30T09:00:00Z", "version": 1
}))]
pub struct Milestone {
    /// Server-assigned id; the key.
    pub id: i64,
    /// The commitment it belongs to.
    pub commitment_id: i64,
    /// Its place in the commitment's sequence of milestones.
    #[schema(example = 1)]
    pub position: i32,
    /// Title.
    pub title: String,
    /// What the milestone delivers.
    pub description: Option<String>,
    /// When it is due.
    pub due_date: Option<NaiveDate>,
    /// Progress.
    pub status: MilestoneStatus,
    /// When it was completed; set exactly when `status` is `completed`.
    pub completed_on: Option<NaiveDate>,
    /// When the record was created (server-set).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (server-set).
    pub updated_at: DateTime<Utc>,
    /// 1 on create, +1 on every update; the ETag is `"<version>"`.
    pub version: i32,
}

/// A milestone to create. In a PATCH every field is optional (JSON Merge Patch).
#[derive(Debug, Clone, Serialize, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = milestones, treat_none_as_null = true)]
#[schema(example = json!({
    "commitment_id": 3, "position": 1,
    "title": "Train and build capacity of information officers to handle applications for information",
    "description": null, "due_date": "2023-06-30", "status": "not_started", "completed_on": null
}))]
pub struct NewMilestone {
    /// The commitment it belongs to; it must exist.
    pub commitment_id: i64,
    /// Its place in the commitment's sequence, ≥ 1; unique within the commitment.
    #[schema(minimum = 1, example = 1)]
    pub position: i32,
    /// Title, 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub title: String,
    /// What the milestone delivers, up to 20 000 characters.
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    /// When it is due (`YYYY-MM-DD`).
    pub due_date: Option<NaiveDate>,
    /// Progress; `not_started` when not given.
    #[schema(default = "not_started")]
    pub status: MilestoneStatus,
    /// When it was completed (`YYYY-MM-DD`): required when `status` is `completed`, refused
    /// otherwise.
    pub completed_on: Option<NaiveDate>,
}

crate::openapi::merge_patch!(MilestonePatch, NewMilestone);

impl FromFields for NewMilestone {
    const FIELDS: FieldSet = FieldSet {
        writable: &[
            "commitment_id",
            "position",
            "title",
            "description",
            "due_date",
            "status",
            "completed_on",
        ],
        read_only: &["id", "created_at", "updated_at", "version"],
    };

    /// Validates a body, naming every bad field.
    fn from_fields(mut f: Fields) -> Result<Self, ApiError> {
        let commitment_id = f.required::<i64>("commitment_id");
        if let Some(id) = commitment_id {
            f.ensure(id >= 1, "commitment_id", "must be a positive id");
        }
        let position = f.required::<i32>("position");
        if let Some(position) = position {
            f.ensure(position >= 1, "position", "must be 1 or more");
        }
        let title = f.required_text("title", 1000);
        let description = f.nullable_text("description", 20_000);
        let due_date = f.nullable_date("due_date");
        let status = f.with_default("status", MilestoneStatus::NotStarted);
        let completed_on = f.nullable_date("completed_on");
        match status {
            Some(MilestoneStatus::Completed)
                if completed_on.is_none() && !f.has_error("completed_on") =>
            {
                f.error("completed_on", "is required when status is `completed`");
            }
            Some(other) if other != MilestoneStatus::Completed && completed_on.is_some() => {
                f.error(
                    "completed_on",
                    format!("must be null unless status is `completed` (status is `{other}`)"),
                );
            }
            _ => {}
        }
        f.finish()?;
        let (Some(commitment_id), Some(position), Some(title), Some(status)) =
            (commitment_id, position, title, status)
        else {
            return Err(ApiError::internal("milestone reader lost a required field"));
        };
        Ok(Self {
            commitment_id,
            position,
            title,
            description,
            due_date,
            status,
            completed_on,
        })
    }
}

/// The create-body form of this milestone, the base a merge patch applies to.
impl From<&Milestone> for NewMilestone {
    fn from(milestone: &Milestone) -> Self {
        Self {
            commitment_id: milestone.commitment_id,
            position: milestone.position,
            title: milestone.title.clone(),
            description: milestone.description.clone(),
            due_date: milestone.due_date,
            status: milestone.status,
            completed_on: milestone.completed_on,
        }
    }
}

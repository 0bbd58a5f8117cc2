//! How the shared item flows (`crate::flow`) treat a milestone: as they are, with no rule beyond
//! its body's validation and the database's constraints.

use super::model::{Milestone, NewMilestone};
use crate::error::ApiError;
use crate::flow::Item;
use crate::listing::spec::ListSpec;
use diesel_async::AsyncPgConnection;

impl Item for Milestone {
    const NOUN: &'static str = "milestone";
    const COLLECTION: &'static str = "milestones";
    const LIST: &'static ListSpec = &super::list::SPEC;
    type Input = NewMilestone;

    async fn prepare(
        _: &mut AsyncPgConnection,
        input: NewMilestone,
    ) -> Result<NewMilestone, ApiError> {
        Ok(input)
    }
}

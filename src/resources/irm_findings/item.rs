//! How the shared item flows (`crate::flow`) treat an IRM finding: its body is checked against
//! its plan (share-locked, so the plan's years hold) and its verdicts resolved by the rules of
//! its report's era before anything is written.

use super::eras::PlanYears;
use super::model::{IrmFinding, IrmFindingRow, NewIrmFinding};
use super::query;
use crate::error::ApiError;
use crate::flow::Item;
use crate::listing::spec::ListSpec;
use diesel_async::AsyncPgConnection;

impl Item for IrmFinding {
    const NOUN: &'static str = "IRM finding";
    const COLLECTION: &'static str = "irm-findings";
    const LIST: &'static ListSpec = &super::list::SPEC;
    type Input = NewIrmFinding;

    async fn prepare(
        conn: &mut AsyncPgConnection,
        input: NewIrmFinding,
    ) -> Result<IrmFindingRow, ApiError> {
        let years: PlanYears = query::plan_years_for_share(conn, input.action_plan_id)
            .await?
            .ok_or_else(|| {
                ApiError::invalid_field("action_plan_id", "no action plan has this id")
            })?;
        input.into_row(years)
    }
}

//! How the shared item flows (`crate::flow`) treat an action plan: a change of its years
//! re-derives the verdicts of its IRM findings, whose era can depend on them.

use super::model::{ActionPlan, NewActionPlan};
use crate::db::keyed::Keyed;
use crate::error::ApiError;
use crate::flow::Item;
use crate::listing::spec::ListSpec;
use crate::resources::irm_findings;
use diesel_async::AsyncPgConnection;

impl Item for ActionPlan {
    const NOUN: &'static str = "action plan";
    const COLLECTION: &'static str = "action-plans";
    const LIST: &'static ListSpec = &super::list::SPEC;
    type Input = NewActionPlan;

    async fn prepare(
        _: &mut AsyncPgConnection,
        input: NewActionPlan,
    ) -> Result<NewActionPlan, ApiError> {
        Ok(input)
    }

    async fn store_update(
        conn: &mut AsyncPgConnection,
        current: &ActionPlan,
        write: &NewActionPlan,
    ) -> Result<ActionPlan, ApiError> {
        let plan = ActionPlan::update(conn, &current.id, write).await?;
        if (plan.start_year, plan.end_year) != (current.start_year, current.end_year) {
            let changed = if plan.start_year != current.start_year {
                "start_year"
            } else {
                "end_year"
            };
            let years = irm_findings::eras::PlanYears {
                start: plan.start_year,
                end: plan.end_year,
            };
            irm_findings::query::rederive_verdicts(conn, plan.id, years, changed).await?;
        }
        Ok(plan)
    }
}

//! How the shared item flows (`crate::flow`) treat an action plan: a local plan's member must
//! exist and belong to the plan's country; a change of its years re-derives the verdicts of its
//! IRM findings, whose era can depend on them.

use super::model::{ActionPlan, NewActionPlan};
use super::query;
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

    /// A local plan's member is checked here, so the answer names the field and says why; the
    /// database's composite foreign key (migration 2026-11-30-000020) refuses the same rows
    /// whatever the code does.
    async fn prepare(
        conn: &mut AsyncPgConnection,
        input: NewActionPlan,
    ) -> Result<NewActionPlan, ApiError> {
        let Some(slug) = &input.local_member_slug else {
            return Ok(input);
        };
        match query::local_member_country(conn, slug).await? {
            None => Err(ApiError::invalid_field(
                "local_member_slug",
                format!("no local member has the slug `{slug}`"),
            )),
            Some(country) if country != input.country_code => Err(ApiError::invalid_field(
                "local_member_slug",
                format!(
                    "the local member `{slug}` belongs to {country}, not to the plan's country {}",
                    input.country_code
                ),
            )),
            Some(_) => Ok(input),
        }
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

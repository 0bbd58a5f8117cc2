//! How the shared item flows (`crate::flow`) treat a commitment: as they are, with no rule beyond
//! its body's validation and the database's constraints.

use super::model::{Commitment, NewCommitment};
use crate::error::ApiError;
use crate::flow::Item;
use crate::listing::spec::ListSpec;
use diesel_async::AsyncPgConnection;

impl Item for Commitment {
    const NOUN: &'static str = "commitment";
    const COLLECTION: &'static str = "commitments";
    const LIST: &'static ListSpec = &super::list::SPEC;
    type Input = NewCommitment;

    async fn prepare(
        _: &mut AsyncPgConnection,
        input: NewCommitment,
    ) -> Result<NewCommitment, ApiError> {
        Ok(input)
    }
}

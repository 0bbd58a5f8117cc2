//! Local member SQL.

use super::model::{LocalMember, NewLocalMember};
use crate::schema::local_members;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

crate::db::keyed::keyed_queries!(local_members, LocalMember, NewLocalMember, String, slug);

/// The local members of these countries, by country and slug (for `include=local_members`).
pub async fn of_countries(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<Vec<LocalMember>> {
    local_members::table
        .filter(local_members::country_code.eq_any(codes))
        .order((local_members::country_code, local_members::slug))
        .select(LocalMember::as_select())
        .load(conn)
        .await
}

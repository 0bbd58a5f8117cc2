//! The queries every resource runs on its table by key, written once.
//!
//! `keyed_queries!` expands, inside a resource's `query.rs`, to concrete functions (`find`,
//! `find_for_update`, `exists`, `insert`, `update`, `delete`) over that resource's table and
//! types. Lists, whose filters differ per resource, stay hand-written beside them.

/// `keyed_queries!(table, Row, Input, Key)`: `Row` is the `Selectable` response type,
/// `Input` the `Insertable + AsChangeset` write type, `Key` the primary key as passed in
/// (`i64` or `&str`).
macro_rules! keyed_queries {
    ($table:ident, $row:ty, $input:ty, $key:ty) => {
        /// The row with this key, if any.
        pub async fn find(
            conn: &mut diesel_async::AsyncPgConnection,
            key: $key,
        ) -> diesel::QueryResult<Option<$row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            $table::table
                .find(key)
                .select(<$row>::as_select())
                .first(conn)
                .await
                .optional()
        }

        /// The row, locked until the end of the transaction (for read-modify-write).
        pub async fn find_for_update(
            conn: &mut diesel_async::AsyncPgConnection,
            key: $key,
        ) -> diesel::QueryResult<Option<$row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            $table::table
                .find(key)
                .select(<$row>::as_select())
                .for_update()
                .first(conn)
                .await
                .optional()
        }

        /// Whether a row has this key.
        pub async fn exists(
            conn: &mut diesel_async::AsyncPgConnection,
            key: $key,
        ) -> diesel::QueryResult<bool> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            diesel::select(diesel::dsl::exists($table::table.find(key)))
                .get_result(conn)
                .await
        }

        /// Inserts a row; returns it as stored.
        pub async fn insert(
            conn: &mut diesel_async::AsyncPgConnection,
            input: &$input,
        ) -> diesel::QueryResult<$row> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            diesel::insert_into($table::table)
                .values(input)
                .returning(<$row>::as_returning())
                .get_result(conn)
                .await
        }

        /// Overwrites every writable column of the row; returns it as stored.
        pub async fn update(
            conn: &mut diesel_async::AsyncPgConnection,
            key: $key,
            input: &$input,
        ) -> diesel::QueryResult<$row> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            diesel::update($table::table.find(key))
                .set(input)
                .returning(<$row>::as_returning())
                .get_result(conn)
                .await
        }

        /// Deletes the row; returns how many rows went (0 or 1).
        pub async fn delete(
            conn: &mut diesel_async::AsyncPgConnection,
            key: $key,
        ) -> diesel::QueryResult<usize> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            diesel::delete($table::table.find(key)).execute(conn).await
        }
    };
}
pub(crate) use keyed_queries;

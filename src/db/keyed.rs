//! The queries every resource runs on its table by key, written once.
//!
//! [`Keyed`] names them; `keyed_queries!`, invoked in a resource's `query.rs`, implements it
//! for that resource's table and types. Lists, whose filters differ per resource, stay
//! hand-written beside them.

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use std::future::Future;

/// A row type with a primary key: find, lock, insert, update and delete it by that key.
///
/// The futures are `Send` because the shared write flows (`crate::flow`) run them inside
/// `diesel_async`'s transactions, which require it.
pub trait Keyed: Sized + Send + Sync + 'static {
    /// The primary key (`i64` ids, `String` country codes).
    type Key: std::fmt::Display + Send + Sync + 'static;
    /// What an insert or update writes: the `Insertable + AsChangeset` type.
    type Write: Send + Sync + 'static;

    /// This row's key.
    fn key(&self) -> &Self::Key;

    /// This row's version: 1 on create, +1 on every update (the ETag).
    fn version(&self) -> i32;

    /// The row with this key, if any.
    fn find(
        conn: &mut AsyncPgConnection,
        key: &Self::Key,
    ) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    /// The row, locked until the end of the transaction (for read-modify-write).
    fn find_for_update(
        conn: &mut AsyncPgConnection,
        key: &Self::Key,
    ) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    /// Whether a row has this key.
    fn exists(
        conn: &mut AsyncPgConnection,
        key: &Self::Key,
    ) -> impl Future<Output = QueryResult<bool>> + Send;

    /// Inserts a row; returns it as stored.
    fn insert(
        conn: &mut AsyncPgConnection,
        write: &Self::Write,
    ) -> impl Future<Output = QueryResult<Self>> + Send;

    /// Overwrites every writable column of the row; returns it as stored.
    fn update(
        conn: &mut AsyncPgConnection,
        key: &Self::Key,
        write: &Self::Write,
    ) -> impl Future<Output = QueryResult<Self>> + Send;

    /// Deletes the row; returns how many rows went (0 or 1).
    fn delete(
        conn: &mut AsyncPgConnection,
        key: &Self::Key,
    ) -> impl Future<Output = QueryResult<usize>> + Send;
}

/// `keyed_queries!(table, Row, Write, Key, key_field)`: implements [`Keyed`] for `Row` (the
/// `Selectable` response type) over `table`, writing `Write` (the `Insertable + AsChangeset`
/// type), keyed by `Row.key_field` of type `Key`.
macro_rules! keyed_queries {
    ($table:ident, $row:ty, $write:ty, $key:ty, $key_field:ident) => {
        impl $crate::db::keyed::Keyed for $row {
            type Key = $key;
            type Write = $write;

            fn key(&self) -> &$key {
                &self.$key_field
            }

            fn version(&self) -> i32 {
                self.version
            }

            async fn find(
                conn: &mut diesel_async::AsyncPgConnection,
                key: &$key,
            ) -> diesel::QueryResult<Option<Self>> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                $table::table
                    .find(key)
                    .select(<$row>::as_select())
                    .first(conn)
                    .await
                    .optional()
            }

            async fn find_for_update(
                conn: &mut diesel_async::AsyncPgConnection,
                key: &$key,
            ) -> diesel::QueryResult<Option<Self>> {
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

            async fn exists(
                conn: &mut diesel_async::AsyncPgConnection,
                key: &$key,
            ) -> diesel::QueryResult<bool> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                diesel::select(diesel::dsl::exists($table::table.find(key)))
                    .get_result(conn)
                    .await
            }

            async fn insert(
                conn: &mut diesel_async::AsyncPgConnection,
                write: &$write,
            ) -> diesel::QueryResult<Self> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                diesel::insert_into($table::table)
                    .values(write)
                    .returning(<$row>::as_returning())
                    .get_result(conn)
                    .await
            }

            async fn update(
                conn: &mut diesel_async::AsyncPgConnection,
                key: &$key,
                write: &$write,
            ) -> diesel::QueryResult<Self> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                diesel::update($table::table.find(key))
                    .set(write)
                    .returning(<$row>::as_returning())
                    .get_result(conn)
                    .await
            }

            async fn delete(
                conn: &mut diesel_async::AsyncPgConnection,
                key: &$key,
            ) -> diesel::QueryResult<usize> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                diesel::delete($table::table.find(key)).execute(conn).await
            }
        }
    };
}
pub(crate) use keyed_queries;

//! Where request work meets the database: [`run`] and [`write`] run blocking
//! work whose refusals are API errors, and turn database failures
//! ([`DbError`](crate::db::DbError)) into `500 ERROR` with the failure kept
//! as the cause. The database layer itself never names the API error.

use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;

/// Runs blocking work (reads, or writes that need no transaction) on the
/// blocking pool; see [`db::run`].
pub async fn run<T, F>(pool: &Pool, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    db::run(pool, work).await
}

/// Runs work in one immediate transaction; see [`db::write`].
pub async fn write<T, F>(pool: &Pool, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    db::write(pool, work).await
}

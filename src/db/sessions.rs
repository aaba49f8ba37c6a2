//! Queries on `sessions`: sign-in sessions keyed by the hash of their cookie token.

use diesel::prelude::*;

use super::schema::sessions;
use super::DbConn;

/// Stores a new session.
pub fn insert(
    conn: &mut DbConn,
    token_hash: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The user and expiry of a live session.
pub fn lookup(conn: &mut DbConn, token_hash: &str, now: i64) -> QueryResult<Option<(String, i64)>> {
    sessions::table
        .find(token_hash)
        .filter(sessions::expires_at.gt(now))
        .select((sessions::user_id, sessions::expires_at))
        .first(conn)
        .optional()
}

/// Deletes one session.
pub fn delete(conn: &mut DbConn, token_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(token_hash))
        .execute(conn)
        .map(|_| ())
}

/// Deletes sessions that have expired.
pub fn delete_expired(conn: &mut DbConn, now: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}

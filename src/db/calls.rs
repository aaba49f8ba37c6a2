//! Queries on `calls`, and the `duration` of call messages.

use diesel::prelude::*;

use super::schema::{calls, messages};
use super::DbConn;

/// One call row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calls)]
pub struct CallRow {
    pub id: String,
    pub caller_id: String,
    pub callee_id: String,
    pub video: i32,
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration: Option<f64>,
}

/// Records a new, ringing call under `id` (the id of its message).
pub fn insert(
    conn: &mut DbConn,
    id: &str,
    caller: &str,
    callee: &str,
    video: bool,
    now: i64,
) -> QueryResult<()> {
    diesel::insert_into(calls::table)
        .values((
            calls::id.eq(id),
            calls::caller_id.eq(caller),
            calls::callee_id.eq(callee),
            calls::video.eq(i32::from(video)),
            calls::started_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records when a live call was answered.
pub fn set_answered(conn: &mut DbConn, id: &str, at: i64) -> QueryResult<()> {
    diesel::update(calls::table.find(id).filter(calls::ended_at.is_null()))
        .set(calls::answered_at.eq(Some(at)))
        .execute(conn)
        .map(|_| ())
}

/// Ends a live call; `false` when it had already ended.
pub fn finish(conn: &mut DbConn, id: &str, at: i64, duration: f64) -> QueryResult<bool> {
    let n = diesel::update(calls::table.find(id).filter(calls::ended_at.is_null()))
        .set((
            calls::ended_at.eq(Some(at)),
            calls::duration.eq(Some(duration)),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Calls that never ended (the server stopped while they were live).
pub fn live(conn: &mut DbConn) -> QueryResult<Vec<CallRow>> {
    calls::table
        .filter(calls::ended_at.is_null())
        .select(CallRow::as_select())
        .load(conn)
}

/// Sets the `duration` of the call message `id` of `room`; `false` when that
/// message is gone or no longer a call (deleted, or the chat was cleared).
pub fn set_message_duration(
    conn: &mut DbConn,
    room: &str,
    id: &str,
    duration: f64,
) -> QueryResult<bool> {
    let n = diesel::update(
        messages::table.filter(
            messages::room
                .eq(room)
                .and(messages::id.eq(id))
                .and(messages::kind.eq("call")),
        ),
    )
    .set(messages::duration.eq(Some(duration)))
    .execute(conn)?;
    Ok(n > 0)
}

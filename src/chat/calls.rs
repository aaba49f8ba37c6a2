//! Blocking operations on call records and call messages (API.md section 9):
//! open a call (record + `call` message), end one (rewrite its `duration`),
//! and end the calls a stopped server left behind.

use serde_json::Value;

use super::ops::{self, Posted};
use super::Room;
use crate::db::messages::{self, NewMessage};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::views;

/// `duration` of a call message while the call is live.
pub const RINGING: f64 = -2.0;
/// `duration` of a rejected call.
pub const REJECTED: f64 = -1.0;
/// `duration` of a call nobody answered.
pub const NOT_ANSWERED: f64 = 0.0;

/// A call just stored.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The callKey, also the id of the call message.
    pub key: String,
    /// The call message with its room and user objects, as the caller sees them.
    pub posted: Posted,
    /// The caller as the callee sees them.
    pub caller_user: Value,
    /// The callee as the caller sees them.
    pub callee_user: Value,
}

/// Why the offer was not taken: the two are not friends (or one is gone).
fn not_friends() -> ApiError {
    ApiError::new(ErrorCode::FindNotFound)
}

/// Whether `caller` may call `callee`: two different users who are friends.
pub fn are_friends(conn: &mut DbConn, caller: &str, callee: &str) -> Result<bool, ApiError> {
    Ok(caller != callee && db::friends::state(conn, caller, callee)? == db::friends::FRIENDS)
}

/// Stores a call from `caller` to `callee`: its record and its message
/// (`duration: -2`) in their one-to-one chat. Only between friends.
pub fn open(
    conn: &mut DbConn,
    caller: &str,
    callee: &str,
    video: bool,
    now: i64,
) -> Result<Opened, ApiError> {
    if !are_friends(conn, caller, callee)? {
        return Err(not_friends());
    }
    let room = Room::Direct {
        me: caller.to_string(),
        other: callee.to_string(),
    };
    let room_key = room.key();
    let row = messages::insert(
        conn,
        &NewMessage {
            room: &room_key,
            user_id: caller,
            kind: "call",
            text: "",
            reply: None,
            source: None,
            duration: Some(RINGING),
        },
        now,
    )?;
    messages::mark_read(conn, &room_key, caller, row.n)?;
    db::direct::ensure(conn, caller, callee, now)?;
    db::calls::insert(conn, &row.id, caller, callee, video, now)?;
    let chat = ops::object(conn, &room, &row)?;
    let posted = ops::context(conn, &room, caller, chat)?;
    let callee_user = posted
        .users
        .iter()
        .find(|u| u["id"] == callee)
        .cloned()
        .ok_or_else(not_friends)?;
    let caller_user = views::user_objects(conn, callee, &[caller.to_string()])?
        .pop()
        .ok_or_else(not_friends)?;
    Ok(Opened {
        key: row.id,
        posted,
        caller_user,
        callee_user,
    })
}

/// Records that the call `key` was answered at `at`.
pub fn answered(conn: &mut DbConn, key: &str, at: i64) -> Result<(), ApiError> {
    Ok(db::calls::set_answered(conn, key, at)?)
}

/// Ends the call `key` with `duration` and rewrites its message. Returns the
/// message as the caller sees it, or `None` when the call had already ended
/// or its message is gone (deleted by its author, or the chat cleared).
pub fn close(
    conn: &mut DbConn,
    key: &str,
    caller: &str,
    callee: &str,
    duration: f64,
    now: i64,
) -> Result<Option<Posted>, ApiError> {
    if !db::calls::finish(conn, key, now, duration)? {
        return Ok(None);
    }
    let room = Room::Direct {
        me: caller.to_string(),
        other: callee.to_string(),
    };
    let room_key = room.key();
    if !db::calls::set_message_duration(conn, &room_key, key, duration)? {
        return Ok(None);
    }
    let Some(row) = messages::find(conn, &room_key, key)? else {
        return Ok(None);
    };
    let chat = ops::object(conn, &room, &row)?;
    // A user deleted meanwhile leaves the record rewritten but nothing to tell.
    Ok(ops::context(conn, &room, caller, chat).ok())
}

/// The `duration` of a call that ends at `now`.
pub fn duration_of(answered_at: Option<i64>, rejected: bool, now: i64) -> f64 {
    match answered_at {
        // At least 1 ms, so an answered call never reads as "not answered".
        Some(at) => (now - at).max(1) as f64,
        None if rejected => REJECTED,
        None => NOT_ANSWERED,
    }
}

/// Ends every call left live by a server that stopped: not answered reads
/// `0`, answered counts up to `now` (the restart). Returns how many.
pub fn end_leftovers(conn: &mut DbConn, now: i64) -> Result<usize, ApiError> {
    let live = db::calls::live(conn)?;
    for call in &live {
        let duration = duration_of(call.answered_at, false, now);
        close(
            conn,
            &call.id,
            &call.caller_id,
            &call.callee_id,
            duration,
            now,
        )?;
    }
    Ok(live.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_the_contract() {
        assert_eq!(duration_of(None, true, 10), REJECTED);
        assert_eq!(duration_of(None, false, 10), NOT_ANSWERED);
        assert_eq!(duration_of(Some(4), false, 10), 6.0);
        assert_eq!(duration_of(Some(10), true, 10), 1.0);
    }
}

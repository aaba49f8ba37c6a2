//! Queries on `friend_requests`, and the `isFriend` state between two users.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::friend_requests as fr;
use super::DbConn;

/// No relation.
pub const NONE: i32 = 0;
/// Friends.
pub const FRIENDS: i32 = 1;
/// The viewer asked the other user.
pub const SENT: i32 = 2;
/// The other user asked the viewer.
pub const RECEIVED: i32 = 3;

/// `isFriend` of each of `others` as `viewer` sees them (only non-zero states are present).
pub fn states(
    conn: &mut DbConn,
    viewer: &str,
    others: &[String],
) -> QueryResult<HashMap<String, i32>> {
    let sent: Vec<(String, i32)> = fr::table
        .filter(fr::from_id.eq(viewer).and(fr::to_id.eq_any(others)))
        .select((fr::to_id, fr::accepted))
        .load(conn)?;
    let received: Vec<(String, i32)> = fr::table
        .filter(fr::to_id.eq(viewer).and(fr::from_id.eq_any(others)))
        .select((fr::from_id, fr::accepted))
        .load(conn)?;
    let mut out = HashMap::new();
    for (other, accepted) in sent {
        out.insert(other, if accepted != 0 { FRIENDS } else { SENT });
    }
    for (other, accepted) in received {
        let state = if accepted != 0 { FRIENDS } else { RECEIVED };
        out.entry(other)
            .and_modify(|s| {
                // Asked by both sides, or accepted: friends.
                if (*s == SENT && state == RECEIVED) || state == FRIENDS {
                    *s = FRIENDS
                }
            })
            .or_insert(state);
    }
    Ok(out)
}

/// `isFriend` of `other` as `viewer` sees them.
pub fn state(conn: &mut DbConn, viewer: &str, other: &str) -> QueryResult<i32> {
    Ok(states(conn, viewer, &[other.to_string()])?
        .get(other)
        .copied()
        .unwrap_or(NONE))
}

/// Users with a pending request to `user`, oldest first.
pub fn pending_for(conn: &mut DbConn, user: &str) -> QueryResult<Vec<String>> {
    fr::table
        .filter(fr::to_id.eq(user).and(fr::accepted.eq(0)))
        .order(fr::created_at.asc())
        .select(fr::from_id)
        .load(conn)
}

/// Records a pending request from `from` to `to`.
pub fn insert_request(conn: &mut DbConn, from: &str, to: &str, now: i64) -> QueryResult<()> {
    super::each_backend!(
        conn,
        c,
        diesel::insert_into(fr::table)
            .values((
                fr::from_id.eq(from),
                fr::to_id.eq(to),
                fr::accepted.eq(0),
                fr::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
    )
    .map(|_| ())
}

/// Accepts the request from `from` to `to`.
pub fn accept(conn: &mut DbConn, from: &str, to: &str) -> QueryResult<()> {
    diesel::update(fr::table.find((from, to)))
        .set(fr::accepted.eq(1))
        .execute(conn)
        .map(|_| ())
}

/// Deletes the request (or friendship row) from `from` to `to`.
pub fn delete(conn: &mut DbConn, from: &str, to: &str) -> QueryResult<()> {
    diesel::delete(fr::table.find((from, to)))
        .execute(conn)
        .map(|_| ())
}

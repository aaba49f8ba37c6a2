//! Queries on `direct_rooms`: the one-to-one chats that exist.

use diesel::prelude::*;

use super::schema::direct_rooms;
use super::DbConn;
use crate::db::messages::room_key;

/// Records the one-to-one chat of `a` and `b` (no-op when it exists).
pub fn ensure(conn: &mut DbConn, a: &str, b: &str, now: i64) -> QueryResult<()> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    super::each_backend!(
        conn,
        c,
        diesel::insert_into(direct_rooms::table)
            .values((
                direct_rooms::room.eq(room_key("user", lo, hi)),
                direct_rooms::user_a.eq(lo),
                direct_rooms::user_b.eq(hi),
                direct_rooms::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
    )
    .map(|_| ())
}

/// The other users of `user`'s one-to-one chats, oldest chat first.
pub fn partners_of(conn: &mut DbConn, user: &str) -> QueryResult<Vec<String>> {
    let rows: Vec<(String, String)> = direct_rooms::table
        .filter(
            direct_rooms::user_a
                .eq(user)
                .or(direct_rooms::user_b.eq(user)),
        )
        .order(direct_rooms::created_at.asc())
        .select((direct_rooms::user_a, direct_rooms::user_b))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, b)| if a == user { b } else { a })
        .collect())
}

/// Whether `a` and `b` have a one-to-one chat.
pub fn exists(conn: &mut DbConn, a: &str, b: &str) -> QueryResult<bool> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    diesel::select(diesel::dsl::exists(
        direct_rooms::table.filter(direct_rooms::user_a.eq(lo).and(direct_rooms::user_b.eq(hi))),
    ))
    .get_result(conn)
}

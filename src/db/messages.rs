//! Queries on `messages` and `room_reads`.

use diesel::prelude::*;

use super::schema::{messages, room_reads};
use super::{is_unique_violation, DbConn};
use crate::ids;

/// Length of generated message ids.
pub const ID_LEN: usize = 10;

/// One message row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub n: i64,
    pub id: String,
    pub room: String,
    pub user_id: String,
    pub created_at: i64,
    pub kind: String,
    pub text: String,
    pub reply: Option<String>,
    pub edited: Option<i64>,
    pub source: Option<String>,
    pub duration: Option<f64>,
}

/// What a new message carries.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub room: &'a str,
    pub user_id: &'a str,
    pub kind: &'a str,
    pub text: &'a str,
    pub reply: Option<&'a str>,
    pub source: Option<&'a str>,
    pub duration: Option<f64>,
}

/// The room key of a chat: `group:<id>`, or `user:<lower id>:<higher id>`.
pub fn room_key(roomtype: &str, a: &str, b: &str) -> String {
    if roomtype == "group" {
        format!("group:{a}")
    } else if a <= b {
        format!("user:{a}:{b}")
    } else {
        format!("user:{b}:{a}")
    }
}

/// Stores a message under a fresh id and returns its row.
pub fn insert(conn: &mut DbConn, msg: &NewMessage<'_>, now: i64) -> QueryResult<MessageRow> {
    let mut last_err = None;
    for _ in 0..8 {
        let id = ids::alphanumeric(ID_LEN);
        let inserted = super::recoverable(conn, |c| {
            diesel::insert_into(messages::table)
                .values((
                    messages::id.eq(&id),
                    messages::room.eq(msg.room),
                    messages::user_id.eq(msg.user_id),
                    messages::created_at.eq(now),
                    messages::kind.eq(msg.kind),
                    messages::text.eq(msg.text),
                    messages::reply.eq(msg.reply),
                    messages::source.eq(msg.source),
                    messages::duration.eq(msg.duration),
                ))
                .execute(c)
        });
        match inserted {
            Ok(_) => return find(conn, msg.room, &id)?.ok_or(diesel::result::Error::NotFound),
            Err(e) if is_unique_violation(&e) => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or(diesel::result::Error::NotFound))
}

/// The message `id` of `room`.
pub fn find(conn: &mut DbConn, room: &str, id: &str) -> QueryResult<Option<MessageRow>> {
    messages::table
        .filter(messages::id.eq(id).and(messages::room.eq(room)))
        .select(MessageRow::as_select())
        .first(conn)
        .optional()
}

/// The newest `limit` messages of a room before position `before` (all when `None`), oldest first.
pub fn page(
    conn: &mut DbConn,
    room: &str,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    let mut query = messages::table
        .filter(messages::room.eq(room))
        .select(MessageRow::as_select())
        .order(messages::n.desc())
        .limit(limit)
        .into_boxed();
    if let Some(n) = before {
        query = query.filter(messages::n.lt(n));
    }
    let mut rows = query.load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// Replaces a message's text and marks it edited.
pub fn set_text(conn: &mut DbConn, n: i64, text: &str, now: i64) -> QueryResult<()> {
    diesel::update(messages::table.find(n))
        .set((messages::text.eq(text), messages::edited.eq(Some(now))))
        .execute(conn)
        .map(|_| ())
}

/// Turns a message into a `deleted` placeholder.
pub fn mark_deleted(conn: &mut DbConn, n: i64) -> QueryResult<()> {
    diesel::update(messages::table.find(n))
        .set((
            messages::kind.eq("deleted"),
            messages::text.eq(""),
            messages::source.eq(None::<String>),
            messages::duration.eq(None::<f64>),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Whether a live (not deleted) message of `room` stores the file `source`.
pub fn has_source(conn: &mut DbConn, room: &str, source: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        messages::table.filter(messages::room.eq(room).and(messages::source.eq(source))),
    ))
    .get_result(conn)
}

/// Deletes every message and read mark of a room by key.
pub fn delete_room_key(conn: &mut DbConn, room: &str) -> QueryResult<()> {
    diesel::delete(messages::table.filter(messages::room.eq(room))).execute(conn)?;
    diesel::delete(room_reads::table.filter(room_reads::room.eq(room))).execute(conn)?;
    Ok(())
}

/// Deletes every message and read mark of a room.
pub fn delete_room(conn: &mut DbConn, roomtype: &str, id: &str) -> QueryResult<()> {
    delete_room_key(conn, &room_key(roomtype, id, id))
}

/// Position of the newest message of a room.
pub fn last_n(conn: &mut DbConn, room: &str) -> QueryResult<Option<i64>> {
    messages::table
        .filter(messages::room.eq(room))
        .select(diesel::dsl::max(messages::n))
        .first(conn)
}

/// How far each member has read a room: (user, last read position).
pub fn reads(conn: &mut DbConn, room: &str) -> QueryResult<Vec<(String, i64)>> {
    room_reads::table
        .filter(room_reads::room.eq(room))
        .select((room_reads::user_id, room_reads::last_read))
        .load(conn)
}

/// Records that `user` has read `room` up to position `n`.
pub fn mark_read(conn: &mut DbConn, room: &str, user: &str, n: i64) -> QueryResult<()> {
    use diesel::upsert::excluded;
    super::each_backend!(
        conn,
        c,
        diesel::insert_into(room_reads::table)
            .values((
                room_reads::room.eq(room),
                room_reads::user_id.eq(user),
                room_reads::last_read.eq(n),
            ))
            .on_conflict((room_reads::room, room_reads::user_id))
            .do_update()
            .set(room_reads::last_read.eq(excluded(room_reads::last_read)))
            .execute(c)
    )
    .map(|_| ())
}

/// Forgets `user`'s read mark in `room` (they left it).
pub fn forget_reader(conn: &mut DbConn, room: &str, user: &str) -> QueryResult<()> {
    diesel::delete(room_reads::table.find((room, user)))
        .execute(conn)
        .map(|_| ())
}

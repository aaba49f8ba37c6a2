//! Queries on `messages` and `room_reads`.

use diesel::prelude::*;

use super::schema::{messages, room_reads};
use super::DbConn;

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

/// Deletes every message and read mark of a room.
pub fn delete_room(conn: &mut DbConn, roomtype: &str, id: &str) -> QueryResult<()> {
    let room = room_key(roomtype, id, id);
    diesel::delete(messages::table.filter(messages::room.eq(&room))).execute(conn)?;
    diesel::delete(room_reads::table.filter(room_reads::room.eq(&room))).execute(conn)?;
    Ok(())
}

//! The global room (API.md section 8): one room every signed-in user reads and
//! writes. It has no owner, no member list, no invite link, no image and no
//! read receipts, and it is never part of `isUser`'s chat list.

use serde_json::{json, Value};

use super::{ops, Room, RECENT};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::views;

/// The global room's id (roomtype `group`). Group ids have nine digits, so no
/// group can ever take it.
pub const GLOBAL_ID: &str = "696969";

/// Whether a group id names the global room.
pub fn is_global(gid: &str) -> bool {
    gid == GLOBAL_ID
}

/// The global room object.
pub fn room_object() -> Value {
    json!({
        "owner": "-1",
        "id": GLOBAL_ID,
        "long": "Global",
        "short": "Global",
        "badges": [5],
        "type": "group",
    })
}

/// `get-global` for `me`: the last messages, their authors and `me` as `me`
/// sees them, and the room object.
pub fn snapshot(conn: &mut DbConn, me: &str) -> Result<Value, ApiError> {
    let m = ops::page(conn, &Room::Global, None, RECENT)?;
    let mut ids: Vec<String> = Vec::new();
    for author in m
        .iter()
        .filter_map(|msg| msg["userid"].as_str())
        .chain([me])
    {
        if !ids.iter().any(|id| id == author) {
            ids.push(author.to_string());
        }
    }
    let u = views::user_objects(conn, me, &ids)?;
    Ok(json!({ "u": u, "r": room_object(), "m": m }))
}

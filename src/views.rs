//! The JSON objects of the API: user objects and room objects.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::db::groups::Group;
use crate::db::users::User;
use crate::db::DbConn;

/// The public user object (its fields are also its OpenAPI schema).
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView<'a> {
    id: &'a str,
    username: &'a str,
    displayname: &'a str,
    bio: Option<&'a str>,
    image: Option<&'a str>,
    #[schema(schema_with = crate::http::openapi::any_array)]
    badges: Value,
    /// 0 none, 1 friends, 2 asked by the viewer, 3 asked by this user.
    #[serde(rename = "isFriend")]
    #[schema(minimum = 0, maximum = 3)]
    is_friend: i32,
}

/// The public user object, as `viewer_state` (`isFriend`, 0-3) says the viewer sees it.
pub fn user_object(u: &User, is_friend: i32) -> Value {
    serde_json::to_value(UserView {
        id: &u.id,
        username: &u.username,
        displayname: &u.displayname,
        bio: u.bio.as_deref(),
        image: u.image.as_deref(),
        badges: badges(&u.badges),
        is_friend,
    })
    .unwrap_or(Value::Null)
}

/// The badges column as a JSON array.
pub fn badges(raw: &str) -> Value {
    serde_json::from_str::<Value>(raw)
        .ok()
        .filter(Value::is_array)
        .unwrap_or_else(|| json!([]))
}

/// The room object of a group (`r`).
pub fn group_room(g: &Group) -> Value {
    json!({
        "owner": g.owner_id,
        "id": g.id,
        "long": g.name,
        "short": g.name,
        "badges": [],
        "image": g.image,
        "type": "group",
        "link": g.link,
    })
}

/// User objects of `ids` (in that order, unknown ids skipped) as `viewer` sees them.
pub fn user_objects(
    conn: &mut DbConn,
    viewer: &str,
    ids: &[String],
) -> diesel::QueryResult<Vec<Value>> {
    let rows = crate::db::users::find_many(conn, ids)?;
    let states = crate::db::friends::states(conn, viewer, ids)?;
    let by_id: HashMap<&str, &User> = rows.iter().map(|u| (u.id.as_str(), u)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.get(id.as_str()))
        .map(|u| user_object(u, states.get(&u.id).copied().unwrap_or(0)))
        .collect())
}

/// The room object of a one-to-one chat with `other`.
pub fn direct_room(other: &User) -> Value {
    json!({
        "id": other.id,
        "short": other.username,
        "long": other.displayname,
        "image": other.image,
        "badges": badges(&other.badges),
        "type": "user",
    })
}

/// The message object (its fields are also its OpenAPI schema).
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageView<'a> {
    id: &'a str,
    userid: &'a str,
    /// Milliseconds since the epoch.
    timestamp: i64,
    /// `text`, a file type, `call` or `deleted`.
    #[serde(rename = "type")]
    kind: &'a str,
    text: &'a str,
    reply: Option<&'a str>,
    edited: Option<i64>,
    source: Option<&'a str>,
    readers: Vec<&'a str>,
    /// A whole number without a fraction, or `null`.
    #[schema(value_type = Option<f64>)]
    duration: Option<Value>,
}

/// The message object; `reads` says how far each member has read the room.
pub fn message_object(m: &crate::db::messages::MessageRow, reads: &[(String, i64)]) -> Value {
    let readers: Vec<&str> = if m.kind == "call" {
        // A call message is the record of a call both took part in.
        call_readers(m)
    } else {
        reads
            .iter()
            .filter(|(user, last)| *last >= m.n && *user != m.user_id)
            .map(|(user, _)| user.as_str())
            .collect()
    };
    serde_json::to_value(MessageView {
        id: &m.id,
        userid: &m.user_id,
        timestamp: m.created_at,
        kind: &m.kind,
        text: &m.text,
        reply: m.reply.as_deref(),
        edited: m.edited,
        source: m.source.as_deref(),
        readers,
        duration: m.duration.map(duration),
    })
    .unwrap_or(Value::Null)
}

/// A duration as JSON: whole numbers (call durations, `-2` ringing) without a
/// fraction, as clients compare them with integers.
fn duration(d: f64) -> Value {
    if d.fract() == 0.0 && d.abs() < 9.0e15 {
        Value::from(d as i64)
    } else {
        Value::from(d)
    }
}

/// The callee of a call message: the user of its one-to-one chat
/// (`user:<a>:<b>`) who is not the author.
fn call_readers(m: &crate::db::messages::MessageRow) -> Vec<&str> {
    m.room
        .strip_prefix("user:")
        .map(|pair| {
            pair.split(':')
                .filter(|id| *id != m.user_id)
                .take(1)
                .collect()
        })
        .unwrap_or_default()
}

//! One-to-one chats: the operations run on the blocking pool and the signals
//! go through the hub to every socket of the other user.

use actix_web::web;
use serde_json::Value;

use super::draft::Draft;
use super::ops::{self, Posted};
use super::Room;
use crate::error::ApiError;
use crate::ids;
use crate::push::{self, Notice};
use crate::realtime::signal::Signal;
use crate::state::AppState;
use crate::store;

fn deliver(state: &AppState, kind: &str, me: &str, other: &str, posted: &Posted) {
    let frame = Signal::new(kind, me)
        .field("chat", posted.chat.clone())
        .field("roomdata", posted.roomdata_for_others.clone())
        .field("users", Value::Array(posted.users.clone()))
        .field("sender", posted.sender.clone())
        .encode();
    state.hub.send_to_user(other, &frame);
}

fn parts(room: &Room) -> (String, String) {
    match room {
        Room::Direct { me, other } => (me.clone(), other.clone()),
        Room::Group(gid) => (gid.clone(), gid.clone()),
        Room::Global => (String::new(), String::new()),
    }
}

/// Sends a message to the other user.
pub async fn send(
    state: &web::Data<AppState>,
    room: Room,
    draft: Draft,
) -> Result<Value, ApiError> {
    let (me, other) = parts(&room);
    let m = me.clone();
    let posted = store::write(&state.pool, move |c| {
        ops::post(c, &room, &m, &draft, ids::now_ms(), None)
    })
    .await?;
    deliver(state, "sendmessage", &me, &other, &posted);
    if let Some(username) = posted.sender["username"].as_str() {
        push::notify(state, &other, Notice::message(&me, username));
    }
    Ok(posted.answer())
}

/// Edits one's own message.
pub async fn edit(
    state: &web::Data<AppState>,
    room: Room,
    id: String,
    text: Option<String>,
) -> Result<Value, ApiError> {
    let (me, other) = parts(&room);
    let m = me.clone();
    let posted = store::write(&state.pool, move |c| {
        ops::edit(c, &room, &m, &id, text.as_deref(), ids::now_ms())
    })
    .await?;
    deliver(state, "editmessage", &me, &other, &posted);
    Ok(posted.answer())
}

/// Deletes one's own message.
pub async fn delete(
    state: &web::Data<AppState>,
    room: Room,
    id: String,
) -> Result<Value, ApiError> {
    let (me, other) = parts(&room);
    let files = state.files.clone();
    let m = me.clone();
    let (posted, obsolete) =
        store::write(&state.pool, move |c| ops::delete(c, &files, &room, &m, &id)).await?;
    obsolete.remove().await;
    deliver(state, "deletemessage", &me, &other, &posted);
    Ok(posted.answer())
}

/// Clears the chat for both sides.
pub async fn clear(state: &web::Data<AppState>, room: Room) -> Result<(), ApiError> {
    let (me, other) = parts(&room);
    let files = state.files.clone();
    let obsolete = store::write(&state.pool, move |c| {
        ops::partner(c, &room)?;
        ops::clear(c, &files, &room)
    })
    .await?;
    obsolete.remove().await;
    let frame = Signal::new("clearhistory", &me)
        .field("roomid", me.as_str())
        .encode();
    state.hub.send_to_user(&other, &frame);
    Ok(())
}

/// Marks the chat read by `me` and tells the other user.
pub async fn read(state: &web::Data<AppState>, room: Room) -> Result<(), ApiError> {
    let (me, other) = parts(&room);
    let m = me.clone();
    store::write(&state.pool, move |c| ops::mark_read(c, &room, &m)).await?;
    let frame = Signal::new("readAllMessages", &me)
        .field("roomid", me.as_str())
        .encode();
    state.hub.send_to_user(&other, &frame);
    Ok(())
}

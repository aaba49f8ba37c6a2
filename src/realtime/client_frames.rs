//! Client-to-server frames: `{"identifier":"kirimin","type":...}`. Unknown
//! types and malformed frames are ignored; the socket stays up.

use actix_web::web;
use serde::Deserialize;

use crate::chat::{direct, Room};
use crate::realtime::calls;
use crate::realtime::group_chat::GroupRead;
use crate::realtime::registry::ask;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
struct ClientFrame {
    identifier: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    roomid: Option<serde_json::Value>,
    #[serde(default)]
    roomtype: Option<String>,
    #[serde(default)]
    postid: Option<serde_json::Value>,
}

/// Handles one text frame from `user`'s socket `sid`, which connected with
/// the socket id `socket_id`.
pub fn handle(state: &web::Data<AppState>, user: &str, sid: u64, socket_id: &str, text: &str) {
    let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
        tracing::debug!(user, "ignoring a malformed client frame");
        return;
    };
    if frame.identifier != "kirimin" {
        return;
    }
    match frame.kind.as_str() {
        "readAllMessages" => read_all(state, user, frame),
        kind if calls::FRAME_TYPES.contains(&kind) => {
            let origin = calls::Origin {
                user: user.to_string(),
                sid,
                socket_id: socket_id.to_string(),
            };
            calls::handle(state, &origin, kind, text);
        }
        "postlike" | "postunlike" => crate::posts::likes::handle(
            state,
            user,
            frame.kind == "postlike",
            frame.postid.as_ref(),
        ),
        other => tracing::debug!(user, kind = other, "ignoring an unknown client frame type"),
    }
}

/// Room ids may arrive as strings or numbers.
fn id_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_all(state: &web::Data<AppState>, user: &str, frame: ClientFrame) {
    let (Some(roomid), Some(roomtype)) = (frame.roomid.as_ref().and_then(id_text), frame.roomtype)
    else {
        return;
    };
    let Ok(room) = Room::parse(&roomtype, &roomid, user) else {
        return;
    };
    let (state, user) = (state.clone(), user.to_string());
    actix_web::rt::spawn(async move {
        let result = match room {
            Room::Group(gid) => ask(&state, &gid, GroupRead { user }).await,
            // No read receipts in the global room.
            Room::Global => Ok(()),
            direct_room => direct::read(&state, direct_room).await,
        };
        if let Err(e) = result {
            tracing::debug!("readAllMessages refused: {e}");
        }
    });
}

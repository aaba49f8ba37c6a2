//! Client-to-server frames: `{"identifier":"kirimin","type":...}`. Unknown
//! types and malformed frames are ignored; the socket stays up.
//!
//! A frame only ever makes the server work for a room its sender is in:
//! groups are checked against the socket's own list ([`SocketRooms`]), never
//! by starting a group actor or asking the database; a one-to-one chat not
//! yet known to the socket costs one read, and nothing at all when there is
//! no such chat.

use std::collections::HashSet;
use std::time::Instant;

use actix_web::web;
use serde::Deserialize;

use crate::chat::{direct, Room};
use crate::config::RateLimit;
use crate::db;
use crate::realtime::calls;
use crate::realtime::group_chat::GroupRead;
use crate::realtime::registry::ask;
use crate::state::AppState;
use crate::store;

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

/// The rooms one socket's user is in, as far as that socket knows: loaded
/// when it opens, then kept by the group actors (`Subscribed`/`Unsubscribed`).
#[derive(Debug, Default)]
pub struct SocketRooms {
    /// Groups the user is a member of.
    pub groups: HashSet<String>,
    /// Users the user has a one-to-one chat with.
    pub partners: HashSet<String>,
}

/// Token bucket for one socket's frames.
#[derive(Debug)]
pub struct FrameBudget {
    limit: RateLimit,
    tokens: f64,
    refreshed: Instant,
}

impl FrameBudget {
    /// A full bucket.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            tokens: limit.burst,
            refreshed: Instant::now(),
        }
    }

    /// Takes one token; `false` when the socket is flooding.
    pub fn take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refreshed).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.limit.per_second).min(self.limit.burst);
        self.refreshed = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Handles one text frame from `user`'s socket `sid`, which connected with
/// the socket id `socket_id`; `rooms` are the rooms that socket knows of.
pub fn handle(
    state: &web::Data<AppState>,
    user: &str,
    sid: u64,
    socket_id: &str,
    rooms: &SocketRooms,
    text: &str,
) {
    let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
        tracing::debug!(user, "ignoring a malformed client frame");
        return;
    };
    if frame.identifier != "kirimin" {
        return;
    }
    match frame.kind.as_str() {
        "readAllMessages" => read_all(state, user, rooms, frame),
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
        serde_json::Value::String(s) if !s.is_empty() && s.len() <= 64 => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_all(state: &web::Data<AppState>, user: &str, rooms: &SocketRooms, frame: ClientFrame) {
    let (Some(roomid), Some(roomtype)) = (frame.roomid.as_ref().and_then(id_text), frame.roomtype)
    else {
        return;
    };
    let Ok(room) = Room::parse(&roomtype, &roomid, user) else {
        return;
    };
    let known = match &room {
        Room::Group(gid) => rooms.groups.contains(gid),
        // No read receipts in the global room: nothing to do.
        Room::Global => return,
        Room::Direct { other, .. } => rooms.partners.contains(other),
    };
    if !known && matches!(room, Room::Group(_)) {
        tracing::debug!(user, "readAllMessages for a group the sender is not in");
        return;
    }
    let (state, user) = (state.clone(), user.to_string());
    actix_web::rt::spawn(async move {
        let result = match room {
            Room::Group(gid) => ask(&state, &gid, GroupRead { user }).await,
            Room::Global => Ok(()),
            Room::Direct { me, other } => {
                if !known && !direct_chat_exists(&state, &me, &other).await {
                    return;
                }
                direct::read(&state, Room::Direct { me, other }).await
            }
        };
        if let Err(e) = result {
            e.log();
            tracing::debug!("readAllMessages refused: {e}");
        }
    });
}

async fn direct_chat_exists(state: &web::Data<AppState>, me: &str, other: &str) -> bool {
    let (a, b) = (me.to_string(), other.to_string());
    match store::run(&state.pool, move |c| Ok(db::direct::exists(c, &a, &b)?)).await {
        Ok(exists) => exists,
        Err(e) => {
            // A frame has no answer: the fault is logged here.
            e.log();
            false
        }
    }
}

/// Loads the rooms of `user` for a socket that opens.
pub async fn load_rooms(state: &web::Data<AppState>, user: &str) -> Result<SocketRooms, String> {
    let u = user.to_string();
    store::run(&state.pool, move |c| {
        Ok(SocketRooms {
            groups: db::groups::ids_of_user(c, &u)?.into_iter().collect(),
            partners: db::direct::partners_of(c, &u)?.into_iter().collect(),
        })
    })
    .await
    .map_err(|e| e.to_string())
}

//! Call signalling (API.md section 9): the client frames `offer`, `answer`,
//! `candidate`, `reject` and `hangup`, their relays between the two parties
//! of a live call, and what happens when a call ends.
//!
//! Relays are pushed synchronously from the socket's own thread, so the
//! frames of one socket reach the other party in the order they were sent.
//! Only storing an offer and ending a call touch the database.

use actix_web::web;
use serde_json::{Map, Value};

use super::call_book::{Call, Target};
use super::signal::{Frame, Signal};
use crate::chat::calls as ops;
use crate::chat::ops::Posted;
use crate::ids;
use crate::state::AppState;
use crate::store;

/// The socket a frame came from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub user: String,
    /// The hub's id of the socket.
    pub sid: u64,
    /// The socket id from `isUser` the socket connected with (`from` of relays).
    pub socket_id: String,
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Hangup,
    Reject,
    /// The calling or answering socket closed.
    Closed,
    /// Nobody answered within `--call-ring-timeout`.
    Timeout,
    /// The callee never rang (no live socket: the caller got
    /// `calloffline`; or the calling socket closed before it rang).
    Unrung,
}

/// The frame types this module handles.
pub const FRAME_TYPES: [&str; 5] = ["offer", "answer", "candidate", "reject", "hangup"];

/// User ids may arrive as strings or numbers.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Handles one call frame (`text`, of type `kind`) from `origin`. Frames that
/// are malformed or not part of a live call of the sender are dropped.
pub fn handle(state: &web::Data<AppState>, origin: &Origin, kind: &str, text: &str) {
    let Ok(Value::Object(frame)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    dispatch(state, origin, kind, frame);
}

fn dispatch(
    state: &web::Data<AppState>,
    origin: &Origin,
    kind: &str,
    mut frame: Map<String, Value>,
) {
    frame.remove("key");
    let Some(to) = frame.get("to").and_then(id_text) else {
        return;
    };
    match kind {
        "offer" => offer(state, origin, to, frame),
        "answer" => answer(state, origin, &to, frame),
        "candidate" | "reject" | "hangup" => in_call(state, origin, kind, &to, frame),
        _ => {}
    }
}

/// The relayed form of a frame: the sender's frame plus `uid`, `from` (the
/// sender's socket id) and `user` (the sender as the recipient sees them).
fn relay_frame(mut frame: Map<String, Value>, origin: &Origin, user: &Value) -> Frame {
    frame.insert("uid".into(), origin.user.clone().into());
    frame.insert("from".into(), origin.socket_id.clone().into());
    frame.insert("user".into(), user.clone());
    Frame::from(serde_json::to_string(&frame).unwrap_or_default())
}

/// Pushes `frame` to the sockets of `target`.
fn deliver(state: &AppState, target: &Target, frame: &Frame) {
    match target {
        Target::User(user) => state.hub.send_to_user(user, frame),
        Target::Socket(user, sid) => state.hub.send_to_socket(user, *sid, frame),
    }
}

/// The keyed `hangup` telling the callee's other sockets to stop ringing: it
/// reads as the caller hanging up on them.
fn stop_ringing(state: &AppState, call: &Call, except: Option<u64>) {
    let frame = Signal::new("hangup", &call.caller)
        .field("user", call.caller_user.clone())
        .field("callKey", call.key.as_str())
        .encode();
    for handle in state.hub.sessions_of(&call.callee) {
        if Some(handle.sid) != except && !handle.push(&frame) {
            state.hub.unregister(&call.callee, handle.sid);
        }
    }
}

/// `sendmessage`/`editmessage` of the call message to both users' sockets.
fn message_signal(state: &AppState, kind: &str, call: &Call, posted: &Posted) {
    let key = ids::signal_key();
    let frame = |roomdata: &Value| {
        Signal::with_key(&key, kind, &call.caller)
            .field("chat", posted.chat.clone())
            .field("roomdata", roomdata.clone())
            .field("users", Value::Array(posted.users.clone()))
            .field("sender", posted.sender.clone())
            .encode()
    };
    state
        .hub
        .send_to_user(&call.caller, &frame(&posted.roomdata));
    state
        .hub
        .send_to_user(&call.callee, &frame(&posted.roomdata_for_others));
}

fn offer(state: &web::Data<AppState>, origin: &Origin, to: String, frame: Map<String, Value>) {
    if to == origin.user || frame.get("sdp").is_none_or(Value::is_null) {
        return;
    }
    let video = frame.get("video").and_then(Value::as_bool).unwrap_or(false);
    if !state.calls.reserve(&origin.user, origin.sid, &to) {
        tracing::debug!(user = origin.user, "offer dropped: already in a call");
        return;
    }
    let (state, origin) = (state.clone(), origin.clone());
    actix_web::rt::spawn(async move {
        let (caller, callee) = (origin.user.clone(), to.clone());
        // A read first: offers to strangers never take the write lock.
        let (c, t) = (caller.clone(), callee.clone());
        let friends = store::run(&state.pool, move |conn| ops::are_friends(conn, &c, &t)).await;
        let opened = match friends {
            Ok(true) => {
                store::write(&state.pool, move |c| {
                    ops::open(c, &caller, &callee, video, ids::now_ms())
                })
                .await
            }
            Ok(false) => Err(crate::error::ApiError::new(
                crate::error::ErrorCode::FindNotFound,
            )),
            Err(e) => Err(e),
        };
        match opened {
            Ok(opened) => ring(&state, &origin, to, frame, opened),
            Err(e) => {
                state.calls.cancel(&origin.user);
                e.log();
                tracing::debug!(user = origin.user, "offer dropped: {e}");
            }
        }
    });
}

/// The call is stored: tell both users, ring the callee (or tell the caller
/// the callee is offline), then pass on what the caller sent meanwhile.
fn ring(
    state: &web::Data<AppState>,
    origin: &Origin,
    callee: String,
    mut frame: Map<String, Value>,
    opened: ops::Opened,
) {
    let call = Call {
        key: opened.key.clone(),
        caller: origin.user.clone(),
        callee,
        caller_sid: origin.sid,
        callee_sid: None,
        answered_at: None,
        caller_user: opened.caller_user,
        callee_user: opened.callee_user,
    };
    let held = state.calls.open(call.clone());
    message_signal(state, "sendmessage", &call, &opened.posted);
    let caller_live = state
        .hub
        .sessions_of(&call.caller)
        .iter()
        .any(|h| h.sid == origin.sid);
    // A callee with no live socket: the caller hears so at once.
    let callee_offline = caller_live && state.hub.sessions_of(&call.callee).is_empty();
    if callee_offline {
        let notice = Signal::new("calloffline", &call.callee)
            .field("user", call.callee_user.clone())
            .field("callKey", call.key.as_str())
            .encode();
        state.hub.send_to_socket(&call.caller, origin.sid, &notice);
    }
    // Either way (or when the calling socket closed while the call was
    // being stored) the call ends unanswered.
    if !caller_live || callee_offline {
        end(
            state,
            &call.key,
            &call.caller,
            Some(origin.sid),
            Ending::Unrung,
        );
        return;
    }
    frame.insert("callKey".into(), call.key.clone().into());
    let relayed = relay_frame(frame, origin, &call.caller_user);
    state.hub.send_to_user(&call.callee, &relayed);
    end_if_unanswered(state, &call);
    for held in held {
        if let Value::Object(held) = held {
            let kind = held
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            dispatch(state, origin, &kind, held);
        }
    }
}

fn answer(state: &web::Data<AppState>, origin: &Origin, to: &str, frame: Map<String, Value>) {
    let Some(key) = frame.get("callKey").and_then(id_text) else {
        return;
    };
    let now = ids::now_ms();
    let Some(call) = state.calls.answer(&key, &origin.user, origin.sid, to, now) else {
        tracing::debug!(user = origin.user, "answer dropped: no such ringing call");
        return;
    };
    let relayed = relay_frame(frame, origin, &call.callee_user);
    state
        .hub
        .send_to_socket(&call.caller, call.caller_sid, &relayed);
    stop_ringing(state, &call, Some(origin.sid));
    let pool = state.pool.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = store::write(&pool, move |c| ops::answered(c, &key, now)).await {
            tracing::warn!("cannot record an answered call: {e}");
        }
    });
}

/// `candidate`, `reject` and `hangup`: relayed to the other party of the
/// sender's live call with `to`; `reject` and `hangup` then end it.
fn in_call(
    state: &web::Data<AppState>,
    origin: &Origin,
    kind: &str,
    to: &str,
    frame: Map<String, Value>,
) {
    let Some(call) = state.calls.for_socket(&origin.user, origin.sid, to) else {
        let held = state
            .calls
            .hold(&origin.user, origin.sid, to, &Value::Object(frame));
        if !held {
            tracing::debug!(user = origin.user, kind, "call frame dropped: no live call");
        }
        return;
    };
    // A frame naming another call (one that already ended) is late, not for this one.
    let key_matches = frame
        .get("callKey")
        .and_then(id_text)
        .is_none_or(|k| k == call.key);
    if !key_matches || (kind == "reject" && origin.user != call.callee) {
        return;
    }
    let relayed = relay_frame(frame, origin, call.user_object(&origin.user));
    deliver(state, &call.target(to), &relayed);
    let ending = match kind {
        "reject" => Ending::Reject,
        "hangup" => Ending::Hangup,
        _ => return,
    };
    end(state, &call.key, &origin.user, Some(origin.sid), ending);
}

/// Ends `call` after `--call-ring-timeout` if nobody answered it by then.
fn end_if_unanswered(state: &web::Data<AppState>, call: &Call) {
    let secs = state.config.call_ring_timeout;
    if secs == 0 {
        return;
    }
    let (state, key, caller) = (state.clone(), call.key.clone(), call.caller.clone());
    actix_web::rt::spawn(async move {
        actix_web::rt::time::sleep(std::time::Duration::from_secs(secs)).await;
        if let Some(call) = state.calls.take_ringing(&key) {
            finish(&state, call, &caller, None, Ending::Timeout);
        }
    });
}

/// Socket `sid` of `user` closed: the calls it called from or answered end.
pub fn socket_closed(state: &web::Data<AppState>, user: &str, sid: u64) {
    for call in state.calls.take_socket(user, sid) {
        finish(state, call, user, Some(sid), Ending::Closed);
    }
}

/// Ends the live call `key`, ended by `ender` (from socket `ender_sid`).
fn end(state: &web::Data<AppState>, key: &str, ender: &str, ender_sid: Option<u64>, how: Ending) {
    if let Some(call) = state.calls.take(key) {
        finish(state, call, ender, ender_sid, how);
    }
}

/// Rewrites the call message's `duration`, sends `editmessage` to both users
/// and the keyed `hangup` to the other party (a callee's other sockets that
/// were still ringing get one too).
fn finish(
    state: &web::Data<AppState>,
    call: Call,
    ender: &str,
    ender_sid: Option<u64>,
    how: Ending,
) {
    let now = ids::now_ms();
    let duration = ops::duration_of(call.answered_at, how == Ending::Reject, now);
    let (state, ender) = (state.clone(), ender.to_string());
    actix_web::rt::spawn(async move {
        let (key, caller, callee) = (call.key.clone(), call.caller.clone(), call.callee.clone());
        let closed = store::write(&state.pool, move |c| {
            ops::close(c, &key, &caller, &callee, duration, now)
        })
        .await;
        match closed {
            Ok(Some(posted)) => message_signal(&state, "editmessage", &call, &posted),
            Ok(None) => {}
            Err(e) => tracing::warn!("cannot record the end of call {}: {e}", call.key),
        }
        if how != Ending::Unrung {
            let frame = Signal::new("hangup", &ender)
                .field("user", call.user_object(&ender).clone())
                .field("callKey", call.key.as_str())
                .encode();
            deliver(&state, &call.target(call.other(&ender)), &frame);
        }
        if how == Ending::Timeout {
            // The caller's side stops ringing too, as if the callee declined.
            let frame = Signal::new("hangup", &call.callee)
                .field("user", call.callee_user.clone())
                .field("callKey", call.key.as_str())
                .encode();
            deliver(&state, &call.target(&call.caller), &frame);
        }
        if ender == call.callee && call.callee_sid.is_none() {
            stop_ringing(&state, &call, ender_sid);
        }
    });
}

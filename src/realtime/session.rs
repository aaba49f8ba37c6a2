//! The WebSocket session actor: one per socket. It moves frames, answers
//! heartbeats, and tells the hub and the group actors when it comes and goes.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use actix_web::web;
use actix_web_actors::ws;

use super::client_frames::{self, FrameBudget, SocketRooms};
use super::hub::SessionHandle;
use super::registry;
use super::signal::Frame;
use crate::auth::session::SessionRef;
use crate::state::AppState;

/// Largest client message, continuation frames put together.
pub const MAX_CLIENT_MESSAGE: usize = 64 * 1024;

/// Queue length after which a socket counts as too slow and is dropped.
pub const MAILBOX_CAPACITY: usize = 1024;

/// A frame to send to the client.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Push(pub Frame);

/// Close the socket with a reason.
#[derive(Message, Clone, Copy)]
#[rtype(result = "()")]
pub struct CloseSession {
    code: ws::CloseCode,
    reason: &'static str,
}

impl CloseSession {
    /// The server is shutting down.
    pub const SHUTDOWN: Self = Self {
        code: ws::CloseCode::Away,
        reason: "server shutting down",
    };
    /// The client does not read fast enough.
    pub const SLOW: Self = Self {
        code: ws::CloseCode::Policy,
        reason: "too slow",
    };
    /// The client sends frames faster than its budget allows.
    pub const FLOOD: Self = Self {
        code: ws::CloseCode::Policy,
        reason: "too many frames",
    };
    /// The sign-in session of this socket ended (logout or expiry).
    pub const SESSION_ENDED: Self = Self {
        code: ws::CloseCode::Policy,
        reason: "session ended",
    };
    /// The socket could not learn its user's rooms.
    pub const UNAVAILABLE: Self = Self {
        code: ws::CloseCode::Error,
        reason: "try again",
    };
    /// A message (continuation frames included) over the size limit.
    pub const TOO_BIG: Self = Self {
        code: ws::CloseCode::Size,
        reason: "message too big",
    };
}

/// A group actor now counts this socket among its member sessions.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Subscribed(pub String);

/// A group actor no longer counts this socket.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Unsubscribed(pub String);

/// One WebSocket connection of a signed-in user.
pub struct WsSession {
    sid: u64,
    user: String,
    /// The socket id from `isUser` this socket connected with.
    socket_id: String,
    /// The sign-in session this socket belongs to (token hash).
    session: Arc<str>,
    /// When that session ends (ms); the socket closes then.
    session_expires_ms: i64,
    state: web::Data<AppState>,
    last_seen: Instant,
    /// Running group actors this socket is attached to.
    groups: HashSet<String>,
    /// Rooms the user is in (what client frames may name).
    rooms: SocketRooms,
    /// `None` when the rate limit is off.
    budget: Option<FrameBudget>,
    /// A message arriving in continuation frames: (is text, bytes so far).
    partial: Option<(bool, Vec<u8>)>,
    /// Set once the socket is closing: nothing more is sent.
    closing: bool,
}

impl WsSession {
    /// A socket of `user` opened under the sign-in session `session`, with
    /// the socket id `socket_id` from `isUser`.
    pub fn new(
        user: String,
        socket_id: String,
        session: SessionRef,
        state: web::Data<AppState>,
    ) -> Self {
        let sid = state.hub.next_sid();
        Self {
            sid,
            user,
            socket_id,
            session: session.hash.into(),
            session_expires_ms: session.expires_ms,
            budget: state.config.rate_limit.0.map(FrameBudget::new),
            state,
            last_seen: Instant::now(),
            groups: HashSet::new(),
            rooms: SocketRooms::default(),
            partial: None,
            closing: false,
        }
    }

    fn session_handle(&self, ctx: &ws::WebsocketContext<Self>) -> SessionHandle {
        SessionHandle {
            sid: self.sid,
            session: self.session.clone(),
            addr: ctx.address(),
        }
    }

    /// Sends a close frame and stops; nothing is sent after it.
    fn close_with(&mut self, reason: CloseSession, ctx: &mut ws::WebsocketContext<Self>) {
        if !self.closing {
            if reason.reason == CloseSession::SLOW.reason {
                self.state.metrics.slow_sockets_closed.inc();
            } else if reason.reason == CloseSession::FLOOD.reason {
                self.state.metrics.rate_limited.inc();
            }
            self.closing = true;
            ctx.close(Some(ws::CloseReason {
                code: reason.code,
                description: Some(reason.reason.into()),
            }));
        }
        ctx.stop();
    }

    /// Handles one complete client message (a frame or reassembled frames).
    fn client_message(&mut self, text: bool, bytes: &[u8], ctx: &mut ws::WebsocketContext<Self>) {
        if let Some(budget) = &mut self.budget {
            if !budget.take() {
                tracing::debug!(sid = self.sid, "socket floods frames, closing");
                self.close_with(CloseSession::FLOOD, ctx);
                return;
            }
        }
        if !text {
            return;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => client_frames::handle(
                &self.state,
                &self.user,
                self.sid,
                &self.socket_id,
                &self.rooms,
                text,
            ),
            Err(_) => tracing::debug!(sid = self.sid, "ignoring a frame that is not UTF-8"),
        }
    }

    /// Collects continuation frames up to the frame size limit.
    fn continuation(&mut self, item: actix_http::ws::Item, ctx: &mut ws::WebsocketContext<Self>) {
        let (first, last, chunk) = match item {
            actix_http::ws::Item::FirstText(b) => (Some(true), false, b),
            actix_http::ws::Item::FirstBinary(b) => (Some(false), false, b),
            actix_http::ws::Item::Continue(b) => (None, false, b),
            actix_http::ws::Item::Last(b) => (None, true, b),
        };
        if let Some(is_text) = first {
            self.partial = Some((is_text, Vec::new()));
        }
        let Some((is_text, buf)) = self.partial.as_mut() else {
            tracing::debug!(
                sid = self.sid,
                "continuation without a first frame, ignored"
            );
            return;
        };
        if buf.len() + chunk.len() > MAX_CLIENT_MESSAGE {
            self.partial = None;
            self.close_with(CloseSession::TOO_BIG, ctx);
            return;
        }
        buf.extend_from_slice(&chunk);
        if last {
            let is_text = *is_text;
            if let Some((_, whole)) = self.partial.take() {
                self.client_message(is_text, &whole, ctx);
            }
        }
    }

    fn start_heartbeat(&self, ctx: &mut ws::WebsocketContext<Self>) {
        let timeout = self.state.config.ws_timeout();
        ctx.run_interval(self.state.config.ws_ping(), move |act, ctx| {
            if crate::ids::now_ms() >= act.session_expires_ms {
                act.close_with(CloseSession::SESSION_ENDED, ctx);
            } else if act.last_seen.elapsed() > timeout {
                tracing::debug!(sid = act.sid, "socket silent for too long, dropping");
                ctx.stop();
            } else {
                ctx.ping(b"");
            }
        });
    }

    /// Attaches to the running group actors that count this user as a member;
    /// groups whose actors start later take the socket from the hub.
    fn attach_to_groups(&self, ctx: &mut ws::WebsocketContext<Self>) {
        let handle = self.session_handle(ctx);
        for gid in self.state.groups.running_groups_of(&self.user) {
            registry::attach_if_running(&self.state, &gid, &self.user, handle.clone());
        }
    }
}

impl Actor for WsSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(MAILBOX_CAPACITY);
        self.state
            .hub
            .register(&self.user, self.session_handle(ctx));
        self.start_heartbeat(ctx);
        self.attach_to_groups(ctx);
        // `wait` holds back client frames (and group updates) until the
        // user's rooms are known.
        let (state, user) = (self.state.clone(), self.user.clone());
        let load = async move { client_frames::load_rooms(&state, &user).await };
        ctx.wait(load.into_actor(self).map(|res, act, ctx| match res {
            Ok(rooms) => {
                act.rooms.groups.extend(rooms.groups);
                act.rooms.partners.extend(rooms.partners);
            }
            Err(e) => {
                tracing::warn!(sid = act.sid, "socket could not load its rooms: {e}");
                act.close_with(CloseSession::UNAVAILABLE, ctx);
            }
        }));
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        self.state.hub.unregister(&self.user, self.sid);
        super::calls::socket_closed(&self.state, &self.user, self.sid);
        for gid in self.groups.drain() {
            registry::detach(&self.state, &gid, &self.user, self.sid);
        }
    }
}

impl Handler<Push> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Push, ctx: &mut Self::Context) {
        if !self.closing {
            self.state.metrics.signals_delivered.inc();
            ctx.text(msg.0);
        }
    }
}

impl Handler<CloseSession> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: CloseSession, ctx: &mut Self::Context) {
        self.close_with(msg, ctx);
    }
}

impl Handler<Subscribed> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Subscribed, _ctx: &mut Self::Context) {
        self.rooms.groups.insert(msg.0.clone());
        self.groups.insert(msg.0);
    }
}

impl Handler<Unsubscribed> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Unsubscribed, _ctx: &mut Self::Context) {
        self.rooms.groups.remove(&msg.0);
        self.groups.remove(&msg.0);
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for WsSession {
    fn handle(&mut self, item: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_seen = Instant::now();
        match item {
            Ok(ws::Message::Ping(data)) => {
                if self.budget.as_mut().is_some_and(|b| !b.take()) {
                    self.close_with(CloseSession::FLOOD, ctx);
                } else {
                    ctx.pong(&data);
                }
            }
            Ok(ws::Message::Text(text)) => self.client_message(true, text.as_bytes(), ctx),
            Ok(ws::Message::Binary(bytes)) => self.client_message(false, &bytes, ctx),
            Ok(ws::Message::Continuation(item)) => self.continuation(item, ctx),
            Ok(ws::Message::Close(reason)) => {
                self.closing = true;
                ctx.close(reason);
                ctx.stop();
            }
            Ok(ws::Message::Pong(_) | ws::Message::Nop) => {}
            Err(e) => {
                tracing::debug!(sid = self.sid, "protocol error, closing: {e}");
                ctx.stop();
            }
        }
    }
}

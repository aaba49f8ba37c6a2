//! The WebSocket session actor: one per socket. It moves frames, answers
//! heartbeats, and tells the hub and the group actors when it comes and goes.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use actix_web::web;

use super::client_frames::{self, FrameBudget, SocketRooms};
use super::hub::SessionHandle;
use super::registry;
use super::signal::Frame;
use crate::auth::session::SessionRef;
use crate::conn_limit::ConnSlot;
use crate::socket::{code, Incoming, SocketActor, SocketCtx, Upgraded};
use crate::state::AppState;

/// Largest frame a client may send.
pub const MAX_CLIENT_FRAME: u64 = 64 * 1024;

/// Largest client message, continuation frames put together.
pub const MAX_CLIENT_MESSAGE: u64 = 64 * 1024;

/// Mailbox length after which a socket counts as too slow and is dropped.
pub const MAILBOX_CAPACITY: usize = 1024;

/// Frames waiting for the peer after which it counts as too slow.
pub const MAX_QUEUED_FRAMES: usize = 1024;

/// Bytes waiting for the peer after which it counts as too slow.
pub const MAX_QUEUED_BYTES: usize = 32 * 1024 * 1024;

/// The transport limits of a session socket.
pub const LIMITS: crate::socket::Limits = crate::socket::Limits {
    max_frame: MAX_CLIENT_FRAME,
    max_message: MAX_CLIENT_MESSAGE,
    max_queued_frames: MAX_QUEUED_FRAMES,
    max_queued_bytes: MAX_QUEUED_BYTES,
};

/// A frame to send to the client.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Push(pub Frame);

/// Close the socket with a reason.
#[derive(Message, Clone, Copy)]
#[rtype(result = "()")]
pub struct CloseSession {
    code: u16,
    reason: &'static str,
}

impl CloseSession {
    /// The server is shutting down.
    pub const SHUTDOWN: Self = Self {
        code: code::AWAY,
        reason: "server shutting down",
    };
    /// The client does not read fast enough.
    pub const SLOW: Self = Self {
        code: code::POLICY,
        reason: "too slow",
    };
    /// The client sends frames faster than its budget allows.
    pub const FLOOD: Self = Self {
        code: code::POLICY,
        reason: "too many frames",
    };
    /// The sign-in session of this socket ended (logout or expiry).
    pub const SESSION_ENDED: Self = Self {
        code: code::POLICY,
        reason: "session ended",
    };
    /// The socket could not learn its user's rooms.
    pub const UNAVAILABLE: Self = Self {
        code: code::ERROR,
        reason: "try again",
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
    /// Set once the socket is closing: nothing more is sent.
    closing: bool,
    /// This connection's place under the per-address cap.
    _slot: Option<ConnSlot>,
}

/// Runs `session` on an upgraded connection; `slot` is held for the
/// socket's life.
pub fn start(mut session: WsSession, conn: Upgraded<'_>, slot: Option<ConnSlot>) {
    session._slot = slot;
    crate::socket::start(session, conn, LIMITS);
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
            closing: false,
            _slot: None,
        }
    }

    fn session_handle(&self, ctx: &SocketCtx<Self>) -> SessionHandle {
        SessionHandle {
            sid: self.sid,
            session: self.session.clone(),
            addr: ctx.address(),
        }
    }

    /// Sends a close frame and stops; nothing is sent after it.
    fn close_with(&mut self, reason: CloseSession, ctx: &mut SocketCtx<Self>) {
        if !self.closing {
            if reason.reason == CloseSession::SLOW.reason {
                self.state.metrics.slow_sockets_closed.inc();
            } else if reason.reason == CloseSession::FLOOD.reason {
                self.state.metrics.rate_limited.inc();
            }
            self.closing = true;
        }
        ctx.close(reason.code, reason.reason);
    }

    /// Forgets a socket whose peer does not take its frames: no close frame
    /// (it could not be written), the connection is dropped.
    fn drop_slow(&mut self, ctx: &mut SocketCtx<Self>) {
        if !self.closing {
            self.closing = true;
            self.state.metrics.slow_sockets_closed.inc();
        }
        ctx.abort();
    }

    /// Handles one complete client message (a frame or reassembled frames).
    fn client_message(&mut self, text: bool, bytes: &[u8], ctx: &mut SocketCtx<Self>) {
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

    fn start_heartbeat(&self, ctx: &mut SocketCtx<Self>) {
        let timeout = self.state.config.ws_timeout();
        ctx.run_interval(self.state.config.ws_ping(), move |act, ctx| {
            if crate::ids::now_ms() >= act.session_expires_ms {
                act.close_with(CloseSession::SESSION_ENDED, ctx);
            } else if act.last_seen.elapsed() > timeout {
                tracing::debug!(sid = act.sid, "socket silent for too long, dropping");
                ctx.abort();
            } else if ctx.write_stalled_for().is_some_and(|t| t > timeout) {
                tracing::debug!(sid = act.sid, "peer took no bytes for too long, dropping");
                act.drop_slow(ctx);
            } else if !ctx.ping() {
                act.drop_slow(ctx);
            }
        });
    }

    /// Attaches to the running group actors that count this user as a member;
    /// groups whose actors start later take the socket from the hub.
    fn attach_to_groups(&self, ctx: &mut SocketCtx<Self>) {
        let handle = self.session_handle(ctx);
        for gid in self.state.groups.running_groups_of(&self.user) {
            registry::attach_if_running(&self.state, &gid, &self.user, handle.clone());
        }
    }
}

impl Actor for WsSession {
    type Context = SocketCtx<Self>;

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
            if ctx.text(msg.0.into_bytes()) {
                self.state.metrics.signals_delivered.inc();
            } else {
                tracing::warn!(
                    sid = self.sid,
                    "dropping a socket whose peer does not keep up"
                );
                self.drop_slow(ctx);
            }
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

impl SocketActor for WsSession {
    fn message(&mut self, msg: Incoming, ctx: &mut SocketCtx<Self>) {
        self.last_seen = Instant::now();
        match msg {
            Incoming::Ping(data) => {
                if self.budget.as_mut().is_some_and(|b| !b.take()) {
                    self.close_with(CloseSession::FLOOD, ctx);
                } else if !ctx.pong(data) {
                    self.drop_slow(ctx);
                }
            }
            Incoming::Text(bytes) => self.client_message(true, &bytes, ctx),
            Incoming::Binary(bytes) => self.client_message(false, &bytes, ctx),
            Incoming::Close(code) => {
                self.closing = true;
                // Echo the client's code (RFC 6455 5.5.1).
                ctx.close(code.unwrap_or(1000), "");
            }
            Incoming::Pong => {}
        }
    }
}

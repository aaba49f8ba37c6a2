//! The WebSocket session actor: one per socket. It moves frames, answers
//! heartbeats, and tells the hub and the group actors when it comes and goes.

use std::collections::HashSet;
use std::time::Instant;

use actix::prelude::*;
use actix_web::web;
use actix_web_actors::ws;

use super::hub::SessionHandle;
use super::registry;
use super::signal::Frame;
use crate::state::AppState;

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
    state: web::Data<AppState>,
    last_seen: Instant,
    groups: HashSet<String>,
}

impl WsSession {
    pub fn new(user: String, socket_id: String, state: web::Data<AppState>) -> Self {
        let sid = state.hub.next_sid();
        Self {
            sid,
            user,
            socket_id,
            state,
            last_seen: Instant::now(),
            groups: HashSet::new(),
        }
    }

    fn session_handle(&self, ctx: &ws::WebsocketContext<Self>) -> SessionHandle {
        SessionHandle {
            sid: self.sid,
            addr: ctx.address(),
        }
    }

    fn start_heartbeat(&self, ctx: &mut ws::WebsocketContext<Self>) {
        let timeout = self.state.config.ws_timeout();
        ctx.run_interval(self.state.config.ws_ping(), move |act, ctx| {
            if act.last_seen.elapsed() > timeout {
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
        ctx.text(msg.0);
    }
}

impl Handler<CloseSession> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: CloseSession, ctx: &mut Self::Context) {
        ctx.close(Some(ws::CloseReason {
            code: msg.code,
            description: Some(msg.reason.into()),
        }));
        ctx.stop();
    }
}

impl Handler<Subscribed> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Subscribed, _ctx: &mut Self::Context) {
        self.groups.insert(msg.0);
    }
}

impl Handler<Unsubscribed> for WsSession {
    type Result = ();

    fn handle(&mut self, msg: Unsubscribed, _ctx: &mut Self::Context) {
        self.groups.remove(&msg.0);
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for WsSession {
    fn handle(&mut self, item: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_seen = Instant::now();
        match item {
            Ok(ws::Message::Ping(data)) => ctx.pong(&data),
            Ok(ws::Message::Text(text)) => {
                super::client_frames::handle(
                    &self.state,
                    &self.user,
                    self.sid,
                    &self.socket_id,
                    text.as_ref(),
                );
            }
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Ok(
                ws::Message::Pong(_)
                | ws::Message::Binary(_)
                | ws::Message::Continuation(_)
                | ws::Message::Nop,
            ) => {}
            Err(e) => {
                tracing::debug!(sid = self.sid, "protocol error, closing: {e}");
                ctx.stop();
            }
        }
    }
}

//! The global room's actor. Sends, edits and deletes of the global room run
//! one at a time on it, in the order they arrive, and each is fanned out to
//! every other user's live sockets in the order it was stored. The actor runs
//! on an arbiter (thread) of its own: a fan-out to every socket of the server
//! is the heaviest signal there is, and it must not hold up the HTTP workers
//! nor the group actors (kicks, other rooms).

use std::sync::OnceLock;

use actix::prelude::*;
use actix_web::web;
use serde_json::Value;

use super::group_chat::{GroupDelete, GroupEdit, GroupSend};
use super::signal::posted_frame;
use crate::chat::ops::{self, Posted};
use crate::chat::Room;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::files::Obsolete;
use crate::ids;
use crate::state::AppState;

/// The global room's actor and the arbiter it runs on, started on first use.
#[derive(Default)]
pub struct GlobalRoom {
    running: OnceLock<(Arbiter, Addr<GlobalActor>)>,
}

impl std::fmt::Debug for GlobalRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlobalRoom")
            .field("running", &self.running.get().is_some())
            .finish()
    }
}

impl GlobalRoom {
    /// Sends a command to the global room's actor (starting it if needed).
    pub async fn ask<M>(&self, state: &web::Data<AppState>, msg: M) -> Result<Value, ApiError>
    where
        M: Message<Result = Result<Value, ApiError>> + Send + 'static,
        GlobalActor: Handler<M>,
    {
        let addr = self
            .running
            .get_or_init(|| {
                let arbiter = Arbiter::new();
                let st = state.clone();
                let addr = GlobalActor::start_in_arbiter(&arbiter.handle(), move |_| GlobalActor {
                    state: st,
                });
                (arbiter, addr)
            })
            .1
            .clone();
        addr.send(msg).await.map_err(ApiError::internal)?
    }

    /// Stops the actor's arbiter (server shutdown).
    pub fn stop(&self) {
        if let Some((arbiter, _)) = self.running.get() {
            arbiter.stop();
        }
    }
}

/// The actor behind [`GlobalRoom`].
pub struct GlobalActor {
    state: web::Data<AppState>,
}

impl Actor for GlobalActor {
    type Context = Context<Self>;
}

impl GlobalActor {
    /// Writes through the group-commit writer, then (still before the next
    /// command) fans the stored message out as a `kind` signal. Files the
    /// write made obsolete are removed once it committed.
    fn command<W>(
        &mut self,
        kind: &'static str,
        author: String,
        work: W,
    ) -> AtomicResponse<Self, Result<Value, ApiError>>
    where
        W: FnOnce(&mut DbConn) -> Result<(Posted, Obsolete), ApiError> + Send + 'static,
    {
        let writer = self.state.writer.clone();
        let fut = async move { writer.write(work).await };
        AtomicResponse::new(Box::pin(fut.into_actor(self).map(move |res, act, _| {
            let (posted, obsolete) = res?;
            actix::spawn(obsolete.remove());
            if let Some(frame) = posted_frame(kind, &author, &posted) {
                act.state.hub.send_to_all_but(&author, &frame);
            }
            Ok(posted.answer())
        })))
    }
}

/// A signed-in user posts to the global room (the same command as a group's).
impl Handler<GroupSend> for GlobalActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupSend, _ctx: &mut Self::Context) -> Self::Result {
        let user = msg.user.clone();
        self.command("sendmessage", user, move |c| {
            let posted = ops::post(c, &Room::Global, &msg.user, &msg.draft, ids::now_ms(), None)?;
            Ok((posted, Obsolete::default()))
        })
    }
}

/// A user edits their message in the global room.
impl Handler<GroupEdit> for GlobalActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupEdit, _ctx: &mut Self::Context) -> Self::Result {
        let user = msg.user.clone();
        self.command("editmessage", user, move |c| {
            let posted = ops::edit(
                c,
                &Room::Global,
                &msg.user,
                &msg.id,
                msg.text.as_deref(),
                ids::now_ms(),
            )?;
            Ok((posted, Obsolete::default()))
        })
    }
}

/// A user deletes their message in the global room.
impl Handler<GroupDelete> for GlobalActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupDelete, _ctx: &mut Self::Context) -> Self::Result {
        let files = self.state.files.clone();
        let user = msg.user.clone();
        self.command("deletemessage", user, move |c| {
            ops::delete(c, &files, &Room::Global, &msg.user, &msg.id)
        })
    }
}

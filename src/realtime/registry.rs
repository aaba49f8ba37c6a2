//! Group id -> running group actor. Created once per server; actors start on
//! demand, on arbiters of their own, and remove themselves when idle.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use actix_web::web;
use dashmap::DashMap;

use super::group::{Attach, Detach, GroupActor};
use super::group_chat as chat;
use super::group_commands as cmd;
use super::hub::SessionHandle;
use crate::error::ApiError;
use crate::state::AppState;

/// Running group actors, and which of them each user is a member of.
#[derive(Debug, Default)]
pub struct GroupRegistry {
    actors: DashMap<String, Addr<GroupActor>>,
    /// user id -> ids of the running groups that count the user as a member.
    /// Kept by the group actors; read by sockets as they open, so a new
    /// socket reaches its group actors without a database round trip.
    running_of: DashMap<String, Vec<String>>,
    /// The threads group actors run on, apart from the HTTP workers, so a
    /// busy group does not hold up request parsing. Empty: actors start on
    /// the arbiter of whoever asks first.
    arbiters: Vec<ArbiterHandle>,
    /// Owned arbiters, stopped with the server.
    owned: std::sync::Mutex<Vec<Arbiter>>,
}

impl GroupRegistry {
    /// A registry whose actors run on `threads` arbiters of their own.
    /// Call inside the actix system.
    pub fn new(threads: usize) -> Self {
        let owned: Vec<Arbiter> = (0..threads.max(1)).map(|_| Arbiter::new()).collect();
        Self {
            arbiters: owned.iter().map(Arbiter::handle).collect(),
            owned: std::sync::Mutex::new(owned),
            ..Self::default()
        }
    }

    /// How many group actors run now.
    pub fn running_count(&self) -> usize {
        self.actors.len()
    }

    /// Stops the actors' arbiters (server shutdown).
    pub fn stop(&self) {
        for arbiter in self
            .owned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            arbiter.stop();
        }
    }

    /// The arbiter of `gid`: always the same one for a group.
    fn arbiter_of(&self, gid: &str) -> Option<&ArbiterHandle> {
        if self.arbiters.is_empty() {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(gid, &mut hasher);
        let at = std::hash::Hasher::finish(&hasher) as usize % self.arbiters.len();
        self.arbiters.get(at)
    }

    /// Records that running group `gid` counts `user` as a member.
    pub fn note_member(&self, user: &str, gid: &str) {
        let mut groups = self.running_of.entry(user.to_string()).or_default();
        if !groups.iter().any(|g| g == gid) {
            groups.push(gid.to_string());
        }
    }

    /// Records that running group `gid` no longer counts `user`.
    pub fn forget_member(&self, user: &str, gid: &str) {
        if let dashmap::mapref::entry::Entry::Occupied(mut e) =
            self.running_of.entry(user.to_string())
        {
            e.get_mut().retain(|g| g != gid);
            if e.get().is_empty() {
                e.remove();
            }
        }
    }

    /// The running groups that count `user` as a member.
    pub fn running_groups_of(&self, user: &str) -> Vec<String> {
        self.running_of
            .get(user)
            .map(|g| g.clone())
            .unwrap_or_default()
    }

    /// The running actor of `gid`, if any.
    pub fn running(&self, gid: &str) -> Option<Addr<GroupActor>> {
        self.actors.get(gid).map(|a| a.clone())
    }

    /// Removes `gid` if it still maps to `addr` (an actor retiring itself).
    pub fn remove_if_same(&self, gid: &str, addr: &Addr<GroupActor>) {
        self.actors.remove_if(gid, |_, a| a == addr);
    }

    /// Number of running group actors.
    pub fn len(&self) -> usize {
        self.actors.len()
    }

    /// Whether no group actor runs.
    pub fn is_empty(&self) -> bool {
        self.actors.is_empty()
    }
}

/// The actor of `gid`, started on its arbiter if none runs.
pub fn get_or_start(state: &web::Data<AppState>, gid: &str) -> Addr<GroupActor> {
    state
        .groups
        .actors
        .entry(gid.to_string())
        .or_insert_with(|| {
            let actor = GroupActor::new(gid.to_string(), state.clone());
            match state.groups.arbiter_of(gid) {
                Some(arbiter) => GroupActor::start_in_arbiter(arbiter, |_| actor),
                None => actor.start(),
            }
        })
        .clone()
}

/// A command with a mark set once an actor begins handling it: a command
/// that reached no actor (closed mailbox) may be sent again, one that an
/// actor began must never run twice.
pub struct Once<M> {
    msg: M,
    started: Arc<AtomicBool>,
}

impl<M: Message> Message for Once<M> {
    type Result = M::Result;
}

/// `Once<C>` is handled as `C`, once the mark is set.
macro_rules! handled_once {
    ($($command:ty),* $(,)?) => {$(
        impl Handler<Once<$command>> for GroupActor {
            type Result = <GroupActor as Handler<$command>>::Result;

            fn handle(&mut self, once: Once<$command>, ctx: &mut Self::Context) -> Self::Result {
                once.started.store(true, Ordering::Release);
                <Self as Handler<$command>>::handle(self, once.msg, ctx)
            }
        }
    )*};
}

handled_once!(
    cmd::Join,
    cmd::Leave,
    cmd::Kick,
    cmd::Rename,
    cmd::ResetLink,
    cmd::SetImage,
    chat::GroupSend,
    chat::GroupEdit,
    chat::GroupDelete,
    chat::GroupClear,
    chat::GroupRead,
);

/// Most attempts to reach a group's actor: each closed mailbox means an
/// actor retired (idle) as the command arrived, which is rare.
const ATTEMPTS: usize = 8;

/// Sends a command to the group's actor and waits for its answer. A command
/// that found the mailbox of a just-retired actor closed, unhandled, is sent
/// to a fresh actor; a command an actor had begun is never sent again.
pub async fn ask<M, R>(state: &web::Data<AppState>, gid: &str, msg: M) -> Result<R, ApiError>
where
    M: Message<Result = Result<R, ApiError>> + Clone + Send + 'static,
    R: Send + 'static,
    GroupActor: Handler<Once<M>>,
{
    let started = Arc::new(AtomicBool::new(false));
    for _ in 0..ATTEMPTS {
        let addr = get_or_start(state, gid);
        let once = Once {
            msg: msg.clone(),
            started: started.clone(),
        };
        match addr.send(once).await {
            Ok(result) => return result,
            Err(MailboxError::Closed) => {
                state.groups.remove_if_same(gid, &addr);
                if started.load(Ordering::Acquire) {
                    return Err(ApiError::internal(format!(
                        "group actor {gid} stopped during a command"
                    )));
                }
            }
            Err(MailboxError::Timeout) => return Err(ApiError::internal("group actor timed out")),
        }
    }
    Err(ApiError::internal(format!("group actor {gid} unavailable")))
}

/// Tells a running group actor about a member's new socket.
pub fn attach_if_running(
    state: &web::Data<AppState>,
    gid: &str,
    user: &str,
    handle: SessionHandle,
) {
    if let Some(addr) = state.groups.running(gid) {
        addr.do_send(Attach {
            user: user.to_string(),
            handle,
        });
    }
}

/// Tells a running group actor that a socket ended.
pub fn detach(state: &web::Data<AppState>, gid: &str, user: &str, sid: u64) {
    if let Some(addr) = state.groups.running(gid) {
        addr.do_send(Detach {
            user: user.to_string(),
            sid,
        });
    }
}

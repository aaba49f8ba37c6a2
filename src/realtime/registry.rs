//! Group id -> running group actor. Created once per server; actors start on
//! demand and remove themselves when idle.

use actix::prelude::*;
use actix_web::web;
use dashmap::DashMap;

use super::group::{Attach, Detach, GroupActor};
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
}

impl GroupRegistry {
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

/// The actor of `gid`, started on the current arbiter if none runs.
pub fn get_or_start(state: &web::Data<AppState>, gid: &str) -> Addr<GroupActor> {
    state
        .groups
        .actors
        .entry(gid.to_string())
        .or_insert_with(|| GroupActor::new(gid.to_string(), state.clone()).start())
        .clone()
}

/// Sends a command to the group's actor and waits for its answer. A command
/// that reaches an actor which has just retired is sent again to a fresh one.
pub async fn ask<M, R>(state: &web::Data<AppState>, gid: &str, msg: M) -> Result<R, ApiError>
where
    M: Message<Result = Result<R, ApiError>> + Clone + Send + 'static,
    R: Send + 'static,
    GroupActor: Handler<M>,
{
    for _ in 0..4 {
        let addr = get_or_start(state, gid);
        match addr.send(msg.clone()).await {
            Ok(result) => return result,
            Err(MailboxError::Closed) => state.groups.remove_if_same(gid, &addr),
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

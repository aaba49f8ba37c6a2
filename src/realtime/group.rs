//! The group actor: one per active group. It owns the group's membership and
//! the live sessions of its members, runs the group's commands one at a time
//! (see `group_commands`), and fans signals out to the sessions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_web::web;

use super::hub::SessionHandle;
use super::session::{Subscribed, Unsubscribed};
use super::signal::Frame;
use crate::chat::ops::ContextCache;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::files::Obsolete;
use crate::state::AppState;
use crate::store;

/// How often an actor looks for dead sessions and idleness.
const SWEEP_EVERY: Duration = Duration::from_secs(15);
/// An actor with no live session and no command for this long stops.
const IDLE_AFTER: Duration = Duration::from_secs(30);

/// The actor of one group.
pub struct GroupActor {
    pub(super) gid: String,
    pub(super) state: web::Data<AppState>,
    /// False once the group is known not to exist (never created, or disbanded).
    pub(super) exists: bool,
    pub(super) members: HashSet<String>,
    sessions: HashMap<String, Vec<SessionHandle>>,
    last_active: Instant,
    /// Room and user objects of message signals, per author (see `ContextCache`).
    pub(super) contexts: Arc<ContextCache>,
}

/// A member's socket opened.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Attach {
    pub user: String,
    pub handle: SessionHandle,
}

/// A socket closed.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Detach {
    pub user: String,
    pub sid: u64,
}

impl GroupActor {
    pub fn new(gid: String, state: web::Data<AppState>) -> Self {
        Self {
            gid,
            state,
            exists: true,
            members: HashSet::new(),
            sessions: HashMap::new(),
            last_active: Instant::now(),
            contexts: Arc::default(),
        }
    }

    /// Makes `user` a member here: noted in the registry first, then their live
    /// sockets taken from the hub. A socket opening meanwhile either is in
    /// the hub already or finds this group in the registry and attaches.
    pub(super) fn add_member(&mut self, user: &str) {
        self.members.insert(user.to_string());
        self.state.groups.note_member(user, &self.gid);
        for handle in self.state.hub.sessions_of(user) {
            self.add_session(user, handle);
        }
    }

    fn add_session(&mut self, user: &str, handle: SessionHandle) {
        let list = self.sessions.entry(user.to_string()).or_default();
        if !list.iter().any(|h| h.sid == handle.sid) {
            handle.addr.do_send(Subscribed(self.gid.clone()));
            list.push(handle);
        }
    }

    /// Ends `user`'s membership here and forgets their sessions.
    pub(super) fn remove_member(&mut self, user: &str) {
        self.members.remove(user);
        self.state.groups.forget_member(user, &self.gid);
        for handle in self.sessions.remove(user).unwrap_or_default() {
            handle.addr.do_send(Unsubscribed(self.gid.clone()));
        }
    }

    /// Pushes `frame` to every live session of `user`.
    pub(super) fn send_to(&mut self, user: &str, frame: &Frame) {
        if let Some(list) = self.sessions.get_mut(user) {
            list.retain(|h| h.push(frame));
        }
    }

    /// Pushes `frame` to every member's sessions except `except`'s.
    pub(super) fn broadcast(&mut self, frame: &Frame, except: Option<&str>) {
        for (user, list) in self.sessions.iter_mut() {
            if Some(user.as_str()) != except {
                list.retain(|h| h.push(frame));
            }
        }
    }

    /// Stops this actor and takes it out of the registry.
    pub(super) fn retire(&mut self, ctx: &mut Context<Self>) {
        for user in self.members.iter().cloned().collect::<Vec<_>>() {
            self.remove_member(&user);
        }
        self.state.groups.remove_if_same(&self.gid, &ctx.address());
        ctx.stop();
    }

    fn sweep(&mut self, ctx: &mut Context<Self>) {
        self.sessions.retain(|_, list| {
            list.retain(|h| h.addr.connected());
            !list.is_empty()
        });
        if self.sessions.is_empty() && self.last_active.elapsed() > IDLE_AFTER {
            self.retire(ctx);
        }
    }

    /// Runs a command's database work in a write transaction (batched with
    /// other groups' writes, see `db::writer`) on the blocking pool, then
    /// `after` on the actor. No other message of this group is handled in
    /// between, so the group's changes happen one at a time.
    pub(super) fn command<R, T, W, A>(
        &mut self,
        work: W,
        after: A,
    ) -> AtomicResponse<Self, Result<T, ApiError>>
    where
        R: Send + 'static,
        T: 'static,
        W: FnOnce(&mut DbConn) -> Result<R, ApiError> + Send + 'static,
        A: FnOnce(&mut Self, R, &mut Context<Self>) -> T + 'static,
    {
        self.command_files(move |c| Ok((work(c)?, Obsolete::default())), after)
    }

    /// [`Self::command`] for work that makes files obsolete: they are
    /// removed once the write committed, outside the write lock, and kept
    /// when it failed.
    pub(super) fn command_files<R, T, W, A>(
        &mut self,
        work: W,
        after: A,
    ) -> AtomicResponse<Self, Result<T, ApiError>>
    where
        R: Send + 'static,
        T: 'static,
        W: FnOnce(&mut DbConn) -> Result<(R, Obsolete), ApiError> + Send + 'static,
        A: FnOnce(&mut Self, R, &mut Context<Self>) -> T + 'static,
    {
        self.command_checked(work, after, |_, _, _| {})
    }

    /// [`Self::command_files`] that also lets `refused` see a failure.
    pub(super) fn command_checked<R, T, W, A, F>(
        &mut self,
        work: W,
        after: A,
        refused: F,
    ) -> AtomicResponse<Self, Result<T, ApiError>>
    where
        R: Send + 'static,
        T: 'static,
        W: FnOnce(&mut DbConn) -> Result<(R, Obsolete), ApiError> + Send + 'static,
        A: FnOnce(&mut Self, R, &mut Context<Self>) -> T + 'static,
        F: FnOnce(&mut Self, &ApiError, &mut Context<Self>) + 'static,
    {
        self.last_active = Instant::now();
        let writer = self.state.writer.clone();
        let fut = async move {
            let (r, obsolete) = writer.write(work).await?;
            obsolete.remove().await;
            Ok(r)
        };
        AtomicResponse::new(Box::pin(fut.into_actor(self).map(
            move |res: Result<R, ApiError>, act, ctx| {
                match res {
                    Ok(r) => Ok(after(act, r, ctx)),
                    Err(e) => {
                        if e.is_internal() {
                            // The database is the authority: after a failure, whatever
                            // this actor believed about the members is read again.
                            act.resync(ctx);
                        } else {
                            refused(act, &e, ctx);
                        }
                        Err(e)
                    }
                }
            },
        )))
    }

    /// Makes the fan-out index equal the database's members.
    fn set_members(&mut self, exists: bool, members: Vec<String>) {
        self.exists = exists;
        let keep: HashSet<String> = members.into_iter().collect();
        for gone in self.members.difference(&keep).cloned().collect::<Vec<_>>() {
            self.remove_member(&gone);
        }
        for user in keep {
            if !self.members.contains(&user) {
                self.add_member(&user);
            }
        }
    }

    /// Reads the group's members from the database again, before any other
    /// message is handled.
    pub(super) fn resync(&mut self, ctx: &mut Context<Self>) {
        let pool = self.state.pool.clone();
        let gid = self.gid.clone();
        let load = async move {
            store::run(&pool, move |c| {
                let exists = db::groups::find(c, &gid)?.is_some();
                Ok((exists, db::groups::member_ids(c, &gid)?))
            })
            .await
        };
        ctx.wait(load.into_actor(self).map(|res, act, ctx| match res {
            Ok((exists, members)) => act.set_members(exists, members),
            Err(e) => {
                tracing::error!("group {} failed to load: {e}", act.gid);
                act.retire(ctx);
            }
        }));
    }

    /// The group is gone: nobody is reached through it any more. The actor
    /// itself stays until idle, so commands that were already queued get the
    /// database's answer for a missing group rather than a closed mailbox.
    pub(super) fn disbanded(&mut self) {
        self.set_members(false, Vec::new());
    }
}

impl Actor for GroupActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // `wait` holds back every message until the members are loaded.
        self.resync(ctx);
        ctx.run_interval(SWEEP_EVERY, |act, ctx| act.sweep(ctx));
    }
}

impl Handler<Attach> for GroupActor {
    type Result = ();

    fn handle(&mut self, msg: Attach, _ctx: &mut Self::Context) {
        if self.members.contains(&msg.user) {
            self.add_session(&msg.user, msg.handle);
        }
    }
}

impl Handler<Detach> for GroupActor {
    type Result = ();

    fn handle(&mut self, msg: Detach, _ctx: &mut Self::Context) {
        if let Some(list) = self.sessions.get_mut(&msg.user) {
            list.retain(|h| h.sid != msg.sid);
            if list.is_empty() {
                self.sessions.remove(&msg.user);
            }
        }
    }
}

/// Diagnostics: what a running actor holds. Used by tests to compare the
/// fan-out index with the database.
#[derive(Message)]
#[rtype(result = "Snapshot")]
pub struct Inspect;

/// Answer to [`Inspect`].
#[derive(Debug, Clone, MessageResponse)]
pub struct Snapshot {
    /// Whether the actor believes the group exists.
    pub exists: bool,
    /// The members it fans signals out to, sorted.
    pub members: Vec<String>,
    /// Name of the thread the actor runs on.
    pub thread: String,
}

impl Handler<Inspect> for GroupActor {
    type Result = Snapshot;

    fn handle(&mut self, _msg: Inspect, _ctx: &mut Self::Context) -> Snapshot {
        let mut members: Vec<String> = self.members.iter().cloned().collect();
        members.sort();
        Snapshot {
            exists: self.exists,
            members,
            thread: std::thread::current().name().unwrap_or("").to_string(),
        }
    }
}

//! The hub: user id -> that user's live sockets (every tab and device).

use std::sync::atomic::{AtomicU64, Ordering};

use actix::Addr;
use dashmap::DashMap;

use super::session::{CloseSession, Push, WsSession};
use super::signal::Frame;

/// One live socket.
#[derive(Debug, Clone)]
pub struct SessionHandle {
    /// Unique per server run.
    pub sid: u64,
    /// The sign-in session the socket was opened under (token hash).
    pub session: std::sync::Arc<str>,
    pub addr: Addr<WsSession>,
}

impl SessionHandle {
    /// Queues `frame` without waiting. A socket whose queue is full is too slow:
    /// it is told to close and `false` comes back, as for a socket that is gone.
    pub fn push(&self, frame: &Frame) -> bool {
        match self.addr.try_send(Push(frame.clone())) {
            Ok(()) => true,
            Err(actix::prelude::SendError::Full(_)) => {
                tracing::warn!(sid = self.sid, "dropping a socket that cannot keep up");
                self.addr.do_send(CloseSession::SLOW);
                false
            }
            Err(actix::prelude::SendError::Closed(_)) => false,
        }
    }
}

/// Live sockets by user.
#[derive(Debug, Default)]
pub struct Hub {
    users: DashMap<String, Vec<SessionHandle>>,
    next_sid: AtomicU64,
}

impl Hub {
    /// A fresh session id.
    pub fn next_sid(&self) -> u64 {
        self.next_sid.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Adds a live socket of `user`.
    pub fn register(&self, user: &str, handle: SessionHandle) {
        self.users.entry(user.to_string()).or_default().push(handle);
    }

    /// Removes a socket of `user`.
    pub fn unregister(&self, user: &str, sid: u64) {
        if let dashmap::mapref::entry::Entry::Occupied(mut e) = self.users.entry(user.to_string()) {
            e.get_mut().retain(|h| h.sid != sid);
            if e.get().is_empty() {
                e.remove();
            }
        }
    }

    /// The live sockets of `user` (a copy: no lock is held afterwards).
    pub fn sessions_of(&self, user: &str) -> Vec<SessionHandle> {
        self.users.get(user).map(|v| v.clone()).unwrap_or_default()
    }

    /// Whether `user` has at least one live socket.
    pub fn is_online(&self, user: &str) -> bool {
        self.users.get(user).is_some_and(|v| !v.is_empty())
    }

    /// Pushes `frame` to every socket of `user`.
    pub fn send_to_user(&self, user: &str, frame: &Frame) {
        for handle in self.sessions_of(user) {
            if !handle.push(frame) {
                self.unregister(user, handle.sid);
            }
        }
    }

    /// Pushes `frame` to the socket `sid` of `user` only.
    pub fn send_to_socket(&self, user: &str, sid: u64, frame: &Frame) {
        let handle = self.sessions_of(user).into_iter().find(|h| h.sid == sid);
        if let Some(handle) = handle {
            if !handle.push(frame) {
                self.unregister(user, sid);
            }
        }
    }

    /// Pushes `frame` to every live socket except those of `except`; returns
    /// how many sockets took it. The map is only read while pushing (a push
    /// never waits); sockets found gone or too slow are removed afterwards.
    pub fn send_to_all_but(&self, except: &str, frame: &Frame) -> usize {
        let mut delivered = 0;
        let mut gone: Vec<(String, u64)> = Vec::new();
        for entry in self.users.iter() {
            if entry.key() == except {
                continue;
            }
            for handle in entry.value() {
                if handle.push(frame) {
                    delivered += 1;
                } else {
                    gone.push((entry.key().clone(), handle.sid));
                }
            }
        }
        for (user, sid) in gone {
            self.unregister(&user, sid);
        }
        delivered
    }

    /// Closes every socket of `user` opened under the session `session_hash`
    /// (logout) and forgets them at once, so nothing more reaches them.
    pub fn close_session(&self, user: &str, session_hash: &str) {
        let closing: Vec<SessionHandle> = self
            .sessions_of(user)
            .into_iter()
            .filter(|h| &*h.session == session_hash)
            .collect();
        for handle in closing {
            handle.addr.do_send(CloseSession::SESSION_ENDED);
            self.unregister(user, handle.sid);
        }
    }

    /// Number of live sockets of `user`.
    pub fn sockets_of(&self, user: &str) -> usize {
        self.users.get(user).map_or(0, |v| v.len())
    }

    /// Number of live sockets.
    pub fn socket_count(&self) -> usize {
        self.users.iter().map(|e| e.value().len()).sum()
    }

    /// Tells every socket to close (server shutdown).
    pub fn close_all(&self) {
        let all: Vec<SessionHandle> = self.users.iter().flat_map(|e| e.value().clone()).collect();
        for handle in all {
            handle.addr.do_send(CloseSession::SHUTDOWN);
        }
    }
}

//! Socket ids handed out by `isUser`: each belongs to one user and admits that
//! user's WebSocket upgrades until it expires.

use std::time::{Duration, Instant};

use dashmap::DashMap;

use crate::ids;

/// How long an issued socket id admits connections.
pub const SOCKET_ID_TTL: Duration = Duration::from_secs(24 * 3600);

/// Issued socket ids and their owners.
#[derive(Debug, Default)]
pub struct SocketIds {
    issued: DashMap<String, (String, Instant)>,
}

impl SocketIds {
    /// Issues a fresh id for `user`.
    pub fn issue(&self, user: &str) -> String {
        let id = ids::random_hex(16);
        self.issued
            .insert(id.clone(), (user.to_string(), Instant::now()));
        id
    }

    /// Whether `id` was issued to `user` and is still valid.
    pub fn admits(&self, id: &str, user: &str) -> bool {
        self.issued
            .get(id)
            .is_some_and(|e| e.0 == user && e.1.elapsed() < SOCKET_ID_TTL)
    }

    /// Forgets expired ids.
    pub fn prune(&self) {
        self.issued
            .retain(|_, (_, at)| at.elapsed() < SOCKET_ID_TTL);
    }
}

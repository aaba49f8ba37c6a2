//! Web Push notifications (API.md section 10) for users with no live socket:
//! a one-to-one message, a friend request, an accepted friend request.
//!
//! [`notify`] returns at once; delivery runs in a task of its own, at most
//! [`MAX_SENDING`] POSTs at a time across the server.

pub mod deliver;
pub mod subscription;
pub mod vapid;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::web;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::state::AppState;
use vapid::Vapid;

/// Most POSTs to push services in flight at once.
pub const MAX_SENDING: usize = 16;
/// Most notices waiting or being delivered; beyond, new ones are dropped
/// (and logged) rather than piling up in memory.
pub const MAX_PENDING: usize = 10_000;

/// The push side of the server state.
#[derive(Debug)]
pub struct Pusher {
    vapid: Arc<Vapid>,
    permits: Semaphore,
    pending: Arc<AtomicUsize>,
}

impl Pusher {
    /// A pusher signing with `vapid`.
    pub fn new(vapid: Vapid) -> Self {
        Self {
            vapid: Arc::new(vapid),
            permits: Semaphore::new(MAX_SENDING),
            pending: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The VAPID public key handed out as `isUser`'s `publicKey`.
    pub fn public_key(&self) -> &str {
        self.vapid.public_key()
    }
}

/// The payload of a push message: `{ title, text, tag, url }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub title: String,
    pub text: String,
    pub tag: &'static str,
    pub url: String,
}

impl Notice {
    /// A one-to-one message from `sender`.
    pub fn message(sender_id: &str, sender_username: &str) -> Self {
        Self {
            title: format!("@{sender_username}"),
            text: format!("New message from @{sender_username}"),
            tag: "new-message",
            url: format!("/app?chat={sender_id}"),
        }
    }

    /// A new friend request from `sender`.
    pub fn friend_request(sender_id: &str, sender_username: &str) -> Self {
        Self {
            title: "New friend request".into(),
            text: format!("@{sender_username} wants to be your friend"),
            tag: "new-friend-request",
            url: format!("/app?user={sender_id}"),
        }
    }

    /// `accepter` accepted the friend request of the recipient.
    pub fn friend_accepted(accepter_id: &str, accepter_username: &str) -> Self {
        Self {
            title: "Friend request accepted".into(),
            text: format!("@{accepter_username} accepted your friend request"),
            tag: "new-friend-accepted",
            url: format!("/app?user={accepter_id}"),
        }
    }
}

/// Sends `notice` to every subscription of `user` if `user` has no live
/// socket. Never waits: delivery is spawned on the current runtime.
pub fn notify(state: &web::Data<AppState>, user: &str, notice: Notice) {
    if state.hub.is_online(user) {
        return;
    }
    let pending = state.push.pending.clone();
    if pending.fetch_add(1, Ordering::AcqRel) >= MAX_PENDING {
        pending.fetch_sub(1, Ordering::AcqRel);
        tracing::warn!(user, "push: too many notices pending, one dropped");
        return;
    }
    let payload = match serde_json::to_vec(&notice) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            pending.fetch_sub(1, Ordering::AcqRel);
            tracing::error!("push: cannot encode a notice: {e}");
            return;
        }
    };
    let (state, user) = (state.clone(), user.to_string());
    actix_web::rt::spawn(async move {
        deliver::to_user(state, user, payload).await;
        pending.fetch_sub(1, Ordering::AcqRel);
    });
}

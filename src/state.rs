//! Shared server state, built once at start-up and handed to every worker.

use crate::auth::mailer::Mailer;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::session::SessionStore;
use crate::config::Config;
use crate::db::Pool;
use crate::files::FileStore;
use crate::realtime::{hub::Hub, registry::GroupRegistry, socket_ids::SocketIds};

/// Everything handlers and actors share.
pub struct AppState {
    pub config: Config,
    pub pool: Pool,
    /// Group commit for the group actors' writes.
    pub writer: std::sync::Arc<crate::db::writer::Writer>,
    pub sessions: SessionStore,
    /// `None` when the rate limit is off.
    pub limiter: Option<RateLimiter>,
    pub mailer: Mailer,
    pub hub: Hub,
    pub groups: GroupRegistry,
    pub socket_ids: SocketIds,
    /// Prometheus metrics (served when `--metrics-bind` is set).
    pub metrics: crate::metrics::Metrics,
    /// The global room's actor (API.md section 8).
    pub global: crate::realtime::global::GlobalRoom,
    pub files: FileStore,
    /// Web Push: the VAPID key and delivery limits.
    pub push: crate::push::Pusher,
    /// `host:port` handed to clients as `socket.host`.
    pub public_host: String,
    /// Live calls (API.md section 9).
    pub calls: crate::realtime::call_book::CallBook,
    /// `isUser`'s `peer`: the JSON of `--peer-config`, or `null`.
    pub peer: serde_json::Value,
}

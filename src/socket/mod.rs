//! The WebSocket transport: upgraded connections run here, off the HTTP/1
//! dispatcher, each as one task that owns its TCP stream and its actor.
//!
//! - [`frame`]: the RFC 6455 frame header (read before the payload).
//! - [`conn`]: bytes in and out of one connection, with its limits.
//! - [`context`]: the actor context and the task that drives it.

pub mod conn;
pub mod context;
pub mod frame;

pub use conn::{Incoming, Limits};
pub use context::{code, start, SocketActor, SocketCtx, Upgraded};

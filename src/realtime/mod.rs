//! Live connections: WebSocket sessions, the hub of users' sockets, group
//! actors and their registry, and the signal format.

pub mod call_book;
pub mod calls;
pub mod client_frames;
pub mod global;
pub mod group;
pub mod group_chat;
pub mod group_commands;
pub mod hub;
pub mod registry;
pub mod session;
pub mod signal;
pub mod socket_ids;

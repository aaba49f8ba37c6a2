//! kirimin: a realtime chat server speaking the Kirimin API.
//!
//! `server::start` builds everything; `main.rs` only parses flags and waits
//! for a signal. See `docs/ARCHITECTURE.md` for how a request flows.

pub mod accounts;
pub mod auth;
pub mod chat;
pub mod config;
pub mod conn_limit;
pub mod data_dir;
pub mod db;
pub mod error;
pub mod error_catalogue;
pub mod files;
pub mod http;
pub mod ids;
pub mod logging;
pub mod metrics;
pub mod posts;
pub mod push;
pub mod realtime;
pub mod rooms;
pub mod server;
pub mod socket;
pub mod state;
pub mod store;
pub mod text;
pub mod views;

pub use config::Config;
pub use server::{start, RunningServer};

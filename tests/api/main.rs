//! Integration tests: each starts the real server on a real SQLite file (or,
//! with `KIRIMIN_TEST_DATABASE=postgres`, a fresh PostgreSQL database) and
//! talks to it over real HTTP and WebSocket connections.

// Assertions in tests may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;
mod process;

mod accounts;
mod auth;
mod calls;
mod calls_end;
mod chat;
mod chat_signals;
mod global;
mod group_authority;
mod groups;
mod hygiene;
mod kick;
mod limits;
mod metrics;
mod openapi;
mod post_likes;
mod posts;
mod push;
mod push_service;
mod sockets;
mod startup;
mod transport;
mod webclient;
mod websocket;
mod writer_faults;
mod ws_transport;

//! Integration tests: each starts the real server on a real SQLite file and
//! talks to it over real HTTP and WebSocket connections.

mod common;
mod process;

mod accounts;
mod auth;
mod chat;
mod chat_signals;
mod groups;
mod hygiene;
mod kick;
mod limits;
mod sockets;
mod startup;
mod transport;
mod webclient;
mod websocket;

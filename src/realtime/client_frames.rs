//! Client-to-server frames: `{"identifier":"kirimin","type":...}`. Unknown
//! types and malformed frames are ignored; the socket stays up.

use actix_web::web;
use serde::Deserialize;

use crate::state::AppState;

#[derive(Debug, Deserialize)]
struct ClientFrame {
    identifier: String,
    #[serde(rename = "type")]
    kind: String,
}

/// Handles one text frame from `user`.
pub fn handle(_state: &web::Data<AppState>, user: &str, text: &str) {
    let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
        tracing::debug!(user, "ignoring a malformed client frame");
        return;
    };
    if frame.identifier != "kirimin" {
        return;
    }
    tracing::debug!(user, kind = %frame.kind, "ignoring an unknown client frame type");
}

//! Server-to-client signals: `{key, from, type, ...fields}` encoded once per event.

use bytestring::ByteString;
use serde_json::{Map, Value};

use crate::chat::ops::Posted;
use crate::ids;

/// An encoded signal frame. Cloning shares the bytes, so every recipient of
/// one event gets the same buffer.
pub type Frame = ByteString;

/// A signal being built.
#[derive(Debug, Clone)]
pub struct Signal {
    fields: Map<String, Value>,
}

impl Signal {
    /// A signal of `kind` from user `from`, with a fresh key.
    pub fn new(kind: &str, from: &str) -> Self {
        Self::with_key(&ids::signal_key(), kind, from)
    }

    /// A signal sharing `key` with other signals of the same event.
    pub fn with_key(key: &str, kind: &str, from: &str) -> Self {
        let mut fields = Map::new();
        fields.insert("key".into(), key.into());
        fields.insert("from".into(), from.into());
        fields.insert("type".into(), kind.into());
        Self { fields }
    }

    /// Adds a field.
    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// The JSON text of the signal.
    pub fn encode(&self) -> Frame {
        // Serialised from the fields in place: no copy of the values first.
        ByteString::from(serde_json::to_string(&self.fields).unwrap_or_default())
    }
}

/// `{key, from, type, chat, roomdata, users, sender}` of a message signal,
/// borrowed; fields in the order a `Signal` writes them.
#[derive(serde::Serialize)]
struct PostedSignal<'a> {
    chat: &'a Value,
    from: &'a str,
    key: &'a str,
    roomdata: &'a Value,
    sender: &'a Value,
    #[serde(rename = "type")]
    kind: &'a str,
    users: &'a [Value],
}

/// The frame of a message signal (`sendmessage`, `editmessage`,
/// `deletemessage`) as the other members see it, written straight from
/// `posted` without copying its values (the user list is the bulk of it).
/// `None` only if encoding fails, which is logged.
pub fn posted_frame(kind: &str, author: &str, posted: &Posted) -> Option<Frame> {
    let key = ids::signal_key();
    let body = PostedSignal {
        chat: &posted.chat,
        from: author,
        key: &key,
        roomdata: &posted.roomdata_for_others,
        sender: &posted.sender,
        kind,
        users: &posted.users,
    };
    match serde_json::to_string(&body) {
        Ok(text) => Some(text.into()),
        Err(e) => {
            tracing::error!("cannot encode a {kind} signal: {e}");
            None
        }
    }
}

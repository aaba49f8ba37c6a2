//! Server-to-client signals: `{key, from, type, ...fields}` encoded once per event.

use bytestring::ByteString;
use serde_json::{Map, Value};

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

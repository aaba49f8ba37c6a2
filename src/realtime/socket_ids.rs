//! Socket ids handed out by `isUser`: signed and stateless, so they cost no
//! memory and stay valid across restarts and on every node sharing the
//! database (whose `server_secrets` table holds the key).
//!
//! An id is `{user}.{expires_ms}.{nonce}.{mac}`: the MAC (HMAC-SHA256,
//! truncated to 128 bits) covers the user, the sign-in session (its token
//! hash, which the id does not carry), the expiry and a random nonce. It
//! admits that user's WebSocket upgrades under that same session until it
//! expires (24 hours, or the session's end if sooner).

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids;

/// How long an issued socket id admits connections.
pub const SOCKET_ID_TTL: Duration = Duration::from_secs(24 * 3600);
/// Name of the signing key in `server_secrets`.
pub const SECRET_NAME: &str = "socket_id_hmac";
/// Bytes of the MAC kept in an id.
const MAC_BYTES: usize = 16;

/// Issues and checks socket ids with one key.
pub struct SocketIds {
    key: Vec<u8>,
}

impl std::fmt::Debug for SocketIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SocketIds { .. }")
    }
}

impl SocketIds {
    /// Ids signed with `key` (the shared secret).
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    fn mac(&self, user: &str, session: &str, expires: i64, nonce: &str) -> Hmac<Sha256> {
        // Any key length is accepted by HMAC.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(
            format!("kirimin socket id v1\n{user}\n{session}\n{expires}\n{nonce}").as_bytes(),
        );
        mac
    }

    /// A fresh id for `user` under the session `session` (token hash) that
    /// ends at `session_expires_ms`.
    pub fn issue(&self, user: &str, session: &str, session_expires_ms: i64) -> String {
        let expires = (ids::now_ms() + SOCKET_ID_TTL.as_millis() as i64).min(session_expires_ms);
        let nonce = ids::random_hex(8);
        let tag = self
            .mac(user, session, expires, &nonce)
            .finalize()
            .into_bytes();
        format!(
            "{user}.{expires}.{nonce}.{}",
            hex::encode(&tag[..MAC_BYTES])
        )
    }

    /// Whether `id` was issued to `user` under `session` and is still valid.
    pub fn admits(&self, id: &str, user: &str, session: &str) -> bool {
        let mut parts = id.split('.');
        let (Some(owner), Some(expires), Some(nonce), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return false;
        };
        let Ok(expires) = expires.parse::<i64>() else {
            return false;
        };
        let Ok(tag) = hex::decode(tag) else {
            return false;
        };
        owner == user
            && expires > ids::now_ms()
            && tag.len() == MAC_BYTES
            && self
                .mac(user, session, expires, nonce)
                .verify_truncated_left(&tag)
                .is_ok()
    }
}

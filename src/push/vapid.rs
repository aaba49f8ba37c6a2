//! The server's VAPID identity (RFC 8292): one P-256 key pair, made at first
//! start and kept in the database, and the `Authorization` header it signs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use web_push_native::jwt_simple::algorithms::{
    ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair,
};
use web_push_native::jwt_simple::claims::Claims;

use crate::db::{self, DbConn};
use crate::error::ApiError;

/// Name of the key pair's row in `server_keys`.
const KEY_NAME: &str = "vapid";

/// How long a signed VAPID token is valid. RFC 8292 allows at most 24 hours;
/// a fresh token is signed for every message, so half a day is plenty.
const TOKEN_VALID_SECS: u64 = 12 * 3600;

/// The key pair and the contact URI sent to push services.
pub struct Vapid {
    key: ES256KeyPair,
    public_key: String,
    subject: String,
}

impl std::fmt::Debug for Vapid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vapid")
            .field("public_key", &self.public_key)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl Vapid {
    /// Loads the stored key pair, making and storing one on first start.
    /// Blocking: call it on the blocking pool.
    pub fn load_or_create(conn: &mut DbConn, subject: &str) -> Result<Self, String> {
        let stored = match db::push::key(conn, KEY_NAME).map_err(|e| e.to_string())? {
            Some(stored) => stored,
            None => {
                let fresh = URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes());
                db::push::insert_key(conn, KEY_NAME, &fresh, crate::ids::now_ms())
                    .map_err(|e| e.to_string())?;
                // Read back: another node sharing the database may have won.
                db::push::key(conn, KEY_NAME)
                    .map_err(|e| e.to_string())?
                    .ok_or("the VAPID key was not stored")?
            }
        };
        let raw = URL_SAFE_NO_PAD
            .decode(stored.trim())
            .map_err(|e| format!("stored VAPID key is not base64: {e}"))?;
        let key = ES256KeyPair::from_bytes(&raw)
            .map_err(|e| format!("stored VAPID key is not a P-256 key: {e}"))?;
        Ok(Self::new(key, subject))
    }

    fn new(key: ES256KeyPair, subject: &str) -> Self {
        let public_key =
            URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed());
        Self {
            key,
            public_key,
            subject: subject.to_string(),
        }
    }

    /// The public key: the 65-byte uncompressed point, URL-safe base64 without padding.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// `vapid t=<JWT>, k=<public key>` for a push to `endpoint`: an ES256 JWT
    /// with `aud` the endpoint's origin, `sub` the contact URI, `exp` in 12 h.
    pub fn authorization(&self, endpoint: &http::Uri) -> Result<String, ApiError> {
        let claims = Claims::create(std::time::Duration::from_secs(TOKEN_VALID_SECS).into())
            .with_audience(origin(endpoint).ok_or_else(ApiError::bad_request)?)
            .with_subject(&self.subject);
        let token = self.key.sign(claims).map_err(ApiError::internal)?;
        Ok(format!("vapid t={token}, k={}", self.public_key))
    }
}

/// The origin of `uri` (`scheme://host[:port]`, the port only when it is not
/// the scheme's default), as RFC 8292 wants in `aud`.
pub fn origin(uri: &http::Uri) -> Option<String> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    Some(match uri.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_keeps_only_a_non_default_port() {
        let o = |s: &str| origin(&s.parse().unwrap());
        assert_eq!(
            o("https://push.example.com/send/abc").as_deref(),
            Some("https://push.example.com")
        );
        assert_eq!(
            o("https://Push.Example.com:443/x").as_deref(),
            Some("https://push.example.com")
        );
        assert_eq!(
            o("https://push.example.com:8443/x").as_deref(),
            Some("https://push.example.com:8443")
        );
        assert_eq!(
            o("http://127.0.0.1:4000/p").as_deref(),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(
            o("http://[::1]:4000/p").as_deref(),
            Some("http://[::1]:4000")
        );
        assert_eq!(o("/relative"), None);
    }

    #[test]
    fn the_public_key_is_the_uncompressed_point() {
        let vapid = Vapid::new(ES256KeyPair::generate(), "mailto:a@b");
        let raw = URL_SAFE_NO_PAD.decode(vapid.public_key()).unwrap();
        assert_eq!(raw.len(), 65);
        assert_eq!(raw[0], 4);
    }
}

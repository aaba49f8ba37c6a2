//! Checking a subscription sent by a browser (`PushSubscription.toJSON()`).

use std::net::IpAddr;

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::db::push::Subscription;
use crate::error::ApiError;

/// Longest endpoint URL accepted.
const MAX_ENDPOINT_LEN: usize = 2048;
/// Length of the browser's public key: an uncompressed P-256 point.
const P256DH_LEN: usize = 65;
/// Length of the browser's auth secret.
const AUTH_LEN: usize = 16;

/// The subscription as the browser sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionIn {
    endpoint: String,
    #[serde(default, rename = "expirationTime")]
    #[schema(value_type = Option<f64>)]
    expiration_time: Value,
    #[schema(inline)]
    keys: KeysIn,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct KeysIn {
    p256dh: String,
    auth: String,
}

impl SubscriptionIn {
    /// Checks every part and returns the row to store for `user`
    /// (keys re-encoded as URL-safe base64 without padding).
    pub fn validate(self, user: &str, now: i64) -> Result<Subscription, ApiError> {
        let endpoint = self.endpoint.trim();
        check_endpoint(endpoint)?;
        let p256dh = decode(&self.keys.p256dh)?;
        if p256dh.len() != P256DH_LEN
            || web_push_native::p256::PublicKey::from_sec1_bytes(&p256dh).is_err()
        {
            return Err(ApiError::bad_request());
        }
        let auth = decode(&self.keys.auth)?;
        if auth.len() != AUTH_LEN {
            return Err(ApiError::bad_request());
        }
        let expiration_time = match &self.expiration_time {
            Value::Null => None,
            Value::Number(n) => match n.as_f64() {
                Some(ms) if ms.is_finite() && ms >= 0.0 && ms < i64::MAX as f64 => Some(ms as i64),
                _ => return Err(ApiError::bad_request()),
            },
            _ => return Err(ApiError::bad_request()),
        };
        Ok(Subscription {
            user_id: user.to_string(),
            endpoint: endpoint.to_string(),
            p256dh: URL_SAFE_NO_PAD.encode(p256dh),
            auth: URL_SAFE_NO_PAD.encode(auth),
            expiration_time,
            created_at: now,
        })
    }
}

/// The subscription object of the API, as stored.
pub fn to_json(sub: &Subscription) -> Value {
    json!({
        "endpoint": sub.endpoint,
        "expirationTime": sub.expiration_time,
        "keys": { "p256dh": sub.p256dh, "auth": sub.auth },
    })
}

/// URL-safe base64, with or without padding.
fn decode(text: &str) -> Result<Vec<u8>, ApiError> {
    let text = text.trim();
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .map_err(|_| ApiError::bad_request())
}

/// An absolute `https://` URL, or `http://` to a loopback host (tests and
/// local push services), with a host and no user info.
fn check_endpoint(endpoint: &str) -> Result<(), ApiError> {
    if endpoint.is_empty() || endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(ApiError::bad_request());
    }
    let uri: http::Uri = endpoint.parse().map_err(|_| ApiError::bad_request())?;
    let authority = uri.authority().ok_or_else(ApiError::bad_request)?;
    let host = uri.host().unwrap_or("");
    if host.is_empty() || authority.as_str().contains('@') {
        return Err(ApiError::bad_request());
    }
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        _ => Err(ApiError::bad_request()),
    }
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert!(check_endpoint("https://push.example.com/wpush/v2/abc").is_ok());
        assert!(check_endpoint("http://127.0.0.1:9000/p").is_ok());
        assert!(check_endpoint("http://localhost:9000/p").is_ok());
        assert!(check_endpoint("http://[::1]:9000/p").is_ok());
        assert!(check_endpoint("http://push.example.com/p").is_err());
        assert!(check_endpoint("http://10.0.0.1/p").is_err());
        assert!(check_endpoint("ftp://push.example.com/p").is_err());
        assert!(check_endpoint("https://user@push.example.com/p").is_err());
        assert!(check_endpoint("/relative").is_err());
        assert!(check_endpoint("not a url").is_err());
        assert!(check_endpoint("").is_err());
    }
}

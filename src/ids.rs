//! Generated identifiers, tokens and clock readings.

use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A decimal id of 9 digits (no leading zero), as user and group ids are.
pub fn numeric_id() -> String {
    rand::thread_rng()
        .gen_range(100_000_000u32..1_000_000_000)
        .to_string()
}

/// A random alphanumeric string of `len` characters.
pub fn alphanumeric(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill(&mut buf[..]);
    hex::encode(buf)
}

/// A signal key: 32 lowercase hex characters.
pub fn signal_key() -> String {
    random_hex(16)
}

/// SHA-256 of `input` as lowercase hex.
pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// A six-digit one-time code.
pub fn otp_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

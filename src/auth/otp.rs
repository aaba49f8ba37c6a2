//! E-mail one-time codes: issuing (with a per-address send limit) and checking.

use crate::db::login_codes::{self, LoginCode};
use crate::db::{self, users::User, DbConn, Pool};
use crate::error::{ApiError, ErrorCode};
use crate::ids;
use crate::store;

/// How long a code is valid.
pub const CODE_TTL_MS: i64 = 10 * 60 * 1000;
/// Window in which at most [`MAX_SENDS`] codes go to one address.
pub const SEND_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Codes per address per window.
pub const MAX_SENDS: i32 = 3;
/// Wrong tries allowed on one code.
pub const MAX_WRONG_TRIES: i32 = 4;

/// Lower-cases and checks an e-mail address: `400 AUTH_ERR_02` when it is not one.
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let bad = || ApiError::new(ErrorCode::AuthBadEmail);
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || local.len() > 64 || domain.contains('@') || !domain_ok {
        return Err(bad());
    }
    Ok(email)
}

fn code_hash(email: &str, code: &str) -> String {
    ids::sha256_hex(&format!("kirimin-otp:{email}:{code}"))
}

/// Issues a fresh code for `email` and stores its hash. Returns the code.
pub async fn issue(pool: &Pool, email: String) -> Result<String, ApiError> {
    store::write(pool, move |conn| {
        let now = ids::now_ms();
        let previous = login_codes::find(conn, &email)?;
        let (window_start, sent) = match previous {
            Some(p) if now - p.window_start < SEND_WINDOW_MS => {
                if p.sent_in_window >= MAX_SENDS {
                    let wait_s = ((p.window_start + SEND_WINDOW_MS - now) / 1000).max(1) as u64;
                    return Err(ApiError::new(ErrorCode::AuthRateLimit)
                        .with_retry_after(wait_s)
                        .with_data(
                            serde_json::json!({ "timestamp": p.window_start + SEND_WINDOW_MS }),
                        ));
                }
                (p.window_start, p.sent_in_window + 1)
            }
            _ => (now, 1),
        };
        let code = ids::otp_code();
        login_codes::upsert(
            conn,
            &LoginCode {
                code_hash: code_hash(&email, &code),
                email,
                expires_at: now + CODE_TTL_MS,
                wrong_tries: 0,
                window_start,
                sent_in_window: sent,
            },
        )?;
        Ok(code)
    })
    .await
}

enum Check {
    Ok(Box<User>, bool),
    Wrong,
}

/// Checks a code; on success returns the account (created on first sign-in) and whether it is new.
pub async fn verify(pool: &Pool, email: String, code: String) -> Result<(User, bool), ApiError> {
    let outcome = store::write(pool, move |conn| check(conn, &email, &code)).await?;
    match outcome {
        Check::Ok(user, first) => Ok((*user, first)),
        Check::Wrong => Err(ApiError::new(ErrorCode::AuthWrongCode)),
    }
}

fn check(conn: &mut DbConn, email: &str, code: &str) -> Result<Check, ApiError> {
    let now = ids::now_ms();
    let Some(row) = login_codes::find(conn, email)? else {
        return Err(ApiError::new(ErrorCode::AuthWrongCode));
    };
    if row.code_hash.is_empty() {
        return Err(ApiError::new(ErrorCode::AuthWrongCode));
    }
    if row.wrong_tries >= MAX_WRONG_TRIES {
        return Err(ApiError::new(ErrorCode::AuthRateLimit));
    }
    if row.expires_at <= now {
        return Err(ApiError::new(ErrorCode::AuthExpiredCode));
    }
    if row.code_hash != code_hash(email, code) {
        // Returned as a value, not an error, so the counted try is committed.
        login_codes::add_wrong_try(conn, email)?;
        return Ok(Check::Wrong);
    }
    login_codes::consume(conn, email)?;
    let (user, created) = db::users::find_or_create(conn, email)?;
    Ok(Check::Ok(Box::new(user), created))
}

/// The code as clients send it: a string, or a number (zero-padded to six digits).
pub fn code_from_json(value: &serde_json::Value) -> Result<String, ApiError> {
    match value {
        serde_json::Value::String(s) => Ok(s.trim().to_string()),
        serde_json::Value::Number(n) => n
            .as_u64()
            .map(|n| format!("{n:06}"))
            .ok_or_else(ApiError::bad_request),
        _ => Err(ApiError::bad_request()),
    }
}

//! Identity: one-time codes, sessions, the current-user extractor, the rate limit.

pub mod mailer;
pub mod otp;
pub mod rate_limit;
pub mod session;

pub use session::CurrentUser;

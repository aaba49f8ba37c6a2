//! The one API error type and the Kirimin response envelope.
//!
//! Policy: every failure a client can see is an [`ApiError`] naming an entry
//! of the error catalogue ([`ErrorCode`]: HTTP status and `msg`). Internal
//! faults keep their cause, reach the client only as `500 ERROR`, and are
//! logged once with the cause's chain, where the answer is made.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{json, Value};

pub use crate::error_catalogue::ErrorCode;

/// The cause of an internal fault, kept for the log.
pub type Cause = Arc<dyn StdError + Send + Sync>;

/// A failed request: a catalogue entry (status and `msg`), optional `data`,
/// and for internal faults the error that caused it.
#[derive(Debug, Clone)]
pub struct ApiError {
    code: ErrorCode,
    data: Option<Value>,
    retry_after: Option<u64>,
    cause: Option<Cause>,
}

/// Result of an endpoint handler.
pub type ApiResult = Result<HttpResponse, ApiError>;

impl ApiError {
    /// The refusal `code` of the catalogue.
    pub const fn new(code: ErrorCode) -> Self {
        Self {
            code,
            data: None,
            retry_after: None,
            cause: None,
        }
    }

    /// Adds detail under `data`.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Adds a `Retry-After` header (seconds).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// A cooldown refusal: `data.timestamp` is when the action is allowed again (ms).
    pub fn cooldown(code: ErrorCode, allowed_at_ms: i64) -> Self {
        Self::new(code).with_data(json!({ "timestamp": allowed_at_ms }))
    }

    /// An internal fault caused by `cause` (an error, or a description):
    /// the client sees `500 ERROR`; the cause and its sources are logged once,
    /// when the answer is made (or by [`ApiError::log`] where none is).
    pub fn internal(cause: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        let mut err = Self::new(ErrorCode::Internal);
        err.cause = Some(Arc::from(cause.into()));
        err
    }

    /// An internal fault: `context` says what failed, `source` why.
    pub fn internal_from(
        context: &'static str,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::internal(Fault {
            context,
            source: Box::new(source),
        })
    }

    pub const fn bad_request() -> Self {
        Self::new(ErrorCode::BadRequest)
    }

    pub const fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized)
    }

    pub const fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    pub const fn too_large() -> Self {
        Self::new(ErrorCode::ContentTooLarge)
    }

    /// Its catalogue entry.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The contract error string.
    pub fn msg(&self) -> &'static str {
        self.code.msg()
    }

    /// Whether this is an internal fault (`5xx`) rather than a refusal by a rule.
    pub fn is_internal(&self) -> bool {
        self.status().is_server_error()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Logs an internal fault with its whole chain of causes; refusals are
    /// not logged. Called where the error ends: the answer to a request
    /// (`error_response`), or a socket frame or background task that has none.
    pub fn log(&self) {
        if self.is_internal() {
            tracing::error!("internal error: {}", self.cause_chain());
        }
    }

    /// The cause and its sources, `outer: inner: ...`.
    fn cause_chain(&self) -> String {
        let Some(cause) = &self.cause else {
            return String::from("no cause recorded");
        };
        let mut line = cause.to_string();
        let mut next = cause.source();
        while let Some(source) = next {
            line.push_str(": ");
            line.push_str(&source.to_string());
            next = source.source();
        }
        line
    }
}

/// An internal fault with what failed and why.
#[derive(Debug)]
struct Fault {
    context: &'static str,
    source: Box<dyn StdError + Send + Sync>,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.context)
    }
}

impl StdError for Fault {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.source.as_ref())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code.status(), self.code.msg())?;
        if self.cause.is_some() {
            // Where no answer is made, callers log the error's Display.
            write!(f, " ({})", self.cause_chain())?;
        }
        Ok(())
    }
}

impl StdError for ApiError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn StdError + 'static))
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let status = self.status();
        let mut body = json!({ "ok": false, "code": status.as_u16(), "msg": self.msg() });
        if let Some(data) = &self.data {
            body["data"] = data.clone();
        }
        let mut resp = HttpResponse::build(status);
        if let Some(secs) = self.retry_after {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        resp.json(body)
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        Self::internal(e)
    }
}

impl crate::db::WorkError for ApiError {
    fn is_fault(&self) -> bool {
        self.is_internal()
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        Self::from(crate::db::DbError::from(e))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::from(crate::db::DbError::from(e))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        Self::internal_from("file system", e)
    }
}

/// `{"ok":true,"code":200,"msg":"OK"}`.
pub fn ok() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "ok": true, "code": 200, "msg": "OK" }))
}

/// `{"ok":true,"code":200,"msg":"OK","data":...}`.
pub fn ok_data(data: impl Serialize) -> HttpResponse {
    #[derive(Serialize)]
    struct Envelope<T> {
        ok: bool,
        code: u16,
        msg: &'static str,
        data: T,
    }
    HttpResponse::Ok().json(Envelope {
        ok: true,
        code: 200,
        msg: "OK",
        data,
    })
}

/// `{"ok":true,"code":200,"msg":"OK","data":{"text":...}}`, the shape of every setter.
pub fn ok_text(text: impl Serialize) -> HttpResponse {
    ok_data(json!({ "text": text }))
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::{ApiError, ErrorCode};

    #[test]
    fn an_internal_error_keeps_its_cause_and_answers_only_500_error() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "disk says no");
        let err = ApiError::from(io);
        assert_eq!((err.status().as_u16(), err.msg()), (500, "ERROR"));
        let cause = err.source().expect("a cause");
        assert_eq!(cause.to_string(), "file system");
        assert_eq!(
            cause.source().expect("its source").to_string(),
            "disk says no"
        );
        // Where no answer is made, the Display carries the chain into the log.
        assert_eq!(err.to_string(), "500 ERROR (file system: disk says no)");
        let body = actix_web::ResponseError::error_response(&err);
        assert_eq!(body.status().as_u16(), 500);
    }

    #[test]
    fn a_refusal_has_no_cause() {
        let err = ApiError::new(ErrorCode::KickSelf);
        assert!(err.source().is_none());
        assert_eq!(err.to_string(), "400 GRPS_KICK_SELF");
        assert!(!err.is_internal());
    }
}

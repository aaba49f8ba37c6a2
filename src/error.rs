//! The one API error type and the Kirimin response envelope.
//!
//! Policy: every failure a client can see is an [`ApiError`] with the HTTP
//! status and the contract's error string (`msg`). Internal faults are logged
//! here with their details and reach the client only as `500 ERROR`.

use std::fmt;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{json, Value};

/// A failed request: HTTP status, the contract's `msg`, optional `data`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    msg: &'static str,
    data: Option<Value>,
    retry_after: Option<u64>,
}

/// Result of an endpoint handler.
pub type ApiResult = Result<HttpResponse, ApiError>;

impl ApiError {
    /// An error with `status` and the contract error string `msg`.
    pub fn new(status: u16, msg: &'static str) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            msg,
            data: None,
            retry_after: None,
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
    pub fn cooldown(msg: &'static str, allowed_at_ms: i64) -> Self {
        Self::new(429, msg).with_data(json!({ "timestamp": allowed_at_ms }))
    }

    /// An internal fault: details go to the log, the client sees `500 ERROR`.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(500, "ERROR")
    }

    pub fn bad_request() -> Self {
        Self::new(400, "BAD_REQUEST")
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "UNAUTHORIZED")
    }

    pub fn not_found() -> Self {
        Self::new(404, "NOT_FOUND")
    }

    pub fn too_large() -> Self {
        Self::new(413, "CONTENT_TOO_LARGE")
    }

    /// The contract error string.
    pub fn msg(&self) -> &'static str {
        self.msg
    }

    /// Whether this is an internal fault (`5xx`) rather than a refusal by a rule.
    pub fn is_internal(&self) -> bool {
        self.status.is_server_error()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.msg)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({ "ok": false, "code": self.status.as_u16(), "msg": self.msg });
        if let Some(data) = &self.data {
            body["data"] = data.clone();
        }
        let mut resp = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        resp.json(body)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        Self::internal(format!("database: {e}"))
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        Self::internal(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(format!("blocking pool: {e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        Self::internal(format!("io: {e}"))
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

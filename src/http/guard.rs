//! Outer middleware: turns panics into `500 ERROR` and any non-JSON error the
//! framework produced (unknown method, its own extractor errors) into the
//! Kirimin envelope, so clients always get `{ok, code, msg}`.

use std::panic::AssertUnwindSafe;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use futures_util::FutureExt;

use crate::error::ApiError;

/// The contract string for a bare framework status.
fn msg_for(status: StatusCode) -> &'static str {
    msg_for_code(status.as_u16())
}

/// The contract string for a bare status code.
pub fn msg_for_code(code: u16) -> &'static str {
    match code {
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        408 => "REQUEST_TIMEOUT",
        413 => "CONTENT_TOO_LARGE",
        429 => "TO_MANY_REQUEST",
        _ => "ERROR",
    }
}

/// Whether an error response is already meant for its reader: the envelope
/// (JSON) or one of our own HTML pages (the browser's "not found" page; the
/// framework never answers in HTML).
fn is_json_or_page(res: &ServiceResponse<impl MessageBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"))
}

/// Middleware: panics and bare errors become envelopes.
pub async fn envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // The request is not kept here: routing needs it unshared. Errors returned
    // from this middleware are rendered by `ApiError::error_response`.
    let path = req.path().to_string();
    let result = match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result,
        Err(_) => return Err(ApiError::internal(format!("panic while serving {path}")).into()),
    };
    let res = match result {
        Ok(res) => res,
        Err(e) => {
            let status = e.as_response_error().status_code();
            if status.is_server_error() {
                tracing::error!("request to {path} failed: {e}");
            }
            return Err(ApiError::new(status.as_u16(), msg_for(status)).into());
        }
    };
    let status = res.status();
    if (status.is_client_error() || status.is_server_error()) && !is_json_or_page(&res) {
        let err = ApiError::new(status.as_u16(), msg_for(status));
        let (req, _) = res.into_parts();
        return Ok(ServiceResponse::new(req, err.error_response()).map_into_right_body());
    }
    Ok(res.map_into_left_body())
}

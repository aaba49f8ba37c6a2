//! The JSON body extractor: contract errors instead of actix's default text ones.
//!
//! An empty body counts as `{}`; malformed JSON, missing or mistyped fields
//! answer `400 BAD_REQUEST`; a body over the limit answers `413 CONTENT_TOO_LARGE`.
//! The `Content-Type` header is not required, as existing clients vary.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// Limit of plain JSON endpoints (100 KB).
pub const JSON_LIMIT: usize = 100 * 1024;
/// Limit of endpoints that carry a base64 file (10 MB).
pub const FILE_JSON_LIMIT: usize = 10 * 1024 * 1024;
/// A body this many times over its limit is no longer read to the end.
const DRAIN_FACTOR: usize = 4;

/// A JSON request body of at most `LIMIT` bytes.
pub struct Body<T, const LIMIT: usize = JSON_LIMIT>(pub T);

/// A JSON body that may carry a base64 file.
pub type FileBody<T> = Body<T, FILE_JSON_LIMIT>;

impl<T: DeserializeOwned + 'static, const LIMIT: usize> FromRequest for Body<T, LIMIT> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        let timeout = req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .map_or(std::time::Duration::from_secs(60), |s| {
                s.config.request_timeout()
            });
        Box::pin(async move {
            if declared.is_some_and(|n| n > LIMIT * DRAIN_FACTOR) {
                return Err(ApiError::too_large());
            }
            let read = async {
                let mut buf: Vec<u8> = Vec::with_capacity(declared.unwrap_or(0).min(LIMIT));
                let mut seen = 0usize;
                while let Some(chunk) = payload.next().await {
                    let chunk = chunk.map_err(|_| ApiError::bad_request())?;
                    seen += chunk.len();
                    if seen > LIMIT * DRAIN_FACTOR {
                        return Err(ApiError::too_large());
                    }
                    if seen <= LIMIT {
                        buf.extend_from_slice(&chunk);
                    }
                }
                if seen > LIMIT {
                    return Err(ApiError::too_large());
                }
                Ok(buf)
            };
            // A body that trickles in holds a connection: the whole of it
            // must arrive within the request timeout.
            let buf = actix_web::rt::time::timeout(timeout, read)
                .await
                .map_err(|_| ApiError::new(ErrorCode::RequestTimeout))??;
            parse(&buf).map(Body)
        })
    }
}

/// Parses a body, treating an empty one as `{}`. Anything but a JSON object
/// (`[]`, `"x"`, `3`) and any invalid UTF-8, even in a field nobody reads,
/// answers `400 BAD_REQUEST`.
fn parse<T: DeserializeOwned>(buf: &[u8]) -> Result<T, ApiError> {
    let Some(first) = buf.iter().find(|b| !b.is_ascii_whitespace()) else {
        return serde_json::from_slice(b"{}").map_err(|_| ApiError::bad_request());
    };
    if *first != b'{' || std::str::from_utf8(buf).is_err() {
        return Err(ApiError::bad_request());
    }
    serde_json::from_slice(buf).map_err(|_| ApiError::bad_request())
}

/// A request without required fields, for endpoints whose body is `{}`.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct Empty {}

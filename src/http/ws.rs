//! WebSocket admission: `/socket?id=` and `/?id=`. Refused with `401` before
//! the upgrade unless the session cookie is valid and the socket id was issued
//! to that same user.
//!
//! Upgrade requests reach these handlers through [`super::upgrade`], which
//! owns the connection: an admitted request answers `101` carrying an
//! [`Admitted`], and the upgrade service then runs the socket off the HTTP
//! dispatcher. Any other answer is written as it is and the connection closes.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::session::{identity_of, SessionRef};
use crate::error::{ApiError, ErrorCode};
use crate::realtime::session::WsSession;
use crate::state::AppState;

#[derive(Deserialize)]
struct SocketQuery {
    id: Option<String>,
}

/// Marks a request that came in through the upgrade service (the only
/// place that can take the connection over).
#[derive(Debug, Clone, Copy)]
pub struct ViaUpgrade;

/// An admitted socket, carried by the `101` answer to the upgrade service.
pub struct Admitted {
    user: String,
    socket_id: String,
    session: SessionRef,
    state: web::Data<AppState>,
}

impl Admitted {
    /// The session actor of this socket.
    pub fn into_session(self) -> WsSession {
        WsSession::new(self.user, self.socket_id, self.session, self.state)
    }
}

fn wants_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

async fn socket(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let identity = identity_of(&req);
    let (Some(user), Some(session)) = (identity.user, identity.session) else {
        return Err(ApiError::unauthorized());
    };
    let query = web::Query::<SocketQuery>::from_query(req.query_string())
        .map_err(|_| ApiError::unauthorized())?;
    let id = query.id.as_deref().unwrap_or("");
    if !state.socket_ids.admits(id, &user, &session.hash) {
        return Err(ApiError::unauthorized());
    }
    if !wants_upgrade(&req) || req.extensions().get::<ViaUpgrade>().is_none() {
        return Err(ApiError::bad_request());
    }
    if state.hub.sockets_of(&user) as u64 >= state.config.max_sockets_per_user {
        return Err(ApiError::new(ErrorCode::TooManyRequests));
    }
    actix_http::ws::verify_handshake(req.head()).map_err(|_| ApiError::bad_request())?;
    let key = req
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .ok_or_else(ApiError::bad_request)?;
    let accept = actix_http::ws::hash_key(key.as_bytes());
    let accept = header::HeaderValue::from_bytes(&accept).map_err(|_| ApiError::bad_request())?;
    let mut res = HttpResponse::build(StatusCode::SWITCHING_PROTOCOLS)
        .upgrade("websocket")
        .insert_header((header::SEC_WEBSOCKET_ACCEPT, accept))
        .finish();
    res.extensions_mut().insert(Admitted {
        user,
        socket_id: id.to_string(),
        session,
        state,
    });
    Ok(res)
}

/// `/`: a WebSocket upgrade (older clients), otherwise the web client.
async fn root(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if wants_upgrade(&req) || req.query_string().contains("id=") {
        socket(req, state).await
    } else {
        Ok(crate::http::pages::to_app())
    }
}

/// Registers the WebSocket routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/socket", web::get().to(socket))
        .route("/", web::get().to(root));
}

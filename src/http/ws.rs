//! WebSocket admission: `/socket?id=` and `/?id=`. Refused with `401` before
//! the upgrade unless the session cookie is valid and the socket id was issued
//! to that same user.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_web_actors::ws;
use serde::Deserialize;

use crate::auth::session::identity_of;
use crate::error::{ApiError, ErrorCode};
use crate::realtime::session::WsSession;
use crate::state::AppState;

/// Largest frame a client may send.
const MAX_CLIENT_FRAME: usize = 64 * 1024;

#[derive(Deserialize)]
struct SocketQuery {
    id: Option<String>,
}

fn is_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

async fn socket(
    req: HttpRequest,
    stream: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
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
    if !is_upgrade(&req) {
        return Err(ApiError::bad_request());
    }
    if state.hub.sockets_of(&user) as u64 >= state.config.max_sockets_per_user {
        return Err(ApiError::new(ErrorCode::TooManyRequests));
    }
    ws::WsResponseBuilder::new(
        WsSession::new(user, id.to_string(), session, state.clone()),
        &req,
        stream,
    )
    .frame_size(MAX_CLIENT_FRAME)
    .start()
    .map_err(|_| ApiError::bad_request())
}

/// `/`: a WebSocket upgrade (older clients), otherwise the web client.
async fn root(
    req: HttpRequest,
    stream: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if is_upgrade(&req) || req.query_string().contains("id=") {
        socket(req, stream, state).await
    } else {
        Ok(crate::http::pages::to_app())
    }
}

/// Registers the WebSocket routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/socket", web::get().to(socket))
        .route("/", web::get().to(root));
}

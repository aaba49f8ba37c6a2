//! `/x/auth/*`: sign-in by e-mail code, verify, isUser, logout.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::otp;
use crate::auth::session::{self, identity_of, CurrentUser};
use crate::db;
use crate::error::{ok_data, ApiError, ApiResult};
use crate::http::json::Body;
use crate::state::AppState;
use crate::store;
use crate::{rooms, views};

/// `isUser`'s `v`: the data version clients compare across reconnects; it
/// changes only when a deployment changes what clients must reload for.
const DATA_VERSION: u32 = 1;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SignIn {
    #[schema(pattern = r"^[a-z0-9._-]{1,20}@[a-z0-9-]{1,20}\.[a-z]{2,6}$")]
    email: String,
}

async fn sign_in(state: web::Data<AppState>, Body(body): Body<SignIn>) -> ApiResult {
    let email = otp::normalize_email(&body.email)?;
    let code = otp::issue(&state.pool, email.clone()).await?;
    let st = state.clone();
    let (to, c) = (email.clone(), code.clone());
    web::block(move || st.mailer.deliver(&to, &c)).await??;
    let mut data = json!({ "email": email });
    if state.config.dev_expose_otp {
        data["code"] = code.into();
    }
    Ok(ok_data(data))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Verify {
    email: String,
    #[schema(schema_with = crate::http::openapi::string_or_number)]
    code: Value,
}

async fn verify(state: web::Data<AppState>, Body(body): Body<Verify>) -> ApiResult {
    let email = otp::normalize_email(&body.email)?;
    let code = otp::code_from_json(&body.code)?;
    let (user, first) = otp::verify(&state.pool, email, code).await?;
    let days = state.config.session_days;
    let token = state.sessions.create(&state.pool, &user.id, days).await?;
    let data = json!({
        "user": { "id": user.id, "data": { "provider": "kirimin", "email": user.email, "id": user.id } },
        "first": first,
    });
    let mut resp = ok_data(data);
    resp.add_cookie(&session::cookie(&token, days))
        .map_err(ApiError::internal)?;
    Ok(resp)
}

async fn is_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult {
    let session = identity_of(&req)
        .session
        .ok_or_else(ApiError::unauthorized)?;
    let socket_id = state
        .socket_ids
        .issue(&user, &session.hash, session.expires_ms);
    let uid = user.clone();
    let (me, chats) = store::run(&state.pool, move |c| {
        let me = db::users::find(c, &uid)?.ok_or_else(ApiError::unauthorized)?;
        let requesters = db::friends::pending_for(c, &uid)?;
        let req = views::user_objects(c, &uid, &requesters)?;
        let chats = rooms::chats_of(c, &uid)?;
        let me = json!({
            "id": me.id,
            "email": [{ "email": me.email, "provider": "kirimin" }],
            "username": me.username,
            "displayname": me.displayname,
            "image": me.image,
            "bio": me.bio,
            "badges": views::badges(&me.badges),
            "req": req,
        });
        Ok((me, chats))
    })
    .await?;
    Ok(ok_data(json!({
        "me": me,
        "socket": { "id": socket_id, "host": state.public_host },
        "c": chats,
        "publicKey": state.push.public_key(),
        "peer": state.peer,
        "v": DATA_VERSION,
    })))
}

/// Ends the session, if any, and sends the browser to the web client: existing
/// clients call this once as a request and then navigate to it, so a caller
/// that is already signed out gets the same `302`.
async fn logout(req: HttpRequest, state: web::Data<AppState>) -> ApiResult {
    let identity = identity_of(&req);
    if let Some(token) = identity.token {
        state.sessions.destroy(&state.pool, &token).await?;
        // Sockets opened under this session stop receiving anything now.
        if let Some(user) = identity.user {
            state
                .hub
                .close_session(&user, &crate::ids::sha256_hex(&token));
        }
    }
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, "/app"))
        .cookie(session::removal_cookie())
        .finish())
}

/// Registers the auth routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/x/auth/sign-in", web::post().to(sign_in))
        .route("/x/auth/verify", web::post().to(verify))
        .route("/x/auth/isUser", web::get().to(is_user))
        .route("/x/auth/logout", web::get().to(logout));
}

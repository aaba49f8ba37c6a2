//! `/x/profile/*`: user search and friend requests.

use actix_web::web;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::friends::{self, Action};
use crate::auth::CurrentUser;
use crate::db;
use crate::db::friends::{FRIENDS, SENT};
use crate::error::{ok_data, ApiError, ApiResult, ErrorCode};
use crate::http::json::Body;
use crate::ids;
use crate::push::{self, Notice};
use crate::realtime::signal::Signal;
use crate::state::AppState;
use crate::store;
use crate::views;

/// Most users a search returns.
const SEARCH_LIMIT: i64 = 20;

async fn search(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    query: web::Path<String>,
) -> ApiResult {
    let query = query.into_inner();
    let users = store::run(&state.pool, move |c| {
        let found = db::users::search(c, &query, &me, SEARCH_LIMIT)?;
        let ids: Vec<String> = found.into_iter().map(|u| u.id).collect();
        Ok(views::user_objects(c, &me, &ids)?)
    })
    .await?;
    if users.is_empty() {
        return Err(ApiError::new(ErrorCode::FindNotFound));
    }
    Ok(ok_data(json!({ "users": users })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Target {
    #[schema(schema_with = crate::http::openapi::string_or_number)]
    userid: Value,
}

impl Target {
    /// The user id, sent as a string or a number.
    fn id(&self) -> Result<String, ApiError> {
        match &self.userid {
            Value::String(s) => Ok(s.trim().to_string()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(ApiError::bad_request()),
        }
    }
}

async fn act(state: web::Data<AppState>, me: String, target: Target, action: Action) -> ApiResult {
    let other = target.id()?;
    let (m, o) = (me.clone(), other.clone());
    let outcome = store::write(&state.pool, move |c| {
        friends::apply(c, &m, &o, action, ids::now_ms())
    })
    .await?;
    if outcome.changed {
        let frame = Signal::new(action.name(), &me)
            .field("user", outcome.me_for_them.clone())
            .encode();
        state.hub.send_to_user(&other, &frame);
        if let Some(notice) = friend_notice(action, &outcome.user, &me, &outcome.me_for_them) {
            push::notify(&state, &other, notice);
        }
    }
    let mut data = json!({ "user": outcome.user });
    if let Some(room) = outcome.room {
        data["room"] = room;
    }
    Ok(ok_data(data))
}

/// The push notice for the other user after a change: a new request, or
/// their request accepted (by `acceptfriend`, or by asking them back).
fn friend_notice(action: Action, them: &Value, me: &str, me_for_them: &Value) -> Option<Notice> {
    let username = me_for_them["username"].as_str()?;
    let state = them["isFriend"].as_i64()?;
    match (action, i32::try_from(state).ok()?) {
        (Action::Add, SENT) => Some(Notice::friend_request(me, username)),
        (Action::Add | Action::Accept, FRIENDS) => Some(Notice::friend_accepted(me, username)),
        _ => None,
    }
}

async fn add(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(t): Body<Target>,
) -> ApiResult {
    act(state, me, t, Action::Add).await
}

async fn cancel(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(t): Body<Target>,
) -> ApiResult {
    act(state, me, t, Action::Cancel).await
}

async fn accept(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(t): Body<Target>,
) -> ApiResult {
    act(state, me, t, Action::Accept).await
}

async fn ignore(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(t): Body<Target>,
) -> ApiResult {
    act(state, me, t, Action::Ignore).await
}

async fn unfriend(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(t): Body<Target>,
) -> ApiResult {
    act(state, me, t, Action::Unfriend).await
}

/// Registers the profile routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/x/profile/search/{query}", web::get().to(search))
        .route("/x/profile/addfriend", web::post().to(add))
        .route("/x/profile/cancelfriend", web::post().to(cancel))
        .route("/x/profile/acceptfriend", web::post().to(accept))
        .route("/x/profile/ignorefriend", web::post().to(ignore))
        .route("/x/profile/unfriend", web::post().to(unfriend));
}

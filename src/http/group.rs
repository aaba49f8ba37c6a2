//! `/x/group/*`: the HTTP face of groups. Handlers parse and authorise the
//! caller; the group's actor decides and signals.

use actix_web::web;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::chat::global::is_global;
use crate::db;
use crate::error::{ok, ok_data, ok_text, ApiError, ApiResult, ErrorCode};
use crate::files;
use crate::http::json::{Body, Empty, FileBody};
use crate::ids;
use crate::realtime::group_commands::{self as cmd, valid_name};
use crate::realtime::registry::ask;
use crate::state::AppState;
use crate::store;
use crate::views;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Create {
    #[schema(min_length = 1, max_length = 35)]
    name: String,
}

async fn create(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): Body<Create>,
) -> ApiResult {
    let name = valid_name(&body.name)?;
    let limit = state.config.group_own_limit;
    let uid = me.clone();
    let (group, members) = store::write(&state.pool, move |c| {
        if db::groups::count_owned(c, &uid)? >= limit {
            return Err(ApiError::new(ErrorCode::GroupOwnMax));
        }
        let group = db::groups::create(c, &uid, &name, ids::now_ms())?;
        let members = views::user_objects(c, &uid, std::slice::from_ref(&uid))?;
        Ok((group, members))
    })
    .await?;
    Ok(ok_data(json!({
        "roomid": group.id,
        "group": { "m": [], "u": members, "r": views::group_room(&group) },
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct JoinBody {
    link: String,
}

async fn join(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    gid: web::Path<String>,
    Body(body): Body<JoinBody>,
) -> ApiResult {
    if is_global(&gid) {
        return Err(ApiError::new(ErrorCode::InviteNotFound));
    }
    let joined = ask(
        &state,
        &gid,
        cmd::Join {
            user: me.clone(),
            link: body.link,
        },
    )
    .await?;
    Ok(ok_data(json!({
        "r": views::group_room(&joined.group),
        "u": joined.members,
        "m": joined.messages,
    })))
}

async fn leave(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    gid: web::Path<String>,
    _body: Body<Empty>,
) -> ApiResult {
    if is_global(&gid) {
        // Nobody is a member of the global room: leaving it changes nothing.
        return Ok(ok());
    }
    ask(&state, &gid, cmd::Leave { user: me }).await?;
    Ok(ok())
}

async fn kick(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    path: web::Path<(String, String)>,
    _body: Body<Empty>,
) -> ApiResult {
    let (gid, target) = path.into_inner();
    if is_global(&gid) {
        return Err(ApiError::new(ErrorCode::KickNotOwner));
    }
    ask(&state, &gid, cmd::Kick { by: me, target }).await?;
    Ok(ok())
}

/// The global room has no owner: its owner-only endpoints are refused.
fn refuse_global(gid: &str) -> Result<(), ApiError> {
    if is_global(gid) {
        Err(ApiError::new(ErrorCode::OwnerFeature))
    } else {
        Ok(())
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct GroupId {
    id: String,
}

async fn reset_link(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): Body<GroupId>,
) -> ApiResult {
    refuse_global(&body.id)?;
    let link = ask(&state, &body.id, cmd::ResetLink { by: me }).await?;
    Ok(ok_text(link))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Rename {
    id: String,
    #[schema(min_length = 1, max_length = 35)]
    gname: String,
}

async fn set_name(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): Body<Rename>,
) -> ApiResult {
    refuse_global(&body.id)?;
    let name = ask(
        &state,
        &body.id,
        cmd::Rename {
            by: me,
            name: body.gname,
        },
    )
    .await?;
    Ok(ok_text(name))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SetImg {
    id: String,
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    img: String,
}

async fn set_img(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): FileBody<SetImg>,
) -> ApiResult {
    let SetImg { id, img, .. } = body;
    refuse_global(&id)?;
    // Decoded and written before the write (no file I/O under the write
    // lock); removed again if the write fails.
    let store = state.files.clone();
    let (name, path) = web::block(move || {
        let (bytes, kind) = files::decode_image(&img)?;
        let name = files::generated_name(kind.ext());
        let path = store.group_image(&name);
        files::FileStore::write(&path, &bytes)?;
        Ok::<_, ApiError>((name, path))
    })
    .await??;
    let set = ask(&state, &id, cmd::SetImage { by: me, name }).await;
    if set.is_err() {
        files::discard(Some(path)).await;
    }
    Ok(ok_text(set?))
}

/// Registers the group routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/x/group/create", web::post().to(create))
        .route("/x/group/join/{gid}", web::post().to(join))
        .route("/x/group/leave/{gid}", web::post().to(leave))
        .route("/x/group/kick/{gid}/{uid}", web::post().to(kick))
        .route("/x/group/reset-link", web::post().to(reset_link))
        .route("/x/group/set-groupname", web::post().to(set_name))
        .route("/x/group/set-img", web::post().to(set_img));
}

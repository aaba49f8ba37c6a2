//! `/x/account/*`: the caller's own profile.

use actix_web::web;
use serde::Deserialize;

use crate::accounts::profile;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::{ok_text, ApiResult};
use crate::files;
use crate::http::json::{Body, FileBody};
use crate::ids;
use crate::state::AppState;
use crate::store;

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct SetImg {
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
    // Decoded and written before the write (no file I/O under the write
    // lock); the new file goes if the write fails, the old one once it committed.
    let store = state.files.clone();
    let (name, path) = web::block(move || {
        let (bytes, kind) = files::decode_image(&body.img)?;
        profile::stage_image(&store, &bytes, kind)
    })
    .await??;
    let (store, n) = (state.files.clone(), name.clone());
    // Through the group writer, so its failures can be injected in tests.
    let done = state
        .writer
        .write(move |c| {
            let obsolete = profile::set_image(c, &store, &me, &n)?;
            // User objects changed: caches built from them are stale.
            db::bump_epoch();
            Ok(obsolete)
        })
        .await;
    match done {
        Ok(obsolete) => obsolete.remove().await,
        Err(e) => {
            files::discard(Some(path)).await;
            return Err(e);
        }
    }
    Ok(ok_text(name))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Username {
    #[schema(pattern = r"^[A-Za-z0-9_.]{4,20}$")]
    uname: String,
}

async fn set_username(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): Body<Username>,
) -> ApiResult {
    let cooldown = state.config.username_cooldown;
    let name = store::write(&state.pool, move |c| {
        profile::set_username(c, &me, &body.uname, cooldown, ids::now_ms())
    })
    .await?;
    Ok(ok_text(name))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Displayname {
    #[schema(min_length = 1, max_length = 35)]
    dname: String,
}

async fn set_displayname(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): Body<Displayname>,
) -> ApiResult {
    let cooldown = state.config.displayname_cooldown;
    let name = store::write(&state.pool, move |c| {
        profile::set_displayname(c, &me, &body.dname, cooldown, ids::now_ms())
    })
    .await?;
    Ok(ok_text(name))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct Bio {
    #[schema(max_length = 200)]
    bio: String,
}

async fn set_bio(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): Body<Bio>,
) -> ApiResult {
    let cooldown = state.config.bio_cooldown;
    let bio = store::write(&state.pool, move |c| {
        profile::set_bio(c, &me, &body.bio, cooldown, ids::now_ms())
    })
    .await?;
    Ok(ok_text(bio))
}

/// Registers the account routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/x/account/set-img", web::post().to(set_img))
        .route("/x/account/set-username", web::post().to(set_username))
        .route(
            "/x/account/set-displayname",
            web::post().to(set_displayname),
        )
        .route("/x/account/set-bio", web::post().to(set_bio));
}

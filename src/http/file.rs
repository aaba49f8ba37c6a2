//! `/file/...`: stored files, each to those allowed to see it.

use std::path::PathBuf;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::files;
use crate::state::AppState;
use crate::store;

/// Reads a stored file and answers it with its content type.
pub async fn serve(path: PathBuf, name: &str) -> ApiResult {
    let bytes = web::block(move || std::fs::read(path))
        .await?
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ApiError::not_found()
            } else {
                ApiError::internal(e)
            }
        })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, files::content_type(name)))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}

/// Refuses names with separators or `..`.
pub fn checked(name: &str) -> Result<&str, ApiError> {
    if files::is_safe_name(name) {
        Ok(name)
    } else {
        Err(ApiError::bad_request())
    }
}

async fn group_image(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    name: web::Path<String>,
) -> ApiResult {
    let name = checked(&name)?.to_string();
    let n = name.clone();
    let allowed = store::run(&state.pool, move |c| {
        Ok(match db::groups::find_by_image(c, &n)? {
            Some(g) => db::groups::is_member(c, &g.id, &me)?,
            None => false,
        })
    })
    .await?;
    if !allowed {
        return Err(ApiError::not_found());
    }
    serve(state.files.group_image(&name), &name).await
}

async fn user_image(
    state: web::Data<AppState>,
    _me: CurrentUser,
    name: web::Path<String>,
) -> ApiResult {
    let name = checked(&name)?;
    serve(state.files.user_image(name), name).await
}

async fn media(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    path: web::Path<(String, String, String)>,
) -> ApiResult {
    let (roomtype, id, name) = path.into_inner();
    let name = checked(&name)?.to_string();
    let room = crate::chat::Room::parse(&roomtype, &id, &me)?;
    let (r, n) = (room.clone(), name.clone());
    let allowed = store::run(&state.pool, move |c| {
        match crate::http::room::check_access(c, &r, &me) {
            Ok(()) => {}
            // A fault is answered (and logged) as one, not hidden as a 404.
            Err(e) if e.is_internal() => return Err(e),
            Err(_) => return Ok(false),
        }
        Ok(db::messages::has_source(c, &r.key(), &n)?)
    })
    .await?;
    if !allowed {
        return Err(ApiError::not_found());
    }
    serve(room.media_dir(&state.files).join(&name), &name).await
}

/// Registers the file routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/file/group/{name}", web::get().to(group_image))
        .route("/file/user/{name}", web::get().to(user_image))
        .route("/file/media/{roomtype}/{id}/{name}", web::get().to(media));
}

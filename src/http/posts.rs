//! `/x/posts/*` and `/file/post/...`: the public feed, its comments and images.

use actix_web::web;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::db;
use crate::error::{ok, ok_data, ApiError, ApiResult, ErrorCode};
use crate::files::{self, FileStore};
use crate::http::file;
use crate::http::json::{Body, Empty, FileBody};
use crate::ids;
use crate::posts::{self, ops};
use crate::state::AppState;
use crate::store;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FeedQuery {
    /// Only items older than this id.
    before: Option<String>,
    /// The newest this many (1-50); fewer than 1 is a bad request.
    #[param(minimum = 1)]
    limit: Option<i64>,
}

async fn feed(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    query: web::Query<FeedQuery>,
) -> ApiResult {
    let FeedQuery { before, limit } = query.into_inner();
    let limit = limit.unwrap_or(posts::PAGE_MAX);
    if limit < 1 {
        return Err(ApiError::bad_request());
    }
    let limit = limit.min(posts::PAGE_MAX);
    let before = match before.as_deref().filter(|b| !b.is_empty()) {
        Some(raw) => Some(posts::parse_id(raw).ok_or_else(ApiError::bad_request)?),
        None => None,
    };
    let page = store::run(&state.pool, move |c| ops::feed(c, &me, before, limit)).await?;
    Ok(ok_data(page))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NewPost {
    #[serde(default)]
    file: Option<String>,
    /// The client's file name; stored names are generated.
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

/// Removes a stored file off the event loop (after its database change committed).
async fn remove_file(path: std::path::PathBuf) {
    if let Err(e) = web::block(move || FileStore::remove(&path)).await {
        tracing::warn!("file removal not run: {e}");
    }
}

async fn new_post(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    Body(body): FileBody<NewPost>,
) -> ApiResult {
    let data = body
        .file
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| ApiError::new(ErrorCode::PostNoFile))?;
    let (bytes, kind) = web::block(move || files::decode_image(&data)).await??;
    let text = posts::post_text(body.text.as_deref())?;
    let name = files::generated_name(kind.ext());
    let path = state.files.post_image(&name);
    let target = path.clone();
    web::block(move || FileStore::write(&target, &bytes)).await??;
    let now = ids::now_ms();
    let created = store::write(&state.pool, move |c| {
        ops::create(c, &me, &name, text.as_deref(), now)
    })
    .await;
    match created {
        Ok(post) => Ok(ok_data(post)),
        Err(e) => {
            remove_file(path).await;
            Err(e)
        }
    }
}

async fn delete_post(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    id: web::Path<String>,
    Body(_): Body<Empty>,
) -> ApiResult {
    let id = id.into_inner();
    let (id, img) = store::write(&state.pool, move |c| ops::delete(c, &me, &id)).await?;
    remove_file(state.files.post_image(&img)).await;
    Ok(ok_data(json!({ "postid": id.to_string() })))
}

async fn comments(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    id: web::Path<String>,
) -> ApiResult {
    let id = id.into_inner();
    let list = store::run(&state.pool, move |c| ops::comments(c, &me, &id)).await?;
    Ok(ok_data(list))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct NewComment {
    #[schema(min_length = 1, max_length = 300)]
    text: String,
}

async fn add_comment(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    id: web::Path<String>,
    Body(body): Body<NewComment>,
) -> ApiResult {
    let id = id.into_inner();
    let now = ids::now_ms();
    let comment = store::write(&state.pool, move |c| {
        ops::add_comment(c, &me, &id, &body.text, now)
    })
    .await?;
    Ok(ok_data(comment))
}

async fn delete_comment(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    path: web::Path<(String, String)>,
    Body(_): Body<Empty>,
) -> ApiResult {
    let (id, cid) = path.into_inner();
    store::write(&state.pool, move |c| ops::delete_comment(c, &me, &id, &cid)).await?;
    Ok(ok())
}

/// A post's image, to any signed-in user; `404 NOT_FOUND` unless that post has that image.
async fn image(
    state: web::Data<AppState>,
    _me: CurrentUser,
    path: web::Path<(String, String)>,
) -> ApiResult {
    let (id, name) = path.into_inner();
    let name = file::checked(&name)?.to_string();
    let id = posts::parse_id(&id).ok_or_else(ApiError::not_found)?;
    let n = name.clone();
    let exists = store::run(&state.pool, move |c| Ok(db::posts::has_image(c, id, &n)?)).await?;
    if !exists {
        return Err(ApiError::not_found());
    }
    file::serve(state.files.post_image(&name), &name).await
}

/// Registers the post routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/x/posts", web::get().to(feed))
        .route("/x/posts/new-post", web::post().to(new_post))
        .route("/x/posts/delete-post/{id}", web::post().to(delete_post))
        .route("/x/posts/comments/{id}", web::get().to(comments))
        .route("/x/posts/comment/add/{id}", web::post().to(add_comment))
        .route(
            "/x/posts/comment/delete/{id}/{cid}",
            web::post().to(delete_comment),
        )
        .route("/file/post/{id}/{name}", web::get().to(image));
}

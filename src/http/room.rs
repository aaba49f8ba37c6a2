//! `/x/room/*`: sending, editing, deleting, clearing and paging messages.
//! Group chats go through the group's actor; one-to-one chats through `chat::direct`.

use std::sync::Arc;

use actix_web::web;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::chat::draft::{Draft, SendBody};
use crate::chat::{direct, global, ops, Room};
use crate::error::{ok, ok_data, ApiError, ApiResult, ErrorCode};
use crate::files;
use crate::http::json::{Body, Empty, FileBody};
use crate::realtime::group_chat::{GroupClear, GroupDelete, GroupEdit, GroupSend};
use crate::realtime::registry::ask;
use crate::state::AppState;
use crate::store;

/// Default and largest page of `history`.
const PAGE_DEFAULT: i64 = 50;
const PAGE_MAX: i64 = 200;

async fn send_message(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    path: web::Path<(String, String)>,
    Body(body): FileBody<SendBody>,
) -> ApiResult {
    let (roomtype, id) = path.into_inner();
    let room = Room::parse(&roomtype, &id, &me)?;
    let data = if let Some(edit) = body.edit {
        match room {
            Room::Group(gid) => {
                ask(
                    &state,
                    &gid,
                    GroupEdit {
                        user: me,
                        id: edit,
                        text: body.text,
                    },
                )
                .await?
            }
            Room::Global => {
                let edit = GroupEdit {
                    user: me,
                    id: edit,
                    text: body.text,
                };
                state.global.ask(&state, edit).await?
            }
            direct_room => direct::edit(&state, direct_room, edit, body.text).await?,
        }
    } else {
        // Decoding and writing a file are heavy: only then is the blocking
        // pool worth the hop. The file is written before the message is
        // stored (never under the write lock) and removed if it is not.
        let (draft, staged) = if body.filesrc.is_some() {
            let (store, at) = (state.files.clone(), room.clone());
            web::block(move || {
                let mut draft = Draft::from_body(body)?;
                let staged = ops::stage_file(&store, &at, &mut draft)?;
                Ok::<_, ApiError>((draft, staged))
            })
            .await??
        } else {
            (Draft::from_body(body)?, None)
        };
        let sent = match room {
            Room::Group(gid) => {
                ask(
                    &state,
                    &gid,
                    GroupSend {
                        user: me,
                        draft: Arc::new(draft),
                    },
                )
                .await
            }
            Room::Global => {
                let send = GroupSend {
                    user: me,
                    draft: Arc::new(draft),
                };
                state.global.ask(&state, send).await
            }
            direct_room => direct::send(&state, direct_room, draft).await,
        };
        if sent.is_err() {
            files::discard(staged).await;
        }
        sent?
    };
    Ok(ok_data(data))
}

async fn delete_message(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    path: web::Path<(String, String, String)>,
    _body: Body<Empty>,
) -> ApiResult {
    let (roomtype, id, mid) = path.into_inner();
    let data = match Room::parse(&roomtype, &id, &me)? {
        Room::Group(gid) => ask(&state, &gid, GroupDelete { user: me, id: mid }).await?,
        Room::Global => {
            let delete = GroupDelete { user: me, id: mid };
            state.global.ask(&state, delete).await?
        }
        direct_room => direct::delete(&state, direct_room, mid).await?,
    };
    Ok(ok_data(data))
}

async fn clear(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    path: web::Path<(String, String)>,
    _body: Body<Empty>,
) -> ApiResult {
    let (roomtype, id) = path.into_inner();
    match Room::parse(&roomtype, &id, &me)? {
        Room::Group(gid) => ask(&state, &gid, GroupClear { user: me }).await?,
        Room::Global => return Err(ApiError::new(ErrorCode::OwnerFeature)),
        direct_room => direct::clear(&state, direct_room).await?,
    }
    Ok(ok())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryQuery {
    /// Only items older than this id.
    before: Option<String>,
    /// At most this many (1-200); fewer than 1 is a bad request.
    #[param(minimum = 1)]
    limit: Option<i64>,
}

/// Whether `me` may read the chat (kept here for the file routes).
pub use crate::chat::ops::check_access;

/// `get-global`: the global room with its last messages and their authors.
async fn get_global(state: web::Data<AppState>, CurrentUser(me): CurrentUser) -> ApiResult {
    let data = store::run(&state.pool, move |c| global::snapshot(c, &me)).await?;
    Ok(ok_data(data))
}

async fn history(
    state: web::Data<AppState>,
    CurrentUser(me): CurrentUser,
    path: web::Path<(String, String)>,
    query: web::Query<HistoryQuery>,
) -> ApiResult {
    let (roomtype, id) = path.into_inner();
    let room = Room::parse(&roomtype, &id, &me)?;
    let HistoryQuery { before, limit } = query.into_inner();
    let limit = limit.unwrap_or(PAGE_DEFAULT);
    if limit < 1 {
        return Err(ApiError::bad_request());
    }
    let limit = limit.min(PAGE_MAX);
    let before = before.filter(|b| !b.is_empty());
    let messages = store::run(&state.pool, move |c| {
        check_access(c, &room, &me)?;
        ops::page(c, &room, before.as_deref(), limit)
    })
    .await?;
    Ok(ok_data(json!({ "m": messages })))
}

/// Registers the room routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/x/room/sendMessage/{roomtype}/{id}",
        web::post().to(send_message),
    )
    .route(
        "/x/room/delMessage/{roomtype}/{id}/{mid}",
        web::post().to(delete_message),
    )
    .route("/x/room/clear/{roomtype}/{id}", web::post().to(clear))
    .route("/x/room/history/{roomtype}/{id}", web::get().to(history))
    .route("/x/room/get-global", web::get().to(get_global));
}

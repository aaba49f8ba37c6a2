//! `GET /invite/{link}`: the invite preview (JSON) or the web client's invite page.

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use serde_json::json;

use crate::auth::session::identity_of;
use crate::db;
use crate::error::{ok_data, ApiError, ApiResult, ErrorCode};
use crate::state::AppState;
use crate::store;
use crate::views;

/// Whether the client asked for JSON.
fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    link: web::Path<String>,
) -> ApiResult {
    if !wants_json(&req) {
        return Ok(crate::http::pages::invite_page());
    }
    let viewer = identity_of(&req).user;
    let link = link.into_inner();
    let (group, joined, members) = store::run(&state.pool, move |c| {
        let group = db::groups::find_by_link(c, &link)?
            .ok_or_else(|| ApiError::new(ErrorCode::GroupNotFound))?;
        let joined = match &viewer {
            Some(v) => db::groups::is_member(c, &group.id, v)?,
            None => false,
        };
        let members = db::groups::count_members(c, &group.id)?;
        Ok((group, joined, members))
    })
    .await?;
    Ok(ok_data(
        json!({ "group": views::group_room(&group), "joined": joined, "members": members }),
    ))
}

/// Registers the invite route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/invite/{link}", web::get().to(invite));
}

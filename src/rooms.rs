//! The chat list of `isUser` (`data.c`): every room of a user with its members,
//! recent messages and room object. Blocking; call through `db::run`.

use serde_json::{json, Value};

use crate::chat::{ops, Room, RECENT};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::views;

/// Every chat of `user` as `{ u, m, r }`: groups first, then one-to-one chats.
pub fn chats_of(conn: &mut DbConn, user: &str) -> Result<Vec<Value>, ApiError> {
    let groups = db::groups::of_user(conn, user)?;
    let partners = db::direct::partners_of(conn, user)?;
    let mut out = Vec::with_capacity(groups.len() + partners.len());
    for g in &groups {
        let ids = db::groups::member_ids(conn, &g.id)?;
        let members = views::user_objects(conn, user, &ids)?;
        let m = ops::page(conn, &Room::Group(g.id.clone()), None, RECENT)?;
        out.push(json!({ "u": members, "m": m, "r": views::group_room(g) }));
    }
    let others = db::users::find_many(conn, &partners)?;
    for other in partners
        .iter()
        .filter_map(|id| others.iter().find(|u| &u.id == id))
    {
        let u = views::user_objects(conn, user, &[user.to_string(), other.id.clone()])?;
        let room = Room::Direct {
            me: user.to_string(),
            other: other.id.clone(),
        };
        let m = ops::page(conn, &room, None, RECENT)?;
        out.push(json!({ "u": u, "m": m, "r": views::direct_room(other) }));
    }
    Ok(out)
}

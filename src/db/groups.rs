//! Queries on `chat_groups` and `group_members`.

use diesel::prelude::*;

use super::schema::{chat_groups, group_members};
use super::{is_unique_violation, DbConn};
use crate::ids;

/// One group row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = chat_groups)]
pub struct Group {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    pub image: Option<String>,
    pub link: String,
    pub created_at: i64,
    pub renamed_at: Option<i64>,
}

/// Length of generated invite links.
pub const LINK_LEN: usize = 16;

/// The group with this id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Group>> {
    chat_groups::table
        .find(id)
        .select(Group::as_select())
        .first(conn)
        .optional()
}

/// The group whose current invite link is `link`.
pub fn find_by_link(conn: &mut DbConn, link: &str) -> QueryResult<Option<Group>> {
    chat_groups::table
        .filter(chat_groups::link.eq(link))
        .select(Group::as_select())
        .first(conn)
        .optional()
}

/// The group whose image file is `name`.
pub fn find_by_image(conn: &mut DbConn, name: &str) -> QueryResult<Option<Group>> {
    chat_groups::table
        .filter(chat_groups::image.eq(name))
        .select(Group::as_select())
        .first(conn)
        .optional()
}

/// How many groups `owner` owns.
pub fn count_owned(conn: &mut DbConn, owner: &str) -> QueryResult<i64> {
    chat_groups::table
        .filter(chat_groups::owner_id.eq(owner))
        .count()
        .get_result(conn)
}

/// Creates a group owned (and joined) by `owner`.
pub fn create(conn: &mut DbConn, owner: &str, name: &str, now: i64) -> QueryResult<Group> {
    let mut last_err = None;
    for _ in 0..8 {
        let id = ids::numeric_id();
        let inserted = super::recoverable(conn, |c| {
            diesel::insert_into(chat_groups::table)
                .values((
                    chat_groups::id.eq(&id),
                    chat_groups::owner_id.eq(owner),
                    chat_groups::name.eq(name),
                    chat_groups::link.eq(ids::alphanumeric(LINK_LEN)),
                    chat_groups::created_at.eq(now),
                ))
                .execute(c)
        });
        match inserted {
            Ok(_) => {
                add_member(conn, &id, owner, now)?;
                return find(conn, &id)?.ok_or(diesel::result::Error::NotFound);
            }
            Err(e) if is_unique_violation(&e) => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or(diesel::result::Error::NotFound))
}

/// Ids of the members of a group, in joining order.
pub fn member_ids(conn: &mut DbConn, group: &str) -> QueryResult<Vec<String>> {
    group_members::table
        .filter(group_members::group_id.eq(group))
        .order((group_members::joined_at.asc(), group_members::user_id.asc()))
        .select(group_members::user_id)
        .load(conn)
}

/// Whether `user` is a member of `group`.
pub fn is_member(conn: &mut DbConn, group: &str, user: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        group_members::table.find((group, user)),
    ))
    .get_result(conn)
}

/// How many members a group has.
pub fn count_members(conn: &mut DbConn, group: &str) -> QueryResult<i64> {
    group_members::table
        .filter(group_members::group_id.eq(group))
        .count()
        .get_result(conn)
}

/// Adds a member.
pub fn add_member(conn: &mut DbConn, group: &str, user: &str, now: i64) -> QueryResult<()> {
    diesel::insert_into(group_members::table)
        .values((
            group_members::group_id.eq(group),
            group_members::user_id.eq(user),
            group_members::joined_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Removes a member; returns whether a row was removed.
pub fn remove_member(conn: &mut DbConn, group: &str, user: &str) -> QueryResult<bool> {
    diesel::delete(group_members::table.find((group, user)))
        .execute(conn)
        .map(|n| n > 0)
}

/// Deletes a group with its memberships.
pub fn delete(conn: &mut DbConn, group: &str) -> QueryResult<()> {
    diesel::delete(group_members::table.filter(group_members::group_id.eq(group))).execute(conn)?;
    diesel::delete(chat_groups::table.find(group))
        .execute(conn)
        .map(|_| ())
}

/// Replaces the invite link.
pub fn set_link(conn: &mut DbConn, group: &str, link: &str) -> QueryResult<()> {
    diesel::update(chat_groups::table.find(group))
        .set(chat_groups::link.eq(link))
        .execute(conn)
        .map(|_| ())
}

/// Renames a group and records when.
pub fn set_name(conn: &mut DbConn, group: &str, name: &str, now: i64) -> QueryResult<()> {
    diesel::update(chat_groups::table.find(group))
        .set((chat_groups::name.eq(name), chat_groups::renamed_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Sets the image file name.
pub fn set_image(conn: &mut DbConn, group: &str, image: &str) -> QueryResult<()> {
    diesel::update(chat_groups::table.find(group))
        .set(chat_groups::image.eq(image))
        .execute(conn)
        .map(|_| ())
}

/// The groups `user` is a member of.
pub fn of_user(conn: &mut DbConn, user: &str) -> QueryResult<Vec<Group>> {
    group_members::table
        .inner_join(chat_groups::table)
        .filter(group_members::user_id.eq(user))
        .order(group_members::joined_at.asc())
        .select(Group::as_select())
        .load(conn)
}

/// Ids of the groups `user` is a member of.
pub fn ids_of_user(conn: &mut DbConn, user: &str) -> QueryResult<Vec<String>> {
    group_members::table
        .filter(group_members::user_id.eq(user))
        .select(group_members::group_id)
        .load(conn)
}

//! Queries on `users`.

use diesel::prelude::*;

use super::schema::users;
use super::{is_unique_violation, DbConn};
use crate::ids;

/// One account row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub username: String,
    pub username_lower: String,
    pub displayname: String,
    pub bio: Option<String>,
    pub image: Option<String>,
    pub badges: String,
    pub created_at: i64,
    pub username_changed_at: Option<i64>,
    pub displayname_changed_at: Option<i64>,
    pub bio_changed_at: Option<i64>,
}

/// The account with this id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The accounts with these ids, in no particular order.
pub fn find_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select(User::as_select())
        .load(conn)
}

/// The account of this e-mail address.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The account of `email`, created when missing. The flag says whether it was created.
pub fn find_or_create(conn: &mut DbConn, email: &str) -> QueryResult<(User, bool)> {
    if let Some(user) = find_by_email(conn, email)? {
        return Ok((user, false));
    }
    let mut last_err = None;
    for _ in 0..8 {
        let id = ids::numeric_id();
        let username = format!("u{id}");
        let inserted = diesel::insert_into(users::table)
            .values((
                users::id.eq(&id),
                users::email.eq(email),
                users::username.eq(&username),
                users::username_lower.eq(&username),
                users::displayname.eq(format!("User {id}")),
                users::created_at.eq(ids::now_ms()),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => {
                return find(conn, &id)?
                    .map(|u| (u, true))
                    .ok_or(diesel::result::Error::NotFound)
            }
            Err(e) if is_unique_violation(&e) => {
                // Either the id collided (try another) or the address was just registered.
                if let Some(user) = find_by_email(conn, email)? {
                    return Ok((user, false));
                }
                last_err = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or(diesel::result::Error::NotFound))
}

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
        let inserted = super::recoverable(conn, |c| {
            diesel::insert_into(users::table)
                .values((
                    users::id.eq(&id),
                    users::email.eq(email),
                    users::username.eq(&username),
                    users::username_lower.eq(&username),
                    users::displayname.eq(format!("User {id}")),
                    users::created_at.eq(ids::now_ms()),
                ))
                .execute(c)
        });
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

/// Sets a user's username (and its lower-case twin), recording when.
pub fn set_username(conn: &mut DbConn, id: &str, username: &str, now: i64) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::username.eq(username),
            users::username_lower.eq(username.to_lowercase()),
            users::username_changed_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Sets the display name, recording when.
pub fn set_displayname(conn: &mut DbConn, id: &str, name: &str, now: i64) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::displayname.eq(name),
            users::displayname_changed_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Sets the bio (`None` clears it), recording when.
pub fn set_bio(conn: &mut DbConn, id: &str, bio: Option<&str>, now: i64) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::bio.eq(bio), users::bio_changed_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Sets the profile picture's file name.
pub fn set_image(conn: &mut DbConn, id: &str, image: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::image.eq(image))
        .execute(conn)
        .map(|_| ())
}

/// Whether another account holds `username` (case-insensitively).
pub fn username_taken(conn: &mut DbConn, username: &str, except: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(
            users::username_lower
                .eq(username.to_lowercase())
                .and(users::id.ne(except)),
        ),
    ))
    .get_result(conn)
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

/// Up to `limit` accounts whose id is `query` or whose username contains it
/// (case-insensitive), never `caller`. Substrings of three or more characters
/// use the trigram index; shorter ones stop at the first `limit` matches.
pub fn search(conn: &mut DbConn, query: &str, caller: &str, limit: i64) -> QueryResult<Vec<User>> {
    let q = query.trim().to_lowercase();
    let mut ids: Vec<String> = Vec::new();
    if q.chars().all(|c| c.is_ascii_digit()) && !q.is_empty() && q != caller {
        if let Some(u) = find(conn, &q)? {
            ids.push(u.id);
        }
    }
    let searchable = !q.is_empty()
        && q.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if searchable {
        let long = q.chars().count() >= 3;
        // SQLite's trigram index answers MATCH; PostgreSQL's (pg_trgm) serves
        // the LIKE below, in the same order.
        let rows: Vec<IdRow> = if long && matches!(conn, DbConn::Sqlite(_)) {
            diesel::sql_query(
                "SELECT users.id AS id FROM user_search JOIN users ON users.rowid = user_search.rowid \
                 WHERE user_search MATCH ? AND users.id <> ? ORDER BY length(users.username_lower), users.username_lower LIMIT ?",
            )
            .bind::<diesel::sql_types::Text, _>(format!("\"{q}\""))
            .bind::<diesel::sql_types::Text, _>(caller)
            .bind::<diesel::sql_types::BigInt, _>(limit + 1)
            .load(conn)?
        } else {
            let pattern = format!("%{}%", q.replace('_', "\\_"));
            let mut matching = users::table
                .filter(
                    users::username_lower
                        .like(pattern)
                        .escape('\\')
                        .and(users::id.ne(caller)),
                )
                .select(users::id)
                .into_boxed();
            if long {
                matching = matching.order((
                    diesel::dsl::sql::<diesel::sql_types::Integer>("length(username_lower)"),
                    users::username_lower,
                ));
            }
            matching
                .limit(limit + 1)
                .load::<String>(conn)?
                .into_iter()
                .map(|id| IdRow { id })
                .collect()
        };
        for row in rows {
            if !ids.contains(&row.id) {
                ids.push(row.id);
            }
        }
    }
    ids.truncate(limit as usize);
    let found = find_many(conn, &ids)?;
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|u| &u.id == id).cloned())
        .collect())
}

//! Queries on `login_codes`: the pending one-time code of each address.

use diesel::prelude::*;

use super::schema::login_codes;
use super::DbConn;

/// The pending code of one address.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_codes)]
pub struct LoginCode {
    pub email: String,
    pub code_hash: String,
    pub expires_at: i64,
    pub wrong_tries: i32,
    pub window_start: i64,
    pub sent_in_window: i32,
}

/// The pending code of `email`.
pub fn find(conn: &mut DbConn, email: &str) -> QueryResult<Option<LoginCode>> {
    login_codes::table
        .find(email)
        .select(LoginCode::as_select())
        .first(conn)
        .optional()
}

/// Stores (or replaces) the pending code of an address.
pub fn upsert(conn: &mut DbConn, code: &LoginCode) -> QueryResult<()> {
    use diesel::upsert::excluded;
    super::each_backend!(
        conn,
        c,
        diesel::insert_into(login_codes::table)
            .values((
                login_codes::email.eq(&code.email),
                login_codes::code_hash.eq(&code.code_hash),
                login_codes::expires_at.eq(code.expires_at),
                login_codes::wrong_tries.eq(code.wrong_tries),
                login_codes::window_start.eq(code.window_start),
                login_codes::sent_in_window.eq(code.sent_in_window),
            ))
            .on_conflict(login_codes::email)
            .do_update()
            .set((
                login_codes::code_hash.eq(excluded(login_codes::code_hash)),
                login_codes::expires_at.eq(excluded(login_codes::expires_at)),
                login_codes::wrong_tries.eq(excluded(login_codes::wrong_tries)),
                login_codes::window_start.eq(excluded(login_codes::window_start)),
                login_codes::sent_in_window.eq(excluded(login_codes::sent_in_window)),
            ))
            .execute(c)
    )
    .map(|_| ())
}

/// Counts one more wrong try on the code of `email`.
pub fn add_wrong_try(conn: &mut DbConn, email: &str) -> QueryResult<()> {
    diesel::update(login_codes::table.find(email))
        .set(login_codes::wrong_tries.eq(login_codes::wrong_tries + 1))
        .execute(conn)
        .map(|_| ())
}

/// Makes the code of `email` unusable after a successful sign-in, keeping the send window.
pub fn consume(conn: &mut DbConn, email: &str) -> QueryResult<()> {
    diesel::update(login_codes::table.find(email))
        .set((login_codes::code_hash.eq(""), login_codes::expires_at.eq(0)))
        .execute(conn)
        .map(|_| ())
}

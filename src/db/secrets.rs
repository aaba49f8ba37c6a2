//! Queries on `server_secrets`: keys every node sharing the database uses.

use diesel::prelude::*;

use super::schema::server_secrets;
use super::DbConn;

/// The secret `name`, created with `fresh` when it does not exist yet (the
/// first node to start wins; the others read its value).
pub fn get_or_create(conn: &mut DbConn, name: &str, fresh: &str) -> QueryResult<String> {
    super::each_backend!(
        conn,
        c,
        diesel::insert_into(server_secrets::table)
            .values((
                server_secrets::name.eq(name),
                server_secrets::value.eq(fresh),
            ))
            .on_conflict_do_nothing()
            .execute(c)
    )?;
    server_secrets::table
        .find(name)
        .select(server_secrets::value)
        .first(conn)
}

//! Queries on `server_keys` (the VAPID key) and `push_subscriptions`.

use diesel::prelude::*;

use super::schema::{push_subscriptions as ps, server_keys as sk};
use super::DbConn;

/// Most subscriptions one user keeps; subscribing beyond drops the oldest.
pub const MAX_PER_USER: i64 = 10;

/// One stored push subscription.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = ps)]
pub struct Subscription {
    pub user_id: String,
    pub endpoint: String,
    /// The browser's P-256 public key, URL-safe base64 without padding.
    pub p256dh: String,
    /// The browser's 16-byte auth secret, URL-safe base64 without padding.
    pub auth: String,
    /// When the browser says the subscription ends (ms), if it says.
    pub expiration_time: Option<i64>,
    pub created_at: i64,
}

/// The value stored under `name`, if any.
pub fn key(conn: &mut DbConn, name: &str) -> QueryResult<Option<String>> {
    sk::table
        .find(name)
        .select(sk::value)
        .first(conn)
        .optional()
}

/// Stores `value` under `name` unless a value is already there (another node
/// may have been first); the caller reads the key back afterwards.
pub fn insert_key(conn: &mut DbConn, name: &str, value: &str, now: i64) -> QueryResult<()> {
    super::each_backend!(
        conn,
        c,
        diesel::insert_into(sk::table)
            .values((
                sk::name.eq(name),
                sk::value.eq(value),
                sk::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
    )
    .map(|_| ())
}

/// Stores `sub` for its user, replacing the keys of the same endpoint. The
/// endpoint leaves any other user (a browser signed into another account),
/// and the user's oldest subscriptions go beyond [`MAX_PER_USER`].
pub fn upsert(conn: &mut DbConn, sub: &Subscription) -> QueryResult<()> {
    diesel::delete(
        ps::table.filter(
            ps::endpoint
                .eq(&sub.endpoint)
                .and(ps::user_id.ne(&sub.user_id)),
        ),
    )
    .execute(conn)?;
    super::each_backend!(
        conn,
        c,
        diesel::insert_into(ps::table)
            .values((
                ps::user_id.eq(&sub.user_id),
                ps::endpoint.eq(&sub.endpoint),
                ps::p256dh.eq(&sub.p256dh),
                ps::auth.eq(&sub.auth),
                ps::expiration_time.eq(sub.expiration_time),
                ps::created_at.eq(sub.created_at),
            ))
            .on_conflict((ps::user_id, ps::endpoint))
            .do_update()
            .set((
                ps::p256dh.eq(&sub.p256dh),
                ps::auth.eq(&sub.auth),
                ps::expiration_time.eq(sub.expiration_time),
                ps::created_at.eq(sub.created_at),
            ))
            .execute(c)
    )?;
    let keep: Vec<String> = ps::table
        .filter(ps::user_id.eq(&sub.user_id))
        .order((ps::created_at.desc(), ps::endpoint.asc()))
        .limit(MAX_PER_USER)
        .select(ps::endpoint)
        .load(conn)?;
    diesel::delete(ps::table.filter(ps::user_id.eq(&sub.user_id).and(ps::endpoint.ne_all(keep))))
        .execute(conn)
        .map(|_| ())
}

/// Every subscription of `user`.
pub fn of_user(conn: &mut DbConn, user: &str) -> QueryResult<Vec<Subscription>> {
    ps::table
        .filter(ps::user_id.eq(user))
        .select(Subscription::as_select())
        .load(conn)
}

/// Removes one subscription (the push service said it is gone).
pub fn remove(conn: &mut DbConn, user: &str, endpoint: &str) -> QueryResult<()> {
    diesel::delete(ps::table.find((user, endpoint)))
        .execute(conn)
        .map(|_| ())
}

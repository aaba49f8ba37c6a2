//! The blocking operations on posts and comments. Each runs inside one
//! transaction (`db::write`) or one read (`db::run`); files are written before
//! and removed after by the caller, so the database decides what exists.

use diesel::Connection;
use serde_json::Value;

use super::{comment_not_found, comment_objects, not_found, parse_id, post_objects};
use crate::db::posts;
use crate::db::DbConn;
use crate::error::ApiError;

/// One page of the feed as `viewer` sees it: at most `limit` posts older than
/// `before` (the newest when `None`), oldest first.
pub fn feed(
    conn: &mut DbConn,
    viewer: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Value>, ApiError> {
    // One read transaction: counts and `liked` come from the same snapshot,
    // so a like committed meanwhile cannot show in one and not the other.
    conn.transaction(|c| {
        let mut rows = posts::page(c, before, limit)?;
        rows.reverse();
        Ok(post_objects(c, viewer, &rows)?)
    })
}

/// Stores `me`'s post of the stored image `img` and returns its object.
pub fn create(
    conn: &mut DbConn,
    me: &str,
    img: &str,
    text: Option<&str>,
    now: i64,
) -> Result<Value, ApiError> {
    let row = posts::insert(conn, me, img, text, now)?;
    post_objects(conn, me, std::slice::from_ref(&row))?
        .pop()
        .ok_or_else(|| ApiError::internal("new post has no object"))
}

/// The post `raw_id`: `404 POSTS_NOT_FOUND` when there is none.
fn existing(conn: &mut DbConn, raw_id: &str) -> Result<posts::PostRow, ApiError> {
    let id = parse_id(raw_id).ok_or_else(not_found)?;
    posts::find(conn, id)?.ok_or_else(not_found)
}

/// Deletes `me`'s post `raw_id` with its likes and comments; returns its id and
/// the stored image name, for the caller to remove once this committed.
pub fn delete(conn: &mut DbConn, me: &str, raw_id: &str) -> Result<(i64, String), ApiError> {
    let post = existing(conn, raw_id)?;
    if post.user_id != me {
        return Err(not_found());
    }
    posts::delete(conn, post.id)?;
    Ok((post.id, post.img))
}

/// The comments of post `raw_id`, oldest first, as `viewer` sees their authors.
pub fn comments(conn: &mut DbConn, viewer: &str, raw_id: &str) -> Result<Vec<Value>, ApiError> {
    let post = existing(conn, raw_id)?;
    let rows = posts::comments(conn, post.id)?;
    Ok(comment_objects(conn, viewer, &rows)?)
}

/// Adds `me`'s comment to post `raw_id` and returns its object.
pub fn add_comment(
    conn: &mut DbConn,
    me: &str,
    raw_id: &str,
    raw_text: &str,
    now: i64,
) -> Result<Value, ApiError> {
    let post = existing(conn, raw_id)?;
    let text = super::comment_text(raw_text)?;
    let row = posts::add_comment(conn, post.id, me, &text, now)?;
    comment_objects(conn, me, std::slice::from_ref(&row))?
        .pop()
        .ok_or_else(|| ApiError::internal("new comment has no object"))
}

/// Deletes `me`'s comment `raw_cid` on post `raw_id`.
pub fn delete_comment(
    conn: &mut DbConn,
    me: &str,
    raw_id: &str,
    raw_cid: &str,
) -> Result<(), ApiError> {
    let post = existing(conn, raw_id)?;
    let cid = parse_id(raw_cid).ok_or_else(comment_not_found)?;
    if !posts::delete_comment(conn, post.id, cid, me)? {
        return Err(comment_not_found());
    }
    Ok(())
}

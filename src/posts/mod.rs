//! Posts: the public feed every signed-in user shares. Rules (ids, text
//! lengths) and JSON objects here; the blocking operations in `ops`; likes,
//! which arrive over the socket, in `likes`.

pub mod likes;
pub mod ops;

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use crate::db::posts::{self, CommentRow, PostRow};
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};

/// Default and largest page of the feed.
pub const PAGE_MAX: i64 = 50;
/// Longest post text, in characters after trimming.
pub const TEXT_MAX: usize = 500;
/// Longest comment, in characters after trimming.
pub const COMMENT_MAX: usize = 300;

/// `404 POSTS_NOT_FOUND`.
pub fn not_found() -> ApiError {
    ApiError::new(ErrorCode::PostsNotFound)
}

/// `404 CMT_NOT_FOUND`.
pub fn comment_not_found() -> ApiError {
    ApiError::new(ErrorCode::CommentNotFound)
}

/// A post or comment id as clients send it: a positive decimal number.
pub fn parse_id(raw: &str) -> Option<i64> {
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok().filter(|n| *n > 0)
}

/// The text of a new post: trimmed, at most 500 characters (`400
/// POST_TEXT_LENGTH`); `None` when there is none.
pub fn post_text(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let text = raw.map(str::trim).unwrap_or("");
    if text.chars().count() > TEXT_MAX {
        return Err(ApiError::new(ErrorCode::PostTextLength));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// The text of a comment: trimmed, 1-300 characters (`400 POST_COMMENT_LENGTH`).
pub fn comment_text(raw: &str) -> Result<String, ApiError> {
    let text = raw.trim();
    let len = text.chars().count();
    if len == 0 || len > COMMENT_MAX {
        return Err(ApiError::new(ErrorCode::CommentLength));
    }
    Ok(text.to_string())
}

/// User objects of `ids` as `viewer` sees them, by id.
fn users_by_id(
    conn: &mut DbConn,
    viewer: &str,
    ids: impl Iterator<Item = String>,
) -> diesel::QueryResult<HashMap<String, Value>> {
    let mut unique: Vec<String> = ids.collect();
    unique.sort();
    unique.dedup();
    let objects = crate::views::user_objects(conn, viewer, &unique)?;
    Ok(objects
        .into_iter()
        .filter_map(|u| Some((u["id"].as_str()?.to_string(), u)))
        .collect())
}

/// Post objects of `rows` (same order) as `viewer` sees them:
/// `{ id, user, ts, img, likes, comments, text?, liked }`.
pub fn post_objects(
    conn: &mut DbConn,
    viewer: &str,
    rows: &[PostRow],
) -> diesel::QueryResult<Vec<Value>> {
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    // Counts and `liked` from one snapshot: never "liked" with a count
    // that misses that like.
    let (likes, comments, liked) = crate::db::consistent_read(conn, |c| {
        let liked: HashSet<i64> = posts::liked_by(c, viewer, &ids)?;
        Ok((
            posts::like_counts(c, &ids)?,
            posts::comment_counts(c, &ids)?,
            liked,
        ))
    })?;
    let users = users_by_id(conn, viewer, rows.iter().map(|p| p.user_id.clone()))?;
    Ok(rows
        .iter()
        .map(|p| {
            let mut obj = Map::new();
            obj.insert("id".into(), p.id.to_string().into());
            obj.insert(
                "user".into(),
                users.get(&p.user_id).cloned().unwrap_or(Value::Null),
            );
            obj.insert("ts".into(), p.created_at.into());
            obj.insert("img".into(), p.img.clone().into());
            obj.insert(
                "likes".into(),
                likes.get(&p.id).copied().unwrap_or(0).into(),
            );
            obj.insert(
                "comments".into(),
                comments.get(&p.id).copied().unwrap_or(0).into(),
            );
            if let Some(text) = &p.text {
                obj.insert("text".into(), text.clone().into());
            }
            obj.insert("liked".into(), liked.contains(&p.id).into());
            Value::Object(obj)
        })
        .collect())
}

/// Comment objects of `rows` (same order) as `viewer` sees their authors:
/// `{ id, user, text, ts }`.
pub fn comment_objects(
    conn: &mut DbConn,
    viewer: &str,
    rows: &[CommentRow],
) -> diesel::QueryResult<Vec<Value>> {
    let users = users_by_id(conn, viewer, rows.iter().map(|c| c.user_id.clone()))?;
    Ok(rows
        .iter()
        .map(|c| {
            json!({
                "id": c.id.to_string(),
                "user": users.get(&c.user_id).cloned().unwrap_or(Value::Null),
                "text": c.text,
                "ts": c.created_at,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(parse_id("42"), Some(42));
        assert_eq!(parse_id("0"), None);
        assert_eq!(parse_id("-1"), None);
        assert_eq!(parse_id("+1"), None);
        assert_eq!(parse_id("1a"), None);
        assert_eq!(parse_id(""), None);
        assert_eq!(parse_id("99999999999999999999"), None);
    }

    #[test]
    fn texts() {
        assert_eq!(post_text(None).unwrap(), None);
        assert_eq!(post_text(Some("   ")).unwrap(), None);
        assert_eq!(post_text(Some(" hi ")).unwrap().as_deref(), Some("hi"));
        let at_limit = format!(" {} ", "é".repeat(TEXT_MAX));
        assert!(post_text(Some(&at_limit)).is_ok());
        let over = "a".repeat(TEXT_MAX + 1);
        assert_eq!(
            post_text(Some(&over)).unwrap_err().msg(),
            "POST_TEXT_LENGTH"
        );
        assert_eq!(comment_text(" ok ").unwrap(), "ok");
        assert_eq!(
            comment_text(" \n ").unwrap_err().msg(),
            "POST_COMMENT_LENGTH"
        );
        assert!(comment_text(&"ü".repeat(COMMENT_MAX)).is_ok());
        assert_eq!(
            comment_text(&"a".repeat(COMMENT_MAX + 1))
                .unwrap_err()
                .msg(),
            "POST_COMMENT_LENGTH"
        );
    }
}

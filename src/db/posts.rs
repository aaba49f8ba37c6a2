//! Queries on `posts`, `post_likes` and `post_comments`.

use std::collections::{HashMap, HashSet};

use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{post_comments, post_likes, posts};
use super::DbConn;

/// One post row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct PostRow {
    pub id: i64,
    pub user_id: String,
    pub created_at: i64,
    pub img: String,
    pub text: Option<String>,
}

/// One comment row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = post_comments)]
pub struct CommentRow {
    pub id: i64,
    pub post_id: i64,
    pub user_id: String,
    pub text: String,
    pub created_at: i64,
}

/// The row id the last insert on this connection made.
fn last_id(conn: &mut DbConn) -> QueryResult<i64> {
    let function = match conn {
        DbConn::Sqlite(_) => "last_insert_rowid()",
        #[cfg(feature = "postgres")]
        DbConn::Pg(_) => "lastval()",
    };
    diesel::select(sql::<BigInt>(function)).get_result(conn)
}

/// Stores a post and returns its row.
pub fn insert(
    conn: &mut DbConn,
    user: &str,
    img: &str,
    text: Option<&str>,
    now: i64,
) -> QueryResult<PostRow> {
    diesel::insert_into(posts::table)
        .values((
            posts::user_id.eq(user),
            posts::created_at.eq(now),
            posts::img.eq(img),
            posts::text.eq(text),
        ))
        .execute(conn)?;
    let id = last_id(conn)?;
    find(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

/// The post `id`.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<PostRow>> {
    posts::table
        .find(id)
        .select(PostRow::as_select())
        .first(conn)
        .optional()
}

/// Whether a post `id` exists.
pub fn exists(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(posts::table.find(id))).get_result(conn)
}

/// At most `limit` posts with an id below `before` (all when `None`), newest first.
pub fn page(conn: &mut DbConn, before: Option<i64>, limit: i64) -> QueryResult<Vec<PostRow>> {
    let mut query = posts::table
        .select(PostRow::as_select())
        .order(posts::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(posts::id.lt(before));
    }
    query.load(conn)
}

/// Whether the post `id` with stored image `img` exists.
pub fn has_image(conn: &mut DbConn, id: i64, img: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        posts::table.filter(posts::id.eq(id).and(posts::img.eq(img))),
    ))
    .get_result(conn)
}

/// Deletes a post with its likes and comments.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(post_likes::table.filter(post_likes::post_id.eq(id))).execute(conn)?;
    diesel::delete(post_comments::table.filter(post_comments::post_id.eq(id))).execute(conn)?;
    diesel::delete(posts::table.find(id)).execute(conn)?;
    Ok(())
}

/// Counts per post of `ids` in a table's `post_id` column (posts without any are absent).
macro_rules! counts_by_post {
    ($conn:expr, $table:ident, $ids:expr) => {{
        let rows: Vec<(i64, i64)> = $table::table
            .filter($table::post_id.eq_any($ids))
            .group_by($table::post_id)
            .select(($table::post_id, count_star()))
            .load($conn)?;
        rows.into_iter().collect::<HashMap<i64, i64>>()
    }};
}

/// Like counts of `ids` (posts without likes are absent).
pub fn like_counts(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    Ok(counts_by_post!(conn, post_likes, ids))
}

/// Comment counts of `ids` (posts without comments are absent).
pub fn comment_counts(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, i64>> {
    Ok(counts_by_post!(conn, post_comments, ids))
}

/// Which of `ids` `user` likes.
pub fn liked_by(conn: &mut DbConn, user: &str, ids: &[i64]) -> QueryResult<HashSet<i64>> {
    let rows: Vec<i64> = post_likes::table
        .filter(
            post_likes::user_id
                .eq(user)
                .and(post_likes::post_id.eq_any(ids)),
        )
        .select(post_likes::post_id)
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// `user` likes post `id` (once, however often asked); nothing when the post
/// does not exist. True when a like was added.
pub fn like(conn: &mut DbConn, id: i64, user: &str, now: i64) -> QueryResult<bool> {
    if !exists(conn, id)? {
        return Ok(false);
    }
    let added = super::each_backend!(
        conn,
        c,
        diesel::insert_into(post_likes::table)
            .values((
                post_likes::post_id.eq(id),
                post_likes::user_id.eq(user),
                post_likes::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
    )?;
    Ok(added > 0)
}

/// `user` no longer likes post `id`. True when a like was removed.
pub fn unlike(conn: &mut DbConn, id: i64, user: &str) -> QueryResult<bool> {
    let removed = diesel::delete(
        post_likes::table.filter(post_likes::post_id.eq(id).and(post_likes::user_id.eq(user))),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

/// Comments of post `id`, oldest first.
pub fn comments(conn: &mut DbConn, id: i64) -> QueryResult<Vec<CommentRow>> {
    post_comments::table
        .filter(post_comments::post_id.eq(id))
        .order(post_comments::id.asc())
        .select(CommentRow::as_select())
        .load(conn)
}

/// Stores a comment and returns its row.
pub fn add_comment(
    conn: &mut DbConn,
    post: i64,
    user: &str,
    text: &str,
    now: i64,
) -> QueryResult<CommentRow> {
    diesel::insert_into(post_comments::table)
        .values((
            post_comments::post_id.eq(post),
            post_comments::user_id.eq(user),
            post_comments::text.eq(text),
            post_comments::created_at.eq(now),
        ))
        .execute(conn)?;
    let id = last_id(conn)?;
    post_comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
}

/// Deletes `user`'s comment `id` on post `post`. False when there is no such comment of theirs.
pub fn delete_comment(conn: &mut DbConn, post: i64, id: i64, user: &str) -> QueryResult<bool> {
    let removed = diesel::delete(
        post_comments::table.filter(
            post_comments::id
                .eq(id)
                .and(post_comments::post_id.eq(post))
                .and(post_comments::user_id.eq(user)),
        ),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

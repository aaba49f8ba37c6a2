//! Likes, which arrive as socket frames `postlike` / `postunlike` `{postid}`.
//! A like is set membership: liking twice counts once, unliking what was not
//! liked changes nothing, an unknown or malformed post id is ignored. No
//! signal goes out; clients see the counts in the feed.

use actix_web::web;
use serde_json::Value;

use crate::db::posts;
use crate::ids;
use crate::state::AppState;

/// A post id from a frame: a decimal string or a number.
fn post_id(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => super::parse_id(s),
        Value::Number(n) => n.as_i64().filter(|n| *n > 0),
        _ => None,
    }
}

/// Applies a `postlike` (`like`) or `postunlike` frame of `user`.
///
/// The write is queued on the group-commit writer before this returns, so the
/// frames of one socket take effect in the order they arrived.
pub fn handle(state: &web::Data<AppState>, user: &str, like: bool, postid: Option<&Value>) {
    let Some(id) = postid.and_then(post_id) else {
        tracing::debug!(user, "ignoring a post frame without a usable postid");
        return;
    };
    let user = user.to_string();
    let now = ids::now_ms();
    let pending = state.writer.submit(move |c| {
        Ok::<_, crate::db::DbError>(if like {
            posts::like(c, id, &user, now)?
        } else {
            posts::unlike(c, id, &user)?
        })
    });
    actix_web::rt::spawn(async move {
        // A frame has no answer: the failure is logged here, with its cause.
        if let Err(e) = pending.await {
            tracing::error!(cause = ?e, "post like not stored: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn post_ids_from_frames() {
        assert_eq!(post_id(&json!("12")), Some(12));
        assert_eq!(post_id(&json!(12)), Some(12));
        assert_eq!(post_id(&json!(-3)), None);
        assert_eq!(post_id(&json!(1.5)), None);
        assert_eq!(post_id(&json!("x")), None);
        assert_eq!(post_id(&json!(null)), None);
        assert_eq!(post_id(&json!({ "id": 1 })), None);
    }
}

//! Blocking chat operations: each runs inside one write transaction and
//! returns what the signals and the HTTP answer need.

use std::path::PathBuf;

use serde_json::Value;

use super::draft::{check_text, Draft};
use super::Room;
use crate::db::messages::{self, MessageRow, NewMessage};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::files::{self, FileStore, Obsolete};
use crate::views;

/// How long a message stays editable.
pub const EDIT_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A message as it goes out: to the author in the HTTP answer, to the others in a signal.
#[derive(Debug, Clone)]
pub struct Posted {
    pub chat: Value,
    pub users: Vec<Value>,
    /// The author's user object.
    pub sender: Value,
    /// The room object as the author sees it.
    pub roomdata: Value,
    /// The room object as the other members see it.
    pub roomdata_for_others: Value,
}

impl Posted {
    /// `{chat, roomdata, users}` for the author (moved, not copied).
    pub fn answer(self) -> Value {
        let mut out = serde_json::Map::new();
        out.insert("chat".into(), self.chat);
        out.insert("roomdata".into(), self.roomdata);
        out.insert("users".into(), Value::Array(self.users));
        Value::Object(out)
    }
}

/// What a group's message signals repeat from message to message, as each
/// author sees it: the room object, the member user objects, the author's
/// own. Kept by the group actor, which clears it whenever membership or the
/// group changes; entries from before the last [`db::epoch`] bump (a profile
/// or friendship may have changed) are not used.
#[derive(Debug, Default)]
pub struct ContextCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (u64, Posted)>>,
}

impl ContextCache {
    /// Forgets everything (membership or the group changed).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The context of `me` with `chat` filled in, from the cache when still valid.
    fn context(
        &self,
        conn: &mut DbConn,
        room: &Room,
        me: &str,
        chat: Value,
    ) -> Result<Posted, ApiError> {
        let epoch = db::epoch();
        {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, cached)) = entries.get(me) {
                if *at == epoch {
                    let mut posted = cached.clone();
                    posted.chat = chat;
                    return Ok(posted);
                }
            }
        }
        let posted = context(conn, room, me, Value::Null)?;
        let mut out = posted.clone();
        out.chat = chat;
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(me.to_string(), (epoch, posted));
        Ok(out)
    }
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::MsgNotFound)
}

/// The other user of a one-to-one chat: `404 FIND_NOTFOUND` when there is none.
pub fn partner(conn: &mut DbConn, room: &Room) -> Result<Option<db::users::User>, ApiError> {
    match room {
        Room::Group(_) | Room::Global => Ok(None),
        Room::Direct { me, other } => {
            if me == other {
                return Err(ApiError::new(ErrorCode::FindNotFound));
            }
            db::users::find(conn, other)?
                .map(Some)
                .ok_or_else(|| ApiError::new(ErrorCode::FindNotFound))
        }
    }
}

/// Room objects and members of a chat, as `me` sees them.
pub(crate) fn context(
    conn: &mut DbConn,
    room: &Room,
    me: &str,
    chat: Value,
) -> Result<Posted, ApiError> {
    match room {
        Room::Group(gid) => {
            let group =
                db::groups::find(conn, gid)?.ok_or_else(|| ApiError::new(ErrorCode::Kicked))?;
            let members = db::groups::member_ids(conn, gid)?;
            let users = views::user_objects(conn, me, &members)?;
            let sender = users
                .iter()
                .find(|u| u["id"] == me)
                .cloned()
                .unwrap_or(Value::Null);
            let r = views::group_room(&group);
            Ok(Posted {
                chat,
                users,
                sender,
                roomdata: r.clone(),
                roomdata_for_others: r,
            })
        }
        Room::Global => {
            let sender = views::user_objects(conn, me, &[me.to_string()])?
                .pop()
                .unwrap_or(Value::Null);
            let r = super::global::room_object();
            Ok(Posted {
                chat,
                users: vec![sender.clone()],
                sender,
                roomdata: r.clone(),
                roomdata_for_others: r,
            })
        }
        Room::Direct { other, .. } => {
            let other_user =
                partner(conn, room)?.ok_or_else(|| ApiError::new(ErrorCode::FindNotFound))?;
            let me_user = db::users::find(conn, me)?.ok_or_else(ApiError::unauthorized)?;
            let users = views::user_objects(conn, me, &[me.to_string(), other.clone()])?;
            let sender = users.first().cloned().unwrap_or(Value::Null);
            Ok(Posted {
                chat,
                users,
                sender,
                roomdata: views::direct_room(&other_user),
                roomdata_for_others: views::direct_room(&me_user),
            })
        }
    }
}

pub(crate) fn object(conn: &mut DbConn, room: &Room, row: &MessageRow) -> Result<Value, ApiError> {
    let reads = reads_of(conn, room)?;
    Ok(views::message_object(row, &reads))
}

/// Read marks of a chat; the global room keeps none (no read receipts).
fn reads_of(conn: &mut DbConn, room: &Room) -> Result<Vec<(String, i64)>, ApiError> {
    match room {
        Room::Global => Ok(Vec::new()),
        _ => Ok(messages::reads(conn, &room.key())?),
    }
}

/// Whether `me` may use the chat, decided by the database: `403 GRP_KICKED`
/// unless a member of the group, `404 FIND_NOTFOUND` without a partner.
pub fn check_access(conn: &mut DbConn, room: &Room, me: &str) -> Result<(), ApiError> {
    match room {
        Room::Group(gid) => {
            if db::groups::is_member(conn, gid, me)? {
                Ok(())
            } else {
                Err(ApiError::new(ErrorCode::Kicked))
            }
        }
        Room::Global => Ok(()),
        Room::Direct { .. } => partner(conn, room).map(|_| ()),
    }
}

/// Writes a draft's file into the chat's media folder before the message is
/// stored, so no file is written under the database write lock. Returns its
/// path: the caller removes it if the message is then not stored. Blocking.
pub fn stage_file(
    store: &FileStore,
    room: &Room,
    draft: &mut Draft,
) -> Result<Option<PathBuf>, ApiError> {
    let Some(upload) = draft.file.take() else {
        return Ok(None);
    };
    let name = files::generated_name(&upload.ext);
    let path = room.media_dir(store).join(&name);
    FileStore::write(&path, &upload.bytes)?;
    draft.stored = Some(name);
    Ok(Some(path))
}

/// Stores a new message of `me` (its file already staged, see [`stage_file`])
/// and marks it read by its author. `cache` (group actors) saves rebuilding
/// the room and user objects.
pub fn post(
    conn: &mut DbConn,
    room: &Room,
    me: &str,
    draft: &Draft,
    now: i64,
    cache: Option<&ContextCache>,
) -> Result<Posted, ApiError> {
    check_access(conn, room, me)?;
    let key = room.key();
    if let Some(reply) = &draft.reply {
        messages::find(conn, &key, reply)?.ok_or_else(not_found)?;
    }
    let new = NewMessage {
        room: &key,
        user_id: me,
        kind: &draft.kind,
        text: &draft.text,
        reply: draft.reply.as_deref(),
        source: draft.stored.as_deref(),
        duration: draft.duration,
    };
    let row = messages::insert(conn, &new, now)?;
    if *room != Room::Global {
        messages::mark_read(conn, &key, me, row.n)?;
    }
    if let Room::Direct { other, .. } = room {
        db::direct::ensure(conn, me, other, now)?;
    }
    let chat = object(conn, room, &row)?;
    match cache {
        Some(cache) => cache.context(conn, room, me, chat),
        None => context(conn, room, me, chat),
    }
}

/// Replaces the text of `me`'s message `id` (within 15 minutes of sending).
pub fn edit(
    conn: &mut DbConn,
    room: &Room,
    me: &str,
    id: &str,
    text: Option<&str>,
    now: i64,
) -> Result<Posted, ApiError> {
    check_access(conn, room, me)?;
    let key = room.key();
    let row = messages::find(conn, &key, id)?
        .filter(|m| m.kind != "deleted")
        .ok_or_else(not_found)?;
    if row.kind == "call" {
        // The record of a call is the server's, not its author's text.
        return Err(ApiError::new(ErrorCode::MsgEditOther));
    }
    if row.user_id != me {
        return Err(ApiError::new(ErrorCode::MsgNotOwner));
    }
    if now - row.created_at > EDIT_WINDOW_MS {
        return Err(ApiError::new(ErrorCode::EditExpired));
    }
    let text = check_text(text, row.kind == "text")?;
    messages::set_text(conn, row.n, &text, now)?;
    let row = messages::find(conn, &key, id)?.ok_or_else(not_found)?;
    let chat = object(conn, room, &row)?;
    context(conn, room, me, chat)
}

/// Deletes `me`'s message `id`: it stays as a `deleted` placeholder; its
/// file is returned as obsolete (removed once the deletion committed).
pub fn delete(
    conn: &mut DbConn,
    store: &FileStore,
    room: &Room,
    me: &str,
    id: &str,
) -> Result<(Posted, Obsolete), ApiError> {
    check_access(conn, room, me)?;
    let key = room.key();
    let row = messages::find(conn, &key, id)?
        .filter(|m| m.kind != "deleted")
        .ok_or_else(not_found)?;
    if row.user_id != me {
        return Err(ApiError::new(ErrorCode::MsgNotOwner));
    }
    messages::mark_deleted(conn, row.n)?;
    let mut obsolete = Obsolete::default();
    if let Some(source) = &row.source {
        obsolete.file(room.media_dir(store).join(source));
    }
    let row = messages::find(conn, &key, id)?.ok_or_else(not_found)?;
    let chat = object(conn, room, &row)?;
    Ok((context(conn, room, me, chat)?, obsolete))
}

/// Deletes every message of a chat; its media folder is returned as
/// obsolete (removed once the deletion committed).
pub fn clear(conn: &mut DbConn, store: &FileStore, room: &Room) -> Result<Obsolete, ApiError> {
    messages::delete_room_key(conn, &room.key())?;
    let mut obsolete = Obsolete::default();
    obsolete.dir(room.media_dir(store));
    Ok(obsolete)
}

/// Marks every message of the chat as read by `me`.
pub fn mark_read(conn: &mut DbConn, room: &Room, me: &str) -> Result<(), ApiError> {
    if *room == Room::Global {
        return Ok(());
    }
    check_access(conn, room, me)?;
    let key = room.key();
    if let Some(n) = messages::last_n(conn, &key)? {
        messages::mark_read(conn, &key, me, n)?;
    }
    Ok(())
}

/// Message objects of a page of the chat, oldest first.
pub fn page(
    conn: &mut DbConn,
    room: &Room,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<Value>, ApiError> {
    let key = room.key();
    let before_n = match before {
        Some(id) => Some(messages::find(conn, &key, id)?.ok_or_else(not_found)?.n),
        None => None,
    };
    let rows = messages::page(conn, &key, before_n, limit)?;
    let reads = reads_of(conn, room)?;
    Ok(rows
        .iter()
        .map(|m| views::message_object(m, &reads))
        .collect())
}

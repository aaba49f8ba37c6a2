//! Chats: the rooms messages live in, their JSON objects, and the blocking
//! operations on them (`ops`). Group chats run these inside the group's actor;
//! one-to-one chats run them directly and fan out through the hub.

pub mod calls;
pub mod direct;
pub mod draft;
pub mod global;
pub mod ops;

use std::path::PathBuf;

use crate::db::messages::room_key;
use crate::error::{ApiError, ErrorCode};
use crate::files::FileStore;

/// Messages `isUser` and `join` return per chat.
pub const RECENT: i64 = 100;

/// Which chat an operation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Room {
    Group(String),
    /// The global room (`696969`): every signed-in user reads and writes it.
    Global,
    /// A one-to-one chat, as seen by `me`.
    Direct {
        me: String,
        other: String,
    },
}

impl Room {
    /// The chat of `roomtype`/`id` as `me` addresses it: `404 ROOM_TYPE_NOT_FOUND` for other types.
    pub fn parse(roomtype: &str, id: &str, me: &str) -> Result<Self, ApiError> {
        match roomtype {
            "group" if id == global::GLOBAL_ID => Ok(Self::Global),
            "group" => Ok(Self::Group(id.to_string())),
            "user" => Ok(Self::Direct {
                me: me.to_string(),
                other: id.to_string(),
            }),
            _ => Err(ApiError::new(ErrorCode::RoomTypeNotFound)),
        }
    }

    /// `group` or `user`.
    pub fn roomtype(&self) -> &'static str {
        match self {
            Self::Group(_) | Self::Global => "group",
            Self::Direct { .. } => "user",
        }
    }

    /// The storage key of the chat.
    pub fn key(&self) -> String {
        match self {
            Self::Group(gid) => room_key("group", gid, gid),
            Self::Global => room_key("group", global::GLOBAL_ID, global::GLOBAL_ID),
            Self::Direct { me, other } => room_key("user", me, other),
        }
    }

    /// The folder of the chat's media.
    pub fn media_dir(&self, files: &FileStore) -> PathBuf {
        match self {
            Self::Group(gid) => files.media_dir("group", gid),
            Self::Global => files.media_dir("group", global::GLOBAL_ID),
            Self::Direct { me, other } => {
                let (a, b) = if me <= other {
                    (me, other)
                } else {
                    (other, me)
                };
                files.media_dir("user", &format!("{a}-{b}"))
            }
        }
    }

    /// The room id as `viewer` addresses the chat (the group id, or the other user's id).
    pub fn id_for(&self, viewer: &str) -> String {
        match self {
            Self::Group(gid) => gid.clone(),
            Self::Global => global::GLOBAL_ID.to_string(),
            Self::Direct { me, other } => {
                if viewer == me {
                    other.clone()
                } else {
                    me.clone()
                }
            }
        }
    }
}

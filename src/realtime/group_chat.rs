//! Group chat commands of the group actor. Membership is checked here, in the
//! actor that also runs kicks, so a member kicked a moment earlier is refused
//! (`403 GRP_KICKED`) and never gets a message through.

use std::sync::Arc;

use actix::prelude::*;
use serde_json::Value;

use super::group::GroupActor;
use super::signal::{posted_frame, Signal};
use crate::chat::draft::Draft;
use crate::chat::ops::{self, Posted};
use crate::chat::Room;
use crate::error::ApiError;
use crate::ids;

fn kicked() -> ApiError {
    ApiError::new(403, "GRP_KICKED")
}

impl GroupActor {
    /// Refuses right away when `user` is not a member.
    fn require_member<T: 'static>(
        &self,
        user: &str,
    ) -> Result<(), AtomicResponse<Self, Result<T, ApiError>>> {
        if self.exists && self.members.contains(user) {
            Ok(())
        } else {
            Err(AtomicResponse::new(Box::pin(actix::fut::ready(Err(
                kicked(),
            )))))
        }
    }

    fn room(&self) -> Room {
        Room::Group(self.gid.clone())
    }

    /// Sends a message signal of `kind` to every member but the author.
    fn signal_posted(&mut self, kind: &str, author: &str, posted: &Posted) {
        if let Some(frame) = posted_frame(kind, author, posted) {
            self.broadcast(&frame, Some(author));
        }
    }
}

/// A member posts a message.
#[derive(Message, Clone)]
#[rtype(result = "Result<Value, ApiError>")]
pub struct GroupSend {
    pub user: String,
    pub draft: Arc<Draft>,
}

impl Handler<GroupSend> for GroupActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupSend, _ctx: &mut Self::Context) -> Self::Result {
        if let Err(refused) = self.require_member(&msg.user) {
            return refused;
        }
        let (room, files, user) = (self.room(), self.state.files.clone(), msg.user.clone());
        let contexts = self.contexts.clone();
        self.command(
            move |c| {
                ops::post(
                    c,
                    &files,
                    &room,
                    &msg.user,
                    &msg.draft,
                    ids::now_ms(),
                    Some(&contexts),
                )
            },
            move |act, posted, _| {
                act.signal_posted("sendmessage", &user, &posted);
                posted.answer()
            },
        )
    }
}

/// A member edits their message.
#[derive(Message, Clone)]
#[rtype(result = "Result<Value, ApiError>")]
pub struct GroupEdit {
    pub user: String,
    pub id: String,
    pub text: Option<String>,
}

impl Handler<GroupEdit> for GroupActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupEdit, _ctx: &mut Self::Context) -> Self::Result {
        if let Err(refused) = self.require_member(&msg.user) {
            return refused;
        }
        let (room, user) = (self.room(), msg.user.clone());
        self.command(
            move |c| {
                ops::edit(
                    c,
                    &room,
                    &msg.user,
                    &msg.id,
                    msg.text.as_deref(),
                    ids::now_ms(),
                )
            },
            move |act, posted, _| {
                act.signal_posted("editmessage", &user, &posted);
                posted.answer()
            },
        )
    }
}

/// A member deletes their message.
#[derive(Message, Clone)]
#[rtype(result = "Result<Value, ApiError>")]
pub struct GroupDelete {
    pub user: String,
    pub id: String,
}

impl Handler<GroupDelete> for GroupActor {
    type Result = AtomicResponse<Self, Result<Value, ApiError>>;

    fn handle(&mut self, msg: GroupDelete, _ctx: &mut Self::Context) -> Self::Result {
        if let Err(refused) = self.require_member(&msg.user) {
            return refused;
        }
        let (room, files, user) = (self.room(), self.state.files.clone(), msg.user.clone());
        self.command(
            move |c| ops::delete(c, &files, &room, &msg.user, &msg.id),
            move |act, posted, _| {
                act.signal_posted("deletemessage", &user, &posted);
                posted.answer()
            },
        )
    }
}

/// The owner clears the group's history.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), ApiError>")]
pub struct GroupClear {
    pub user: String,
}

impl Handler<GroupClear> for GroupActor {
    type Result = AtomicResponse<Self, Result<(), ApiError>>;

    fn handle(&mut self, msg: GroupClear, _ctx: &mut Self::Context) -> Self::Result {
        if let Err(refused) = self.require_member(&msg.user) {
            return refused;
        }
        let (room, files, gid, user) = (
            self.room(),
            self.state.files.clone(),
            self.gid.clone(),
            msg.user.clone(),
        );
        self.command(
            move |c| {
                let group = crate::db::groups::find(c, &gid)?.ok_or_else(kicked)?;
                if group.owner_id != msg.user {
                    return Err(ApiError::new(403, "GRPS_OWNER_FEATURE"));
                }
                ops::clear(c, &files, &room)
            },
            move |act, (), _| {
                let frame = Signal::new("clearhistory", &user)
                    .field("roomid", act.gid.as_str())
                    .encode();
                act.broadcast(&frame, Some(&user));
            },
        )
    }
}

/// A member has read everything in the group.
#[derive(Message, Clone)]
#[rtype(result = "Result<(), ApiError>")]
pub struct GroupRead {
    pub user: String,
}

impl Handler<GroupRead> for GroupActor {
    type Result = AtomicResponse<Self, Result<(), ApiError>>;

    fn handle(&mut self, msg: GroupRead, _ctx: &mut Self::Context) -> Self::Result {
        if let Err(refused) = self.require_member(&msg.user) {
            return refused;
        }
        let (room, user) = (self.room(), msg.user.clone());
        self.command(
            move |c| ops::mark_read(c, &room, &msg.user),
            move |act, (), _| {
                let frame = Signal::new("readAllMessages", &user)
                    .field("roomid", act.gid.as_str())
                    .encode();
                act.broadcast(&frame, Some(&user));
            },
        )
    }
}
